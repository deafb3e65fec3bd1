"""The softmax written out, with or without its max shift, and its logarithm take
their own derivatives (two passes where the chain rule takes a dozen), right
against finite differences and autograd in both modes; patterns with anything
changed in between, or another shift, keep the chain rule."""

import re

import numpy as np
import pytest

import tangentlike as tl
from benchmarks.workloads import softmax_xent as xent_indexed
from tangentlike.api.check import numerical_grad

RNG = np.random.default_rng(7)
Z = RNG.normal(size=(5, 4)) * 3.0
LABELS = np.array([0, 3, 1, 1, 2])
ONE_HOT = np.eye(4)[LABELS]


def xent_one_hot(z, y):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    p = e / np.sum(e, axis=-1, keepdims=True)
    return -np.sum(y * np.log(p))


def unshifted_columns(z, y):
    e = np.exp(z)
    p = e / np.sum(e, axis=0, keepdims=True)
    return np.sum(p * p * y.T[:4, :5].T)


def softmax_reused(z, y):
    zmax = np.max(z, axis=1, keepdims=True)
    e = np.exp(z - zmax)
    s = np.sum(e, axis=1, keepdims=True)
    p = e / s
    return np.sum(p * y) + np.sum(np.log(s) + zmax)  # e, s and zmax read again


def shifted_by_another_axis(z, y):
    m = np.max(z, axis=0, keepdims=True)  # not the axis summed: no softmax
    e = np.exp(z - m)
    p = e / np.sum(e, axis=1, keepdims=True)
    return np.sum(p * y)


def z_changes_in_between(z, y):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    z = z * 2.0
    p = e / np.sum(e, axis=1, keepdims=True)
    return np.sum(p * y * z)


def picked_twice(z, y):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    p = e / np.sum(e, axis=1, keepdims=True)
    rows = np.array([0, 0, 2, 4, 4, 4])  # a place picked twice, rows picked unevenly
    cols = np.array([1, 1, 3, 0, 2, 2])
    return np.sum(np.log(p[rows, cols]) * np.arange(1.0, 7.0))


def picked_columns(z, y):
    e = np.exp(z)
    p = e / np.sum(e, axis=0, keepdims=True)
    return -np.sum(np.log(p[1:3, :]))  # picked by a slice: the chain rule


def labels_change_in_between(z, y):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    p = e / np.sum(e, axis=1, keepdims=True)
    labels = np.arange(5) % 4
    picked = p[np.arange(5), labels]
    labels = labels[::-1]
    return -np.sum(np.log(picked) * labels)


def updated_in_place(z, y):
    e = np.exp(z)
    e[0, 0] = 1.0
    p = e / np.sum(e, axis=1, keepdims=True)
    return np.sum(p * y)


CASES = [
    (xent_indexed, LABELS, True),  # the benchmark's, as users write it
    (xent_one_hot, ONE_HOT, True),
    (unshifted_columns, ONE_HOT, True),
    (softmax_reused, ONE_HOT, True),
    (shifted_by_another_axis, ONE_HOT, False),
    (z_changes_in_between, ONE_HOT, False),
    (updated_in_place, ONE_HOT, False),
    (picked_twice, ONE_HOT, True),
    (picked_columns, ONE_HOT, True),  # the softmax's own, then the slice's
    (labels_change_in_between, ONE_HOT, True),
]
SHORT_FORMS = (
    r"bz = (bz \+ |np\.add\(bz, )?p \* \(bp - np\.",  # the softmax
    r"bz = b_log - p \* np\.",  # log-softmax
    r"bz = add_at\(p \* -_total, p, ",  # log-softmax picked
)


