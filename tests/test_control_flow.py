"""Reverse mode on the Python people write: the corpus against finite differences and autograd."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

from . import corpus_control as C

autograd = pytest.importorskip("autograd")  # absent on some machines: skip, not fail
anp = pytest.importorskip("autograd.numpy")


def _params():
    for k, (func, args, autograd_ok, todo) in enumerate(C.CORPUS):
        marks = (
            [pytest.mark.xfail(reason=f"not supported yet: {todo}", strict=True)]
            if todo
            else []
        )
        yield pytest.param(
            func, args, autograd_ok, id=f"{func.__name__}-{k}", marks=marks
        )


PARAMS = list(_params())


@pytest.mark.usefixtures("debug_checks")
@pytest.mark.parametrize(("func", "args", "autograd_ok"), PARAMS)
def test_matches_finite_differences(func, args, autograd_ok):
    got = tl.grad(func)(*args)
    want = numerical_grad(func, list(args), 0)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("func", "args", "autograd_ok"), PARAMS)
def test_matches_autograd(func, args, autograd_ok, monkeypatch):
    if not autograd_ok:
        pytest.skip("autograd cannot run in-place assignment")
    got = tl.grad(func)(*args)
    monkeypatch.setattr(C, "np", anp)
    try:
        want = autograd.grad(func)(*args)
    except Exception as exc:  # noqa: BLE001 - autograd's own limits
        pytest.skip(f"autograd cannot run it: {type(exc).__name__}")
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)


def test_loops_stay_loops():
    src = tl.getsource(tl.grad(C.break_in_loop))
    assert "for i in reversed(range(" in src
    assert " break\n" not in src and " continue\n" not in src


def test_rnn_saves_per_iteration():
    """Only what the adjoint reads is pushed: the tanh output, once an iteration
    (the state before the step is the previous iteration's output)."""
    src = tl.getsource(tl.grad(C.rnn_like))
    assert src.count("_stack.append(") == 1
    assert src.count("_stack.pop()") == 1


def test_zero_trip_while_and_range():
    assert tl.grad(C.while_loop)(5.0) == 1.0
    assert tl.grad(C.range_loop)(0.3, 0) == 1.0


def test_out_of_scope_constructs_listed_together():
    def f(x):
        global G
        y, *rest = x
        del rest[0]
        return y

    with pytest.raises(tl.TangentlikeError) as info:
        tl.grad(f)
    message = str(info.value)
    for what in ("global statement", "starred target", "del of an item"):
        assert what in message
    assert "test_control_flow.py" in message


def overwrite_in_loop_then_read(a, b):
    t = a * 2.0 / (1.0 + (a[-1] + b) ** 2)
    for i in range(3):
        t[-1] = np.exp(np.sin(a[i]))
    for i in range(3):
        t[i] += np.sum(a * a)
    return np.sum(a / (1.0 + t * t))


def test_values_overwritten_in_a_loop_are_restored_per_iteration():
    a, b = np.array([0.17, -0.6, 0.64]), 0.54
    tl.check_grads(
        overwrite_in_loop_then_read, (a, b), wrt=(0, 1), modes=("reverse", "forward")
    )


def rebound_parameter(a, b):
    a = np.mean(np.ones(3))
    for _ in range(2):
        b = np.cos(a) * b
    return np.sum(b)


def test_a_parameter_rebound_before_use_gets_zeros_of_its_shape():
    """Found by the fuzzer: the zeros took the rebound value's shape, and an
    in-place update of a gradient nothing reads lost its initialisation."""
    a, b = np.ones((2, 3)), np.array([0.5, -0.2])
    ga, gb = tl.grad(rebound_parameter, wrt=(0, 1))(a, b)
    assert ga.shape == (2, 3) and not ga.any()
    np.testing.assert_allclose(
        gb, numerical_grad(rebound_parameter, [a, b], 1), atol=1e-8
    )
    for optimize in (True, False):
        assert tl.grad(rebound_parameter, optimize=optimize)(0.3, 0.5) == 0.0
