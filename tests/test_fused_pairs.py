"""Squared distances between the rows of two matrices, written out with
``x[:, None, :] - y[None, :, :]`` and summed over the last axis, take their own
gradient (no pass over the differences), right against finite differences and
autograd in both modes and differentiated again; patterns with anything changed
in between keep the chain rule, and shapes the short form cannot take are refused."""

import numpy as np
import pytest

import tangentlike as tl
from benchmarks.workloads import gmm, pair_energy
from tangentlike.api.check import numerical_grad

RNG = np.random.default_rng(11)
X = RNG.normal(size=(6, 3))
MU = RNG.normal(size=(4, 3))
FUSED = "pairwise_weights("


def energy_squared(x, mu):
    d = x[:, None, :] - x[None, :, :]
    r2 = np.sum(d**2, axis=2) + 1.0
    return np.sum(np.log(r2) * np.arange(6.0)[:, None])  # not symmetric in i, j


def cross_weighted(x, mu):
    d = x[:, None, :] - mu[None, :, :]
    sq = np.sum(d * d, axis=-1)
    return np.sum(np.exp(-0.5 * sq) * np.arange(1.0, 5.0))


def differences_read_again(x, mu):
    d = x[:, None, :] - mu[None, :, :]
    sq = np.sum(d * d, axis=-1)
    return np.sum(sq * sq) + np.sum(np.sin(d))  # d read elsewhere too


def summed_over_points(x, mu):
    d = x[:, None, :] - mu[None, :, :]
    return np.sum(np.sum(d * d, axis=0) ** 2)  # another axis: the chain rule


def differences_rebound(x, mu):
    d = x[:, None, :] - mu[None, :, :]
    sq_first = d * d
    d = d * 2.0
    return np.sum(np.sum(sq_first, axis=-1) * np.sum(d, axis=-1))


def mu_changes_in_between(x, mu):
    d = x[:, None, :] - mu[None, :, :]
    dd = d * d
    mu = mu * 3.0
    return np.sum(np.sum(dd, axis=-1) @ mu)


CASES = [
    (pair_energy, True),  # the benchmark's, as users write it
    (gmm, True),
    (energy_squared, True),
    (cross_weighted, True),
    (differences_read_again, True),
    (summed_over_points, False),
    (differences_rebound, False),
    (mu_changes_in_between, False),  # the short form would read the new mu
]


def _args(f):
    if f is pair_energy:
        return (X,)
    if f is gmm:
        return (MU, X, RNG.normal(size=4))
    return (X, MU)


@pytest.mark.parametrize("f, fused", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_gradients_and_tangents_match_finite_differences(f, fused):
    args = _args(f)
    for wrt in range(min(len(args), 2)):
        want = numerical_grad(f, args, wrt)
        df = tl.grad(f, wrt)
        np.testing.assert_allclose(df(*args), want, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(
            tl.grad(f, wrt, optimize=False)(*args), want, rtol=1e-6, atol=1e-8
        )
        v = RNG.normal(size=args[wrt].shape)
        tangent = tl.jvp(f, wrt)(*args, v)
        assert tangent == pytest.approx(np.sum(want * v), rel=1e-6, abs=1e-8)
        if wrt == 0:
            assert (FUSED in tl.getsource(df, args=args)) is fused


def test_the_gradient_makes_no_array_of_the_differences_shape():
    source = tl.getsource(tl.grad(pair_energy), args=(X,))
    assert "bd" not in source and "b_mul" not in source
    assert "bx = 2.0 * (np.sum(_g, axis=1)[:, None] * x - _g @ x)" in source


def test_against_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")

    def cross_ag(x, mu):
        d = x[:, None, :] - mu[None, :, :]
        return anp.sum(anp.exp(-0.5 * anp.sum(d * d, axis=-1)) * anp.arange(1.0, 5.0))

    for wrt in (0, 1):
        got = tl.grad(cross_weighted, wrt)(X, MU)
        want = autograd.grad(cross_ag, wrt)(X, MU)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("f", [pair_energy, cross_weighted])
def test_second_order_against_differences_of_the_gradient(f):
    args = _args(f)
    v = RNG.normal(size=X.shape)
    hvp = tl.hvp(f)(*args, v)
    g = tl.grad(f)
    eps = 1e-6
    fd = (g(X + eps * v, *args[1:]) - g(X - eps * v, *args[1:])) / (2 * eps)
    np.testing.assert_allclose(hvp, fd, rtol=1e-5, atol=1e-8)


def test_float32_stays_float32():
    x = X.astype(np.float32)
    got = tl.grad(pair_energy)(x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, numerical_grad(pair_energy, (X,), 0), rtol=1e-4)


@pytest.mark.parametrize(
    "x, mu",
    [
        (RNG.normal(size=(4, 2, 3)), RNG.normal(size=(5, 2, 3))),  # three axes
        (RNG.normal(size=(4, 3)), RNG.normal(size=(5, 1))),  # columns broadcast
    ],
)
def test_shapes_the_short_form_cannot_take_are_refused(x, mu):
    cross_weighted_any = tl.grad(_cross_sum)
    with pytest.raises(tl.TangentlikeError, match="np.square"):
        cross_weighted_any(x, mu)


def _cross_sum(x, mu):
    d = x[:, None, :] - mu[None, :, :]
    return np.sum(np.sum(d * d, axis=-1) ** 2)


def test_np_square_keeps_the_chain_rule_for_other_shapes():
    def squares(x, mu):
        d = x[:, None, :] - mu[None, :, :]
        return np.sum(np.sum(np.square(d), axis=-1) ** 2)

    x, mu = RNG.normal(size=(4, 2, 3)), RNG.normal(size=(5, 2, 3))
    got = tl.grad(squares)(x, mu)
    np.testing.assert_allclose(got, numerical_grad(squares, (x, mu), 0), rtol=1e-6)
