"""float32 in, float32 worked out: the gradient of the seed of a reduction
(``unreduce(1.0, x)``) is broadcast in ``x``'s dtype, as the Python float it
is, so the general code and the code compiled for known shapes (which uses the
number itself) agree to the bit, and neither is worked out in float64.
Gradients checked against central differences of the float64 function."""

import numpy as np
import pytest

import tangentlike as tl
from benchmarks.workloads import rk4

K = np.array([10.0, 28.0, 8.0 / 3.0])
S0 = np.array([1.0, 1.0, 1.0])


def squares(x, w):
    return np.sum(np.tanh(x * w) ** 2) * 0.5


def central(f, args, i, h=1e-6):
    args = [np.asarray(a, dtype=np.float64) for a in args]
    out = np.zeros(args[i].shape)
    for k in np.ndindex(out.shape):
        step = np.zeros(out.shape)
        step[k] = h
        up, down = list(args), list(args)
        up[i], down[i] = args[i] + step, args[i] - step
        out[k] = (f(*up) - f(*down)) / (2 * h)
    return out


SQUARES = (np.linspace(-1.0, 1.0, 5), np.linspace(0.5, 1.5, 5))


@pytest.mark.parametrize(
    ("f", "args", "wrt", "rtol"),
    [
        (squares, SQUARES, 0, 1e-5),
        (squares, SQUARES, 1, 1e-5),
        (rk4, (K, S0), 0, 1e-3),  # the benchmark's: 200 steps of float32 rounding
    ],
    ids=["squares-x", "squares-w", "rk4"],
)
def test_float32_gradients_agree_to_the_bit(f, args, rtol, wrt):
    single = tuple(a.astype(np.float32) for a in args)
    variant = tl.grad(f, wrt=wrt)(*single)  # the code compiled for these shapes
    general = tl.grad(f, wrt=wrt, optimize=False)(*single)
    named = dict(zip(("x", "w") if f is squares else ("k", "s0"), single))
    keywords = tl.grad(f, wrt=wrt)(**named)  # the optimized general code
    assert variant.dtype == general.dtype == keywords.dtype == np.float32
    np.testing.assert_array_equal(variant, general)
    np.testing.assert_array_equal(keywords, general)
    want = central(f, args, wrt)
    np.testing.assert_allclose(variant, want, rtol=rtol, atol=rtol)
