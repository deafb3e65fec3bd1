"""Lists popped and arrays double-buffered, in both modes and to second order:
``v = lst.pop()`` in the user's code, ``grad(grad(f))`` of code that appends (its
gradient pops), and the time stepper's ``u_prev = u; u = u_next`` with
``u_next`` made anew each step and updated in place.  Checked against central
finite differences (and autograd where it runs)."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad


def popped(x):
    stack = [x, 2 * x, np.sin(x)]
    a = stack.pop()
    b = stack.pop()
    stack.pop()
    stack.append(a * b)
    return np.sum(stack[0] ** 2)


def appended(x):
    out = []
    for i in range(3):
        out.append(x * i)
    return sum(out) ** 2


def stacked(x):
    out = []
    for i in range(3):
        out.append(np.sin(x * i))
    return np.sum(np.stack(out) ** 2)


def twice(x):
    return stacked(x) * 2.0


def wave(c, u0):
    u_prev = u0.copy()
    u = u0.copy()
    for _ in range(4):
        u_next = np.zeros_like(u)
        u_next[1:-1] = 2 * u[1:-1] - u_prev[1:-1] + c * (u[2:] - 2 * u[1:-1] + u[:-2])
        u_prev = u
        u = u_next
    return np.sum(u**2)


def clamped(c, u0):
    u_prev = u0
    u = u0
    for _ in range(4):
        u_next = 2 * u - u_prev + c * np.roll(u, 1)
        u_next[0] = 0.0
        u_prev = u
        u = u_next
    return np.sum(u**2)


X = np.array([0.3, 1.2])
U0 = np.sin(np.linspace(0.0, 3.0, 6))


def test_pop_in_both_modes_and_second_order():
    expected = numerical_grad(popped, (X,), 0)
    np.testing.assert_allclose(tl.grad(popped)(X), expected, rtol=1e-6)
    v = np.array([1.0, -0.5])
    np.testing.assert_allclose(tl.jvp(popped)(X, v), expected @ v, rtol=1e-6)
    df = tl.grad(popped)
    for k in range(2):
        row = numerical_grad(lambda x, k=k: df(x)[k], (X,), 0)
        np.testing.assert_allclose(tl.hessian(popped)(X)[k], row, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f", [appended, stacked, twice])
def test_grad_of_grad_through_appends(f):
    df = tl.grad(f)
    expected = numerical_grad(df, (1.5,), 0)
    assert tl.grad(df)(1.5) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("f", [stacked, twice])
def test_hvp_through_appends(f):
    df = tl.grad(f)
    v = np.array([1.0, -2.0])
    expected = sum(
        numerical_grad(lambda x, k=k: df(x)[k], (X,), 0) * v[k] for k in range(2)
    )
    np.testing.assert_allclose(tl.hvp(f)(X, v), expected, rtol=1e-5)


@pytest.mark.parametrize("f", [wave, clamped])
def test_a_double_buffered_time_stepper(f):
    expected = numerical_grad(f, (0.1, U0), 0)
    assert tl.grad(f)(0.1, U0) == pytest.approx(expected, rel=1e-6)
    assert tl.jvp(f)(0.1, U0, 1.0) == pytest.approx(expected, rel=1e-6)
    np.testing.assert_allclose(
        tl.grad(f, wrt=1)(0.1, U0), numerical_grad(f, (0.1, U0), 1), rtol=1e-6
    )


def leapfrog(c, u):
    u_prev = u
    for _ in range(4):
        u_next = 2 * u - u_prev + c * np.roll(u, 1)
        u_prev = u
        u = u_next
    return np.sum(u**2)


def test_autograd_agrees_on_the_stepper_without_item_assignment():
    autograd = pytest.importorskip("autograd")
    anp = autograd.numpy

    def theirs(c):
        u_prev = u = U0
        for _ in range(4):
            u_prev, u = u, 2 * u - u_prev + c * anp.roll(u, 1)
        return anp.sum(u**2)

    assert tl.grad(leapfrog)(0.1, U0) == pytest.approx(autograd.grad(theirs)(0.1))
