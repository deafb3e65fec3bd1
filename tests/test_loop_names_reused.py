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


@pytest.mark.xfail(
    raises=tl.UnsupportedSyntaxError,
    strict=True,
    reason="the alias check on the gradient's code takes the later loop's zeros, "
    "carried into the earlier loop's += of v, for the array add_at put in the list",
)
@pytest.mark.parametrize("f", CASES)
def test_second_order(f):
    v = np.array([1.0, 0.5, -2.0])
    vhv = tl.hvp(f)(A.copy(), v) @ v
    h = 1e-3
    want_vhv = (f(A + h * v) - 2.0 * f(A) + f(A - h * v)) / (h * h)
    np.testing.assert_allclose(vhv, want_vhv, rtol=1e-5)
