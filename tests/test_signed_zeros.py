"""The sign of a zero gradient: the subtract and divide templates give the
second operand ``-unbroadcast(g, y)``, so a zero ``g`` gives ``-0.0`` there, as
autograd (``lambda g: -g``) and JAX (``neg`` in ``sub``'s transpose) give it;
``-0.0 == 0.0``, and the optimized code keeps the same bits as the plain one."""

import numpy as np
import pytest

import tangentlike as tl

autograd = pytest.importorskip("autograd")
anp = autograd.numpy


def scaled_difference(x, y):
    return np.sum(0.0 * (x - y))


def scaled_quotient(x, y):
    return np.sum(0.0 * (x / y))


def clipped_difference(x, y):
    return np.sum(np.maximum(x - y, 5.0))  # below the clip: a zero gradient


def theirs(f):
    return {
        scaled_difference: lambda x, y: anp.sum(0.0 * (x - y)),
        scaled_quotient: lambda x, y: anp.sum(0.0 * (x / y)),
        clipped_difference: lambda x, y: anp.sum(anp.maximum(x - y, 5.0)),
    }[f]


X = np.array([1.0, 2.0])
Y = np.array([0.5, 3.0])


CASES = [
    (scaled_difference, (X, Y)),
    (scaled_difference, (1.0, 0.5)),  # Python floats: the scalar variant
    (scaled_quotient, (X, Y)),
    (clipped_difference, (X, Y)),
]


@pytest.mark.parametrize(("f", "args"), CASES, ids=lambda c: getattr(c, "__name__", ""))
@pytest.mark.parametrize("wrt", [0, 1])
def test_the_sign_of_a_zero_gradient_is_autograds(f, args, wrt):
    want = np.asarray(autograd.grad(theirs(f), wrt)(*args))
    for optimize in (True, False):
        got = np.asarray(tl.grad(f, wrt=wrt, optimize=optimize)(*args))
        np.testing.assert_array_equal(got, want)  # the values: all zeros
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
