"""The Python people write beyond arithmetic and loops (tests/corpus_syntax.py),
in both modes and to second order, against finite differences and autograd."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

from . import corpus_syntax as C
from .corpus_tools import autograd_gradient

PARAMS = [
    pytest.param(func, args, ok, id=f"{func.__name__}-{k}")
    for k, (func, args, ok) in enumerate(C.CORPUS)
]


@pytest.mark.usefixtures("debug_checks")
@pytest.mark.parametrize(("func", "args", "autograd_ok"), PARAMS)
def test_both_modes_match_finite_differences(func, args, autograd_ok):
    want = numerical_grad(func, list(args), 0)
    np.testing.assert_allclose(tl.grad(func)(*args), want, rtol=1e-5, atol=1e-6)
    v = np.ones_like(np.asarray(args[0], dtype=float))
    v = float(v) if v.ndim == 0 else v
    got = tl.jvp(func)(*args, v)
    np.testing.assert_allclose(got, np.sum(want * v), rtol=1e-5, atol=1e-6)


@pytest.mark.usefixtures("debug_checks")
@pytest.mark.parametrize(("func", "args", "autograd_ok"), PARAMS)
def test_second_order(func, args, autograd_ok):
    tl.check_grads(func, args, modes=("reverse", "forward"), order=2)


@pytest.mark.parametrize(("func", "args", "autograd_ok"), PARAMS)
def test_matches_autograd(func, args, autograd_ok, monkeypatch):
    want = autograd_gradient(C, func, args, autograd_ok, monkeypatch)
    np.testing.assert_allclose(tl.grad(func)(*args), want, rtol=1e-7, atol=1e-9)


def reads_a_partial_value(x):
    try:
        a = x * 2.0
        y = np.log(a)
    except FloatingPointError:
        y = a
    return np.sum(y)


def test_a_value_the_body_may_leave_half_done_is_refused():
    with pytest.raises(tl.UnsupportedSyntaxError, match="`a`, set in the try body"):
        tl.grad(reads_a_partial_value)


def returns_in_try_finally(x):
    try:
        return np.sum(x * x)
    finally:
        print("done")


def test_a_return_in_try_finally_is_refused():
    with pytest.raises(tl.UnsupportedSyntaxError, match="inside try ... finally"):
        tl.grad(returns_in_try_finally)


def _scaled(x, scale=1.0):
    return np.sum(x) * scale


def spreads_a_value_to_differentiate(x):
    opts = dict(scale=x[0])  # not a literal: bound when the call runs
    return _scaled(x, **opts)


def test_a_value_to_differentiate_spread_into_named_parameters_is_refused():
    with pytest.raises(tl.TangentlikeError, match="`opts`, a value to differentiate"):
        tl.grad(spreads_a_value_to_differentiate)


class _Swallow:
    """A context of the user's own that suppresses every error."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return True


def in_a_context_of_the_user(x):
    y = x * 1.0
    with _Swallow():
        y = x * 3.0
        if x[0] > 0.0:
            raise ValueError("stop here")
        y = y * y
    return np.sum(y)


def test_a_context_that_stops_its_body_is_caught_when_it_runs():
    """An unknown context runs the adjoint after its body only if the body ran to
    its end; forward mode computes tangents beside values, and is exact."""
    good, stopped = -np.ones(3), np.ones(3)
    want = numerical_grad(in_a_context_of_the_user, [good], 0)
    np.testing.assert_allclose(tl.grad(in_a_context_of_the_user)(good), want, atol=1e-6)
    with pytest.raises(tl.UnsupportedDerivativeError, match="stopped it part way"):
        tl.grad(in_a_context_of_the_user)(stopped)
    got = tl.jvp(in_a_context_of_the_user)(stopped, np.ones(3))
    want = np.sum(numerical_grad(in_a_context_of_the_user, [stopped], 0))
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_regions_stay_in_the_generated_code():
    src = tl.getsource(tl.grad(C.try_falls_back))
    assert "try:" in src and "except np.linalg.LinAlgError:" in src
    assert "if _caught == 0:" in src
    src = tl.getsource(tl.grad(C.with_errstate))
    assert src.count("with np.errstate(divide='ignore', invalid='ignore'):") == 2
    assert src == tl.getsource(tl.grad(C.with_errstate))


def test_star_args_reach_the_helper():
    """A helper's ``*args`` is one tuple in the generated code (it was silently
    differentiated to zero)."""
    src = tl.getsource(tl.grad(C.star_args_helper))
    assert "def _fwd__sum_squares(arrays):" in src
    assert "_fwd__sum_squares((x, _mul))" in src


def test_top_level_star_args_and_keywords():
    """A function's ``*args`` is one parameter, a tuple: its gradient is a tuple."""

    def total(*xs, scale=2.0, **kw):
        s = 0.0
        for v in xs:
            s = s + np.sum(v * v)
        return s * scale * kw["gain"]

    a, b = np.array([1.0, 2.0]), np.array([3.0])
    ga, gb = tl.grad(total)(a, b, gain=0.5)
    np.testing.assert_allclose(ga, 2.0 * a)
    np.testing.assert_allclose(gb, 2.0 * b)
    assert tl.grad(total, wrt="scale")(a, b, scale=3.0, gain=1.0) == 14.0
    assert tl.grad(total, wrt="kw")(a, b, gain=2.0) == {"gain": 28.0}
    twice = tl.grad(tl.grad(total, wrt="scale"), wrt="scale")
    assert twice(a, b, scale=3.0, gain=1.0) == 0.0
    assert tl.jvp(total, wrt="xs")(a, b, (a, b), gain=1.0) == 56.0
