"""A copy whose slice is overwritten by an update of that slice (a stencil's
step): the variant takes the gradient through both as one array, bit for bit
what the statements it replaces give, and right against central differences."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

RNG = np.random.default_rng(9)


def stencil(u0, kappa):
    u = u0
    for _ in range(4):
        lap = u[:-2] - 2.0 * u[1:-1] + u[2:]
        u_new = u.copy()
        u_new[1:-1] = u[1:-1] + kappa * lap
        u = u_new
    return np.sum(u * u * np.arange(u.shape[0]))


def stencil_2d(u0, kappa):
    u = u0
    for _ in range(3):
        lap = (
            u[:-2, 1:-1]
            + u[2:, 1:-1]
            + u[1:-1, :-2]
            + u[1:-1, 2:]
            - 4.0 * u[1:-1, 1:-1]
        )
        u_new = u.copy()
        u_new[1:-1, 1:-1] = u[1:-1, 1:-1] + kappa * lap
        u = u_new
    return np.sum(np.sin(u))


def strided(u0, kappa):
    u = u0
    for _ in range(3):
        u_new = u.copy()
        u_new[::2] = u[::2] * kappa + u[1::2]  # another slice read too
        u = u_new
    return np.sum(u**3)


@pytest.mark.parametrize(
    "f, shape, merged",
    [(stencil, (9,), True), (stencil_2d, (6, 5), True), (strided, (8,), False)],
    ids=["stencil", "stencil_2d", "strided"],
)
def test_the_variant_matches_central_differences_and_the_general_code(f, shape, merged):
    args = (RNG.normal(size=shape), 0.2)
    df = tl.grad(f, wrt=(0, 1))
    got = df(*args)
    for g, i in zip(got, (0, 1)):
        np.testing.assert_allclose(g, numerical_grad(f, args, i), rtol=1e-6, atol=1e-8)
    general = tl.grad(f, wrt=(0, 1), optimize=False)(*args)
    for g, h in zip(got, general):
        assert np.array_equal(np.asarray(g), np.asarray(h))  # the same bits
    source = tl.getsource(df, args=args)
    assert ("bu = bu_new" in source) is merged


def test_negative_zeros_come_out_as_the_statements_replaced_give_them():
    u0 = np.array([0.0, -0.0, 1.0, -0.0, 2.0, 0.0])
    got = tl.grad(stencil)(u0, 0.0)
    want = tl.grad(stencil, optimize=False)(u0, 0.0)
    assert np.array_equal(np.signbit(got), np.signbit(want))
    np.testing.assert_array_equal(got, want)