def checked_source(f, y) -> str:
    """The variant's source of ``f``'s gradient in ``Z``, once the gradient (with
    and without the optimizer) and the tangent agree with finite differences."""
    want = numerical_grad(f, (Z, y), 0)
    df = tl.grad(f)
    np.testing.assert_allclose(df(Z, y), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(
        tl.grad(f, optimize=False)(Z, y), want, rtol=1e-6, atol=1e-8
    )
    v = RNG.normal(size=Z.shape)
    tangent = tl.jvp(f)(Z, y, v)
    assert tangent == pytest.approx(np.sum(want * v), rel=1e-6, abs=1e-8)
    return tl.getsource(df, args=(Z, y))


@pytest.mark.parametrize("f, y, fused", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_gradients_and_tangents_match_finite_differences(f, y, fused):
    source = checked_source(f, y)
    in_z = re.search("|".join(SHORT_FORMS), source)
    assert bool(in_z) is fused


def test_cross_entropy_against_autograd_and_the_closed_form():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")

    def xent_ag(z, y):
        e = anp.exp(z - anp.max(z, axis=-1, keepdims=True))
        p = e / anp.sum(e, axis=-1, keepdims=True)
        return -anp.sum(y * anp.log(p))

    got = tl.grad(xent_one_hot)(Z, ONE_HOT)
    np.testing.assert_allclose(got, autograd.grad(xent_ag)(Z, ONE_HOT), rtol=1e-12)
    e = np.exp(Z - Z.max(1, keepdims=True))
    np.testing.assert_allclose(got, e / e.sum(1, keepdims=True) - ONE_HOT, atol=1e-14)


@pytest.mark.parametrize(
    "f, picked",
    [
        (xent_indexed, True),
        (picked_twice, True),
        (picked_columns, False),
        (labels_change_in_between, False),
    ],
    ids=lambda c: getattr(c, "__name__", ""),
)
def test_log_softmax_picked_takes_its_short_form(f, picked):
    labels = LABELS if f is xent_indexed else ONE_HOT
    source = checked_source(f, labels)
    assert ("bz = add_at(p * -_total, p, " in source) is picked
    assert bool(re.search(r"\bbp\b", source)) is not picked  # none through p


def test_picked_cross_entropy_against_autograd_and_the_closed_form():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")

    def xent_ag(z, labels):
        e = anp.exp(z - anp.max(z, axis=1, keepdims=True))
        p = e / anp.sum(e, axis=1, keepdims=True)
        return -anp.sum(anp.log(p[anp.arange(z.shape[0]), labels])) / z.shape[0]

    got = tl.grad(xent_indexed)(Z, LABELS)
    np.testing.assert_allclose(got, autograd.grad(xent_ag)(Z, LABELS), rtol=1e-12)
    e = np.exp(Z - Z.max(1, keepdims=True))
    want = (e / e.sum(1, keepdims=True) - ONE_HOT) / len(LABELS)
    np.testing.assert_allclose(got, want, atol=1e-15)


def test_second_order_through_the_picked_log_softmax():
    v = RNG.normal(size=Z.shape)
    hvp = tl.hvp(xent_indexed)(Z, LABELS, v)
    g = tl.grad(xent_indexed)
    eps = 1e-6
    fd = (g(Z + eps * v, LABELS) - g(Z - eps * v, LABELS)) / (2 * eps)
    np.testing.assert_allclose(hvp, fd, rtol=1e-5, atol=1e-8)


def test_large_logits_stay_finite():
    z = np.array([[600.0, 0.0, -100.0], [0.0, 700.0, 1.0]])
    y = np.eye(3)[[0, 1]]
    got = tl.grad(xent_one_hot)(z, y)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], atol=1e-12)


def test_second_order_through_the_softmax():
    hvp = tl.hvp(xent_one_hot)(Z, ONE_HOT, np.ones_like(Z))
    g = tl.grad(xent_one_hot)
    eps = 1e-6
    fd = (g(Z + eps, ONE_HOT) - g(Z - eps, ONE_HOT)) / (2 * eps)
    np.testing.assert_allclose(hvp, fd, rtol=1e-5, atol=1e-8)


