"""``ufunc.outer`` and ``add``/``multiply.accumulate``, as kernel and recurrence code
writes them, in both modes and second order, against central differences."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad


def rbf_kernel(x):
    K = np.exp(-(np.subtract.outer(x, x) ** 2))
    return np.sum(K @ x)


def running_sums(x):
    return np.sum(np.add.accumulate(x) ** 2) + np.sum(np.multiply.accumulate(x))


def along_axes(x):
    M = np.multiply.outer(x, x[:2])
    return np.sum(np.add.accumulate(M, axis=1) ** 2) + np.sum(np.add.accumulate(M, 0))


PROGRAMS = [rbf_kernel, running_sums, along_axes]
X = np.array([0.3, -0.7, 1.1, 0.5])
V = np.array([0.2, 0.5, -0.3, 0.1])


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_both_modes(f):
    want = numerical_grad(f, [X], 0)
    np.testing.assert_allclose(tl.grad(f)(X), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(tl.jvp(f)(X, V), want @ V, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_second_order(f):
    h = 1e-4
    want = (numerical_grad(f, [X + h * V], 0) - numerical_grad(f, [X - h * V], 0)) / (
        2 * h
    )
    np.testing.assert_allclose(tl.hvp(f)(X, V), want, rtol=1e-4, atol=1e-5)


def test_the_outer_product_is_written_by_broadcasting():
    source = tl.getsource(tl.grad(rbf_kernel))
    assert "np.subtract(" in source and ".outer" not in source.split("# line")[0]
