"""The benchmark's workloads written as users write code: each hand-written
gradient agrees with central differences, and tangentlike's with both."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

USER_CODE = (
    "decay",
    "decay1k",
    "rk4",
    "softmax",
    "heat",
    "lstm",
    "gmm",
    "pairs",
    "sinsteps",
)


def _cases():
    from benchmarks.workloads import WORKLOADS

    for w in WORKLOADS:
        if w.name in USER_CODE:
            yield pytest.param(w, id=w.name)


def _probe(f, args, pos, rng, eps=1e-6):
    """One entry of the gradient w.r.t. ``args[pos]`` by central differences."""
    base = np.array(args[pos], dtype=float)
    idx = tuple(int(rng.integers(0, n)) for n in base.shape)
    values = []
    for step in (eps, -eps):
        moved = base.copy()
        moved[idx] += step
        a = list(args)
        a[pos] = moved if base.shape else float(moved)
        values.append(f(*a))
    return idx, (values[0] - values[1]) / (2 * eps)


@pytest.mark.parametrize("w", list(_cases()))
def test_hand_and_generated_gradients_agree_with_central_differences(w):
    args = w.make_args()
    wrt = w.wrt if isinstance(w.wrt, tuple) else (w.wrt,)
    value, hand = w.hand(*args)
    hand = hand if isinstance(hand, tuple) else (hand,)
    got_value, got = tl.value_and_grad(w.func, w.wrt)(*args)
    got = got if isinstance(got, tuple) else (got,)
    assert got_value == pytest.approx(value, rel=1e-12)
    assert value == pytest.approx(w.func(*args), rel=1e-12)
    rng = np.random.default_rng(3)
    for pos, h, g in zip(wrt, hand, got):
        np.testing.assert_allclose(g, h, rtol=1e-9, atol=1e-12)
        for _ in range(3):
            idx, fd = _probe(w.func, args, pos, rng)
            assert np.asarray(h)[idx] == pytest.approx(fd, rel=1e-4, abs=1e-6)
    if w.name in ("decay", "gmm"):
        full = numerical_grad(w.func, args, wrt[0])
        np.testing.assert_allclose(got[0], full, rtol=1e-5, atol=1e-7)