def lse_rows(z, y):
    m = np.max(z, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(z - m), axis=1))
    return np.sum(lse * y[:, 0])


def lse_kept(z, y):
    m = np.max(z, axis=-1, keepdims=True)
    lse = np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True)) + m
    return np.sum(lse * y[:, :1])


def lse_columns(z, y):
    m = np.max(z, axis=0, keepdims=True)
    return np.sum(m[0] + np.log(np.sum(np.exp(z - m), axis=0)))


def lse_last_axis(z, y):
    m = np.max(z, axis=-1, keepdims=True)
    return np.sum(m[..., 0] + np.log(np.sum(np.exp(z - m), axis=-1)))


def lse_other_shift(z, y):
    m = np.mean(z, axis=1, keepdims=True)  # not the maximum: the chain rule
    return np.sum(m[:, 0] + np.log(np.sum(np.exp(z - m), axis=1)))


def lse_wrong_column(z, y):
    m = np.max(z, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(z - m), axis=0))  # another axis summed
    return np.sum(lse)


LSE_CASES = [
    (lse_rows, True),
    (lse_kept, True),
    (lse_columns, True),
    (lse_last_axis, True),
    (lse_other_shift, False),
]


@pytest.mark.parametrize(
    "f, fused", LSE_CASES, ids=lambda c: getattr(c, "__name__", "")
)
def test_log_sum_exp_takes_the_softmax_weights(f, fused):
    source = checked_source(f, ONE_HOT)
    assert ("_hit" not in source and "bm" not in source) is fused


def test_log_sum_exp_summed_along_another_axis_is_refused_by_numpy():
    with pytest.raises(ValueError):
        lse_wrong_column(Z, ONE_HOT)  # shapes (5,) and (4,): no pattern to take


def test_log_sum_exp_against_autograd_and_second_order():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")

    def lse_ag(z, y):
        m = anp.max(z, axis=1, keepdims=True)
        lse = m[:, 0] + anp.log(anp.sum(anp.exp(z - m), axis=1))
        return anp.sum(lse * y[:, 0])

    got = tl.grad(lse_rows)(Z, ONE_HOT)
    np.testing.assert_allclose(got, autograd.grad(lse_ag)(Z, ONE_HOT), rtol=1e-12)
    hvp = tl.hvp(lse_rows)(Z, ONE_HOT, np.ones_like(Z))
    g = tl.grad(lse_rows)
    eps = 1e-6
    fd = (g(Z + eps, ONE_HOT) - g(Z - eps, ONE_HOT)) / (2 * eps)
    np.testing.assert_allclose(hvp, fd, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize(
    "index, axis",
    [
        ((np.arange(5), LABELS), 1),  # one pick a row
        ((np.array([0, 0, 4, -1]), np.array([1, 1, 3, 2])), -1),  # rows twice, -1
        ((np.array([[0], [2]]), np.array([[1, 3]])), 1),  # index arrays broadcast
        ((LABELS[:4], np.array([3, 0, 0, 1])), 0),  # sums down the columns
        ((2, 3), 1),  # one place
        ((np.array([True, False, True, False, True]), np.array([0, 1, 2])), 1),  # mask
    ],
)
def test_picked_sums_equal_the_sums_of_the_scattered_gradient(index, axis):
    from tangentlike.runtime import picked_sum

    p = RNG.random((5, 4))
    value = RNG.normal(size=np.shape(p[index]))
    scattered = np.zeros_like(p)
    np.add.at(scattered, index, value)
    want = np.sum(scattered, axis=axis, keepdims=True)
    np.testing.assert_allclose(picked_sum(value, p, index, axis), want, rtol=1e-15)


def test_picked_log_softmax_gradient_sums_no_matrix_of_zeros():
    source = tl.getsource(tl.grad(xent_indexed), args=(Z, LABELS))
    assert "_total = picked_sum(b_log, p, (np.arange(n), labels), 1)" in source
