"""Variants call ``ufunc.reduce`` for NumPy's reduction functions: where, where
not, and that no bit of a value or a gradient changes."""

from collections import OrderedDict
from weakref import WeakValueDictionary

import numpy as np
import pytest

import tangentlike as tl
from tangentlike import optimize
from tangentlike.api import cache as api
from tangentlike.api.check import numerical_grad


def means(x):
    a = np.mean(x * x)
    b = np.mean(np.sin(x), axis=0)
    c = np.mean(x, axis=-1, keepdims=True)
    return a + np.sum(b) + np.sum(c * c)


def extremes(x):
    m = np.max(x, axis=0)
    n = np.min(x, 1)
    p = np.prod(np.cos(x), axis=(0, 1))
    return np.sum(m * m) + np.sum(n) + p + np.amax(x)


@pytest.mark.parametrize("f", [means, extremes])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_value_and_gradient_are_bitwise_those_without_the_pass(f, dtype, monkeypatch):
    x = np.random.default_rng(3).standard_normal((7, 5)).astype(dtype)
    value, grad = tl.value_and_grad(f)(x)
    assert ".reduce(" in tl.getsource(tl.grad(f), args=(x,))
    monkeypatch.setattr(optimize, "call_reductions", lambda *args: False)
    monkeypatch.setattr(api, "_BY_FUNCTION", OrderedDict())
    monkeypatch.setattr(api, "_SHARED", WeakValueDictionary())
    assert ".reduce(" not in tl.getsource(tl.grad(f), args=(x,))
    value0, grad0 = tl.value_and_grad(f)(x)
    assert value == value0 and type(value) is type(value0)
    np.testing.assert_array_equal(grad, grad0)
    assert grad.dtype == dtype


@pytest.mark.parametrize("f", [means, extremes])
def test_gradients_match_finite_differences(f):
    x = np.random.default_rng(4).standard_normal((7, 5))
    np.testing.assert_allclose(
        tl.grad(f)(x), numerical_grad(f, (x,), 0), rtol=1e-6, atol=1e-8
    )


def test_the_variant_calls_the_reductions_and_divides_by_the_count():
    x = np.zeros((7, 5))
    source = tl.getsource(tl.grad(means), args=(x,), comments=False)
    assert "np.add.reduce(_mul, axis=None) / 35" in source
    assert "np.add.reduce(_sin, axis=0) / 7" in source
    assert "np.add.reduce(x, axis=-1, keepdims=True) / 5" in source
    assert "np.mean" not in source and "np.sum" not in source
    source = tl.getsource(tl.grad(extremes), args=(x,))
    for call in (
        "np.maximum.reduce(x, axis=0)",
        "np.minimum.reduce(x, axis=1)",
        "np.maximum.reduce(x, axis=None)",
    ):
        assert call in source
    assert "np.prod(_cos, axis=_tuple)" in source  # an axis held in a name: left alone


def test_the_general_code_keeps_the_users_calls():
    source = tl.getsource(tl.grad(means))
    assert "np.mean(x, axis=-1, keepdims=True)" in source
    assert ".reduce(" not in source


def half_mean(x):
    return np.mean(x)


def test_a_float16_mean_is_left_alone():
    """NumPy sums float16 in float32 for a mean: no plain add.reduce does that."""
    source = tl.getsource(tl.grad(half_mean), args=(np.zeros(4, np.float16),))
    assert "np.mean(x)" in source


def float_mean(x):
    return np.mean(x) * x


def test_a_python_float_is_left_alone():
    assert "np.mean(x)" in tl.getsource(tl.grad(float_mean), args=(2.0,))
    assert tl.grad(float_mean)(3.0) == 6.0
