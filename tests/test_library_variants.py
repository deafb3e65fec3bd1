"""Variants of gradients through library functions: with the arguments' shapes
known, ``np.polyval``'s and SciPy's softmax results have known shapes too, so
their callers' broadcasting helpers go, and a number broadcast by ``unreduce``
into a product with a number first (``b * 2 * r``) stays a number; the values are
the unoptimized gradient's, bit for bit, and central differences'."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

try:
    import scipy.special as sp
except ImportError:  # SciPy is optional: its test is skipped
    sp = None

T = np.linspace(-1.0, 1.0, 50)
Y = np.sin(3.0 * T)


def polyfit(c, t, y):
    return np.sum((np.polyval(c, t) - y) ** 2)


def test_polyval_fit_variant_has_no_broadcasting_helpers():
    c = np.array([0.3, -1.2, 0.5, 2.0])
    df = tl.grad(polyfit)
    source = tl.getsource(df, args=(c, T, Y))
    assert "unreduce" not in source and "unbroadcast" not in source
    assert "b_sub = 2.0 * _sub" in source
    got = df(c, T, Y)
    np.testing.assert_array_equal(got, tl.grad(polyfit, optimize=False)(c, T, Y))
    np.testing.assert_allclose(got, numerical_grad(polyfit, [c, T, Y], 0), rtol=1e-6)


def mixture(mu, logits, x):
    z = x[:, None] - mu
    return -np.sum(sp.logsumexp(-0.5 * z * z + sp.log_softmax(logits), axis=1))


def test_softmax_result_has_its_arguments_shape_in_a_variant():
    if sp is None:
        pytest.skip("SciPy is not installed")
    mu, logits = np.array([-1.0, 0.0, 2.0]), np.array([0.1, -0.3, 0.2])
    x = np.linspace(-2.0, 3.0, 40)
    df = tl.grad(mixture, wrt=(0, 1))
    source = tl.getsource(df, args=(mu, logits, x))
    assert "unbroadcast" not in source
    got = df(mu, logits, x)
    want = tl.grad(mixture, wrt=(0, 1), optimize=False)(mu, logits, x)
    for g, w, i in zip(got, want, (0, 1)):
        np.testing.assert_array_equal(g, w)
        numeric = numerical_grad(mixture, [mu, logits, x], i)
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8)
