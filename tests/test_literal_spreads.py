"""Spreads of literals the function builds (``np.mean(x, **opts)``, ``helper(*args)``)
are written out as the arguments they stand for, so templates take them."""

import numpy as np
import pytest
import scipy.special

import tangentlike as tl
from tangentlike.api.check import numerical_grad
from tangentlike.errors import TangentlikeError


def helper(x, scale=1.0, shift=0.0):
    return np.sum(np.tanh(scale * x + shift))


def centered(x):
    opts = {"axis": 0, "keepdims": True}
    m = np.mean(x, **opts)
    return np.sum((x - m) ** 3)


def inline_dict(x):
    return scipy.special.logsumexp(x * x, **{"axis": 0})


def spread_tuple(x):
    args = (x, 2.0)
    return helper(*args)


def spread_with_active_items(x):
    opts = {"scale": np.sum(x), "shift": 0.5}
    return helper(x, **opts) + helper(*[x, opts["scale"]])


PROGRAMS = [centered, inline_dict, spread_tuple, spread_with_active_items]
X = np.array([0.3, -0.5, 0.9, 0.2])
V = np.array([0.1, 0.7, -0.4, 0.3])


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_gradient_and_tangent(f):
    want = numerical_grad(f, [X], 0)
    np.testing.assert_allclose(tl.grad(f)(X), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(tl.jvp(f)(X, V), want @ V, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_second_order(f):
    h = 1e-5
    want = (numerical_grad(f, [X + h * V], 0) - numerical_grad(f, [X - h * V], 0)) / (
        2 * h
    )
    np.testing.assert_allclose(tl.hvp(f)(X, V), want, rtol=1e-4, atol=1e-6)


def test_the_constants_are_written_in_place():
    source = tl.getsource(tl.grad(centered))
    assert "m = np.mean(x, axis=0, keepdims=True)" in source
    assert "opts" not in source.replace("# line 19: m = np.mean(x, **opts)", "")


def changed_after(x):
    opts = {"axis": 0}
    opts["keepdims"] = True
    return np.sum(np.mean(x, **opts))


def test_a_dict_changed_after_it_is_made_is_not_written_out():
    with pytest.raises(TangentlikeError, match="spread"):
        tl.grad(changed_after)(X)
