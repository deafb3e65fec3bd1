"""Everyday Python around the arithmetic (tests/corpus_everyday.py), in both
modes and to second order, against central finite differences in float64 and
against autograd where it runs."""

import numpy as np
import pytest

import tangentlike as tl

from . import corpus_everyday as C
from .corpus_tools import autograd_gradient

PARAMS = [
    pytest.param(func, args, ok, id=f"{func.__name__}-{k}")
    for k, (func, args, ok) in enumerate(C.CORPUS)
]
# grad of grad through ``list.append`` works, but a list of lists
# (``[[a * b for b in x[:2]] for a in x]``) is refused: its gradient's rows are
# popped from the list of rows (``b_listcomp = brows.pop()``), then items from
# each row, and the alias check on the generated code cannot tell that the list
# of rows no longer holds the row it updates
STILL_REFUSED = pytest.mark.xfail(
    raises=tl.UnsupportedSyntaxError, strict=True, reason="pop from a popped row"
)
REFUSED_NOW = (C.nested_comprehension,)
SECOND_ORDER = [
    pytest.param(
        *p.values,
        id=p.id,
        marks=STILL_REFUSED if p.values[0] in REFUSED_NOW else (),
    )
    for p in PARAMS
]


def leaves(x) -> list:
    """The floats and arrays of ``x``, a float, an array, a list or a dict of them."""
    if isinstance(x, dict):
        return [leaf for k in sorted(x) for leaf in leaves(x[k])]
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in leaves(item)]
    return [x]


def rebuilt(x, values: list):
    """``x`` with its leaves taken, in order, from ``values``."""
    if isinstance(x, dict):
        return {k: rebuilt(x[k], values) for k in sorted(x)}
    if isinstance(x, (list, tuple)):
        return type(x)(rebuilt(item, values) for item in x)
    value = values.pop(0)
    return float(value) if np.ndim(x) == 0 else np.asarray(value, dtype=float)


def flat(x) -> np.ndarray:
    return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in leaves(x)])


def unflat(x, vector: np.ndarray):
    values, at = [], 0
    for leaf in leaves(x):
        size = np.size(leaf)
        values.append(np.reshape(vector[at : at + size], np.shape(leaf)))
        at += size
    return rebuilt(x, values)


def along(func, args, x0):
    """``func`` as a function of the flat vector of its first argument."""
    return lambda vector: func(unflat(x0, vector), *args[1:])


def central_differences(func, args, eps=1e-6) -> np.ndarray:
    x0 = flat(args[0])
    f = along(func, args, args[0])
    grad = np.zeros_like(x0)
    for k in range(x0.size):
        step = np.zeros_like(x0)
        step[k] = eps
        grad[k] = (f(x0 + step) - f(x0 - step)) / (2 * eps)
    return grad


def curvature(func, args, v, h=1e-4) -> float:
    """``v @ H @ v`` by the second central difference along ``v``."""
    x0 = flat(args[0])
    f = along(func, args, args[0])
    return (f(x0 + h * v) - 2 * f(x0) + f(x0 - h * v)) / h**2


def direction(x0) -> np.ndarray:
    return np.random.default_rng(3).normal(size=flat(x0).size)


@pytest.mark.parametrize(("func", "args", "autograd_ok"), PARAMS)
def test_reverse_mode_matches_finite_differences(func, args, autograd_ok):
    want = central_differences(func, args)
    got = flat(tl.grad(func)(*args))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("func", "args", "autograd_ok"), PARAMS)
def test_forward_mode_matches_finite_differences(func, args, autograd_ok):
    v = direction(args[0])
    tangent = unflat(args[0], v)
    got = tl.jvp(func)(*args, tangent)
    np.testing.assert_allclose(
        got, central_differences(func, args) @ v, rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(("func", "args", "autograd_ok"), SECOND_ORDER)
def test_second_order_matches_finite_differences(func, args, autograd_ok):
    if not isinstance(args[0], np.ndarray):
        pytest.skip("hvp takes one array")
    v = direction(args[0])
    got = tl.hvp(func)(*args, v.reshape(np.shape(args[0])))
    want = curvature(func, args, v)
    np.testing.assert_allclose(np.ravel(got) @ v, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("func", "args", "autograd_ok"), PARAMS)
def test_matches_autograd(func, args, autograd_ok, monkeypatch):
    want = autograd_gradient(C, func, args, autograd_ok, monkeypatch)
    np.testing.assert_allclose(
        flat(tl.grad(func)(*args)), flat(want), rtol=1e-7, atol=1e-9
    )


def test_lgamma_takes_digamma_and_trigamma():
    """lgamma's first and second derivatives, against finite differences of
    math.lgamma itself (no SciPy: digamma and trigamma are written in NumPy)."""
    import math

    def f(a):
        return math.lgamma(a)

    for a in (0.2, 1.0, 3.7, 25.0, -1.3):
        h = 1e-5
        first = (math.lgamma(a + h) - math.lgamma(a - h)) / (2 * h)
        assert abs(tl.grad(f)(a) - first) < 1e-7 * max(1.0, abs(first))
        h = 1e-4
        second = (math.lgamma(a + h) - 2 * math.lgamma(a) + math.lgamma(a - h)) / h**2
        assert abs(tl.grad(tl.grad(f))(a) - second) < 1e-5 * max(1.0, abs(second))


def test_a_comprehension_reads_as_a_loop():
    src = tl.getsource(tl.grad(C.filtered_squares))
    assert "ys = []\n    for _k in range(len(x)):\n        v = x[_k]" in src
    assert "ys.append(_mul)" in src


def test_max_of_a_constant_iterable_is_what_python_computes():
    """``max`` of a dict (its keys) or a set that is not differentiated: the loop
    that picks the item runs over a list of its items."""

    def f(x, widths, names):
        return np.sum(x) * max(widths) * len(max(names)) * min({3.0, 2.0})

    x = np.array([1.0, 2.0])
    got = tl.grad(f)(x, [1.0, 4.0, 2.0], {"w": 1, "bias": 2})
    np.testing.assert_allclose(got, np.full(2, 4.0 * len("w") * 2.0))
