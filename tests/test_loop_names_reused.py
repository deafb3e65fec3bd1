"""A loop variable's name used again by a later loop over constants (``for v in
xs`` over values to differentiate, then ``for v in cs``), as users write loops:
the later loop's gradient of ``v`` goes nowhere and must not reach the earlier
loop's ``v``.  Found by the wide fuzzer's slow run (seed 3550), where it gave a
silently wrong gradient.  Checked against central differences."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad


def reused_over_constants(a):
    xs = [a, a * 2.0]
    acc = 0.0
    for v in xs:
        acc = acc + np.sin(v)
    cs = [np.ones(3), 2.0 * np.ones(3)]
    total = acc * 1.0
    for v in cs:
        total = total + np.sin(v) * total
    return np.sum(total**2)


def reused_with_enumerate(a):
    acc = a * 0.5
    for k, v in enumerate([a, np.cos(a)]):
        acc = acc + v * (k + 0.5)
    out = np.log(1.0 + acc * acc)
    for k, v in enumerate([np.full(3, 0.5), np.full(3, 2.0)]):
        out = out * 0.5 + np.sin(v) * (k + 1.0)
    return np.sum(out)


CASES = [reused_over_constants, reused_with_enumerate]
A = np.array([0.5, -1.2, 0.8])


@pytest.mark.parametrize("f", CASES)
@pytest.mark.parametrize("optimize", [True, False])
def test_reverse_mode(f, optimize):
    got = tl.grad(f, optimize=optimize)(A.copy())
    np.testing.assert_allclose(got, numerical_grad(f, [A], 0), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("f", CASES)
def test_forward_mode(f):
    v = np.array([1.0, 0.5, -2.0])
    want = numerical_grad(f, [A], 0)
    np.testing.assert_allclose(tl.jvp(f)(A.copy(), v), want @ v, rtol=1e-6)


def hessian_fd(f, x, h=1e-4):
    """The Hessian of scalar ``f`` by central differences of central differences,
    in float64."""
    n = x.size
    hess = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            hess[i, j] = (
                f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)
            ) / (4 * h * h)
    return hess


W = np.array([0.7, -0.4, 1.3])
D_CASES = {f: tl.grad(f) for f in CASES}


def weighted_gradient(f):
    """``a -> sum(grad(f)(a) * W)``, whose gradient is the Hessian times ``W``
    (reverse over reverse)."""
    df = D_CASES[f]

    def g(a):
        return np.sum(df(a) * W)

    return g


@pytest.mark.parametrize("f", CASES)
def test_second_order(f):
    """The gradient's code carries the later loop's zeros of ``v`` into the
    earlier loop, which puts them in a list and makes new zeros: the alias check
    on that code, differentiated again, must not take them for one array."""
    v = np.array([1.0, 0.5, -2.0])
    hess = hessian_fd(f, A)
    np.testing.assert_allclose(tl.hvp(f)(A.copy(), v), hess @ v, rtol=1e-5)
    got = tl.grad(weighted_gradient(f))(A.copy())
    np.testing.assert_allclose(got, hess @ W, rtol=1e-5)


def appended_then_updated(a):
    g = a * 1.0
    xs = []
    for _ in range(3):
        g += a  # from the second turn on, the array the list holds
        xs.append(g)
    return np.sum(np.stack(xs) ** 2)


def test_an_update_a_later_turn_makes_is_still_refused():
    """Each loop's first turn followed apart from the later ones: an in-place
    update the list sees from the second turn on is still found."""
    with pytest.raises(tl.UnsupportedSyntaxError, match="in-place update of `g`"):
        tl.grad(appended_then_updated)(A.copy())
