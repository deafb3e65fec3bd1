"""NumPy templates against central finite differences and autograd."""

import types

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

anp = pytest.importorskip("autograd.numpy")
autograd = pytest.importorskip("autograd")

rng = np.random.default_rng(0)


def rand(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, shape) if shape else float(rng.uniform(lo, hi))


def pos(*shape):
    return rand(*shape, lo=0.5, hi=1.5)


def spd(n):
    m = rand(n, n)
    return m @ m.T + n * np.eye(n)


# elementwise ------------------------------------------------------------------


def arctan2(x, y):
    return np.sum(np.arctan2(x, y))


def hypot(x, y):
    return np.sum(np.sin(np.hypot(x, y)))


def logaddexp(x, y):
    return np.sum(np.sin(np.logaddexp(x, y)))


def logaddexp2(x, y):
    return np.sum(np.sin(np.logaddexp2(x, y)))


def maximum(x, y):
    return np.sum(np.sin(np.maximum(x, y)))


def minimum(x, y):
    return np.sum(np.sin(np.minimum(x, y)))


def fmax(x, y):
    return np.sum(np.sin(np.fmax(x, y)))


def fmin(x, y):
    return np.sum(np.sin(np.fmin(x, y)))


def clip_both(x):
    return np.sum(np.sin(np.clip(x, -0.5, 0.5)))


def clip_low(x):
    return np.sum(np.sin(np.clip(x, -0.5, None)))


def clip_high(x):
    return np.sum(np.sin(np.clip(x, None, 0.5)))


def where(x, y):
    return np.sum(np.sin(np.where(x > 0, x, y)))


def sinc(x):
    return np.sum(np.sinc(x))


def copysign(x, y):
    return np.sum(np.sin(np.copysign(x, y)))


def float_power(x, y):
    return np.sum(np.float_power(x, y))


def rounding(x):
    return np.sum(x * np.floor(x) + np.heaviside(x, 0.5) + np.sign(x) * x + np.round(x))


def modulo(x, y):
    return np.sum(np.mod(x, y) * np.remainder(x, 0.7) + (x % y) * y)


BINARY = [
    arctan2,
    hypot,
    logaddexp,
    logaddexp2,
    maximum,
    minimum,
    fmax,
    fmin,
    where,
    copysign,
]
SHAPE_PAIRS = [
    ((), ()),
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((2, 1, 3), (4, 1)),
    ((), (2, 2)),
]

CASES = []
for f in BINARY:
    for sx, sy in SHAPE_PAIRS:
        CASES.append((f, (rand(*sx), rand(*sy)), (0, 1)))
for f in (clip_both, clip_low, clip_high, sinc, rounding):
    for shape in [(), (4,), (2, 3, 2)]:
        CASES.append((f, (rand(*shape),), (0,)))
CASES.append((float_power, (pos(2, 3), rand(3)), (0, 1)))
CASES.append((modulo, (rand(2, 3), pos(3)), (0, 1)))

# reductions -------------------------------------------------------------------


def reduce_sum(x, axis, keepdims):
    return np.sum(np.sin(np.sum(x, axis=axis, keepdims=keepdims)))


def reduce_mean(x, axis, keepdims):
    return np.sum(np.sin(np.mean(x, axis=axis, keepdims=keepdims)))


def reduce_max(x, axis, keepdims):
    return np.sum(np.sin(np.max(x, axis=axis, keepdims=keepdims)))


def reduce_min(x, axis, keepdims):
    return np.sum(np.sin(np.min(x, axis=axis, keepdims=keepdims)))


def reduce_prod(x, axis, keepdims):
    return np.sum(np.sin(np.prod(x, axis=axis, keepdims=keepdims)))


def reduce_var(x, axis, keepdims):
    return np.sum(np.sin(np.var(x, axis=axis, keepdims=keepdims)))


def reduce_std(x, axis, keepdims):
    return np.sum(np.sin(np.std(x, axis=axis, ddof=1, keepdims=keepdims)))


def reduce_ptp(x, axis, keepdims):
    return np.sum(np.sin(np.ptp(x, axis=axis, keepdims=keepdims)))


def reduce_nansum(x, axis, keepdims):
    return np.sum(np.sin(np.nansum(x, axis=axis, keepdims=keepdims)))


def reduce_nanmean(x, axis, keepdims):
    return np.sum(np.sin(np.nanmean(x, axis=axis, keepdims=keepdims)))


def reduce_nanmax(x, axis, keepdims):
    return np.sum(np.sin(np.nanmax(x, axis=axis, keepdims=keepdims)))


def reduce_nanmin(x, axis, keepdims):
    return np.sum(np.sin(np.nanmin(x, axis=axis, keepdims=keepdims)))


def reduce_norm(x, axis, keepdims):
    return np.sum(np.sin(np.linalg.norm(x, axis=axis, keepdims=keepdims)))


REDUCTIONS = [
    reduce_sum,
    reduce_mean,
    reduce_max,
    reduce_min,
    reduce_prod,
    reduce_var,
    reduce_std,
    reduce_ptp,
    reduce_nansum,
    reduce_nanmean,
    reduce_nanmax,
    reduce_nanmin,
    reduce_norm,
]
AXES = [
    ((4,), None, False),
    ((4,), 0, True),
    ((3, 4), None, True),
    ((3, 4), -1, False),
    ((2, 3, 4), (0, 2), False),
    ((2, 3, 4), (-1, 0), True),
    ((2, 3, 4), 1, True),
]
for f in REDUCTIONS:
    for shape, axis, keepdims in AXES:
        CASES.append((f, (pos(*shape), axis, keepdims), (0,)))


def cumsum(x, axis):
    return np.sum(np.sin(np.cumsum(x, axis=axis)))


def cumprod(x, axis):
    return np.sum(np.sin(np.cumprod(x, axis=axis)))


for f in (cumsum, cumprod):
    for shape, axis in [((4,), None), ((3, 4), None), ((3, 4), 0), ((2, 3, 4), -1)]:
        CASES.append((f, (pos(*shape), axis), (0,)))


def average(x, w):
    return np.sum(np.sin(np.average(x, axis=1, weights=w)))


def average_all(x):
    return np.sin(np.average(x))


def average_returned(x, w):
    avg, total = np.average(x, axis=0, weights=w, returned=True)
    return np.sum(np.sin(avg) * total)


def norm_ord(x, ord, axis):
    return np.sin(np.sum(np.linalg.norm(x, ord=ord, axis=axis)))


CASES.append((average, (rand(3, 4), pos(4)), (0, 1)))
CASES.append((average_returned, (rand(3, 4), pos(3)), (0, 1)))
CASES.append((average, (rand(3, 4), pos(3, 4)), (0, 1)))
CASES.append((average_all, (rand(3, 4),), (0,)))
for shape, ord, axis in [
    ((5,), 1, None),
    ((5,), 2, None),
    ((5,), np.inf, None),
    ((5,), 3, None),
    ((3, 4), "fro", None),
    ((3, 4), 1, None),
    ((3, 4), np.inf, None),
    ((3, 4), 2, None),
    ((3, 4), "nuc", None),
    ((2, 3, 4), 2, (0, 2)),
    ((3, 4), 1, 1),
]:
    CASES.append((norm_ord, (rand(*shape), ord, axis), (0,)))

# linear algebra ---------------------------------------------------------------


def vdot(a, b):
    return np.vdot(a, b)


def inner(a, b):
    return np.sum(np.sin(np.inner(a, b)))


def outer(a, b):
    return np.sum(np.sin(np.outer(a, b)))


def tensordot2(a, b):
    return np.sum(np.sin(np.tensordot(a, b)))


def tensordot_axes(a, b):
    return np.sum(np.sin(np.tensordot(a, b, axes=([0, -1], [1, 0]))))


def einsum_mm(a, b):
    return np.sum(np.sin(np.einsum("ij,jk->ik", a, b)))


def einsum_trace(a):
    return np.sin(np.einsum("ii->", a))


def einsum_three(a, b, c):
    return np.sum(np.sin(np.einsum("i,ij,jk->k", a, b, c)))


def einsum_implicit(a, b):
    return np.sum(np.sin(np.einsum("ij,jk", a, b)))


def einsum_sum(a):
    return np.sum(np.sin(np.einsum("ijk->j", a)))


def kron(a, b):
    return np.sum(np.sin(np.kron(a, b)))


def trace(a):
    return np.sin(np.trace(a, offset=1))


def diag(a):
    return np.sum(np.sin(np.diag(a, -1)))


def diagonal(a):
    return np.sum(np.sin(np.diagonal(a, 1, 0, 2)))


def triu_tril(a):
    return np.sum(np.sin(np.triu(a, 1) + np.tril(a) * 2.0))


def inv(a):
    return np.sum(np.sin(np.linalg.inv(a)))


def solve(a, b):
    return np.sum(np.sin(np.linalg.solve(a, b)))


def det(a):
    return np.linalg.det(a)


def slogdet(a):
    s, logdet = np.linalg.slogdet(a)
    return logdet


def cholesky(a):
    return np.sum(np.sin(np.linalg.cholesky(a @ a.T + 4.0 * np.eye(3))))


def cholesky_upper(a):
    return np.sum(np.sin(np.linalg.cholesky(a @ a.T + 4.0 * np.eye(3), upper=True)))


def eigh(a):
    w, v = np.linalg.eigh(a + a.T)
    return np.sum(np.sin(w)) + np.sum(np.sin(v) * v)


def eigh_values(a):
    w, v = np.linalg.eigh(a + a.T)
    return np.sum(np.sin(w))


def svd_values(a):
    return np.sum(np.sin(np.linalg.svd(a, compute_uv=False)))


def svd_full(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.sum(np.sin(s))


def pinv(a):
    return np.sum(np.sin(np.linalg.pinv(a)))


def lstsq(a, b):
    x, res, rank, sv = np.linalg.lstsq(a, b, rcond=None)
    return np.sum(np.sin(x))


def qr(a):
    q, r = np.linalg.qr(a)
    return np.sum(np.sin(q)) + np.sum(np.sin(r))


def lstsq_residuals(a, b):
    x, res, rank, sv = np.linalg.lstsq(a, b, rcond=None)
    return np.sum(np.sin(x)) + np.sum(res)


def qr_r(a):
    return np.sum(np.linalg.qr(a, mode="r"))


def test_lstsq_residuals_are_refused_in_reverse_mode_when_they_have_a_gradient():
    with pytest.raises(tl.UnsupportedDerivativeError, match="lstsq's residuals"):
        tl.grad(lstsq_residuals)(rand(4, 3), rand(4))


@pytest.mark.parametrize("make", [tl.grad, tl.jvp])
def test_qr_in_a_mode_without_a_derivative_is_refused_at_the_call(make):
    with pytest.raises(tl.NoDerivativeError, match="qr with a mode other") as info:
        make(qr_r)
    assert 'mode="r"' in str(info.value)


CASES += [
    (vdot, (rand(2, 3), rand(6)), (0, 1)),
    (inner, (rand(3), rand(3)), (0, 1)),
    (inner, (rand(2, 3), rand(4, 3)), (0, 1)),
    (inner, (rand(), rand(2, 3)), (0, 1)),
    (outer, (rand(3), rand(2, 2)), (0, 1)),
    (tensordot2, (rand(2, 3, 4), rand(3, 4, 2)), (0, 1)),
    (tensordot_axes, (rand(2, 3, 4), rand(4, 2)), (0, 1)),
    (einsum_mm, (rand(2, 3), rand(3, 4)), (0, 1)),
    (einsum_trace, (rand(3, 3),), (0,)),
    (einsum_three, (rand(2), rand(2, 3), rand(3, 4)), (0, 1, 2)),
    (einsum_implicit, (rand(2, 3), rand(3, 4)), (0, 1)),
    (einsum_sum, (rand(2, 3, 4),), (0,)),
    (kron, (rand(2, 3), rand(3, 2)), (0, 1)),
    (kron, (rand(3), rand(2)), (0, 1)),
    (trace, (rand(3, 4),), (0,)),
    (diag, (rand(4),), (0,)),
    (diag, (rand(3, 4),), (0,)),
    (diagonal, (rand(3, 2, 4),), (0,)),
    (triu_tril, (rand(3, 4),), (0,)),
    (inv, (spd(3),), (0,)),
    (solve, (spd(3), rand(3)), (0, 1)),
    (solve, (spd(3), rand(3, 2)), (0, 1)),
    (det, (spd(3),), (0,)),
    (slogdet, (spd(3),), (0,)),
    (cholesky, (rand(3, 3),), (0,)),
    (cholesky_upper, (rand(3, 3),), (0,)),
    (eigh, (rand(3, 3),), (0,)),
    (eigh_values, (rand(3, 3),), (0,)),
    (svd_values, (rand(3, 2),), (0,)),
    (svd_full, (rand(2, 3),), (0,)),
    (pinv, (rand(4, 3),), (0,)),
    (pinv, (rand(2, 3),), (0,)),
    (lstsq, (rand(4, 3), rand(4)), (0, 1)),
    (qr, (rand(4, 3),), (0,)),
]

# shapes and indexing ----------------------------------------------------------
W = rand(24)


def weigh(y):
    """A fixed, position-dependent weighting so permutations show in the gradient."""
    return np.sum(np.sin(np.ravel(y) * W[: np.size(y)]))


def reshape(a):
    return weigh(np.reshape(a, (3, -1)) + np.ravel(a)[0])


def conversions(a):
    return weigh(np.asanyarray(a) * np.array(a[0], ndmin=2) + np.asarray(a, order="F"))


def transpose(a):
    return weigh(np.transpose(a, (2, -3, 1)))


def swapaxes(a):
    return weigh(np.swapaxes(a, 0, -1))


def moveaxis(a):
    return weigh(np.moveaxis(a, 0, -1))


def expand_squeeze(a):
    return weigh(np.squeeze(np.expand_dims(a, (0, 2)), axis=0))


def concatenate(a, b):
    return weigh(np.concatenate([a, b], axis=1))


def concatenate_flat(a, b):
    return weigh(np.concatenate((a, b), axis=None))


def stack(a, b):
    return weigh(np.stack([a, b], axis=-1))


def hstack(a, b):
    return weigh(np.hstack([a, b]))


def vstack(a, b):
    return weigh(np.vstack([a, b]))


def column_stack(a, b):
    return weigh(np.column_stack([a, b]))


def split(a):
    p, q = np.split(a, 2, axis=1)
    return weigh(p * q)


def array_split(a):
    p, q = np.array_split(a, [1], axis=0)
    return weigh(p) + np.sum(q * q)


def tile(a):
    return weigh(np.tile(a, (2, 1, 2)))


def repeat(a):
    return weigh(np.repeat(a, 2, axis=-1))


def repeat_flat(a):
    return weigh(np.repeat(a, [1, 2, 1, 3, 1, 1]))


def broadcast_to(a):
    return weigh(np.broadcast_to(a, (2, 2, 3)))


def flips(a):
    return weigh(np.flip(a, 0) * np.fliplr(a) + np.flipud(a))


def roll(a):
    return weigh(np.roll(a, (1, -2), axis=(0, 1)))


def pad(a):
    return weigh(np.pad(a, ((1, 0), (2, 1))))


def take(a, i):
    return weigh(np.take(a, i, axis=1))


def take_flat(a, i):
    return weigh(np.take(a, i))


def take_along_axis(a, i):
    return weigh(np.take_along_axis(a, i, axis=1))


def diff(a):
    return weigh(np.diff(a, n=2, axis=0))


def sort(a):
    return weigh(np.sort(a, axis=0))


def sort_flat(a):
    return weigh(np.sort(a, axis=None))


def constants(a):
    n = np.argmax(a) + np.argmin(a) + np.size(a) + np.ndim(a) + np.shape(a)[0]
    z = np.zeros_like(a) + np.ones(np.shape(a)) + np.full_like(a, 2.0) + np.eye(3)[:2]
    ok = np.isfinite(a) & ~np.isnan(a) & (a > 0) & np.logical_not(a < -5)
    return np.sum(a * z * n * ok) + np.sum(np.linspace(0, 1, 3)) + np.sum(np.arange(3))


IDX = np.array([[0, 2], [1, 1]])
CASES += [
    (reshape, (rand(2, 3),), (0,)),
    (conversions, (rand(2, 3),), (0,)),
    (transpose, (rand(2, 3, 4),), (0,)),
    (swapaxes, (rand(2, 3, 4),), (0,)),
    (moveaxis, (rand(2, 3, 4),), (0,)),
    (expand_squeeze, (rand(2, 3),), (0,)),
    (concatenate, (rand(2, 3), rand(2, 1)), (0, 1)),
    (concatenate_flat, (rand(2, 3), rand(4)), (0, 1)),
    (stack, (rand(2, 3), rand(2, 3)), (0, 1)),
    (hstack, (rand(3), rand(2)), (0, 1)),
    (hstack, (rand(2, 3), rand(2, 1)), (0, 1)),
    (vstack, (rand(3), rand(2, 3)), (0, 1)),
    (column_stack, (rand(3), rand(3, 2)), (0, 1)),
    (split, (rand(2, 4),), (0,)),
    (array_split, (rand(3, 2),), (0,)),
    (tile, (rand(2, 3),), (0,)),
    (repeat, (rand(2, 3),), (0,)),
    (repeat_flat, (rand(2, 3),), (0,)),
    (broadcast_to, (rand(2, 1, 3),), (0,)),
    (flips, (rand(3, 4),), (0,)),
    (roll, (rand(3, 4),), (0,)),
    (pad, (rand(2, 3),), (0,)),
    (take, (rand(2, 3), IDX), (0,)),
    (take_flat, (rand(2, 3), IDX), (0,)),
    (take_along_axis, (rand(2, 3), IDX), (0,)),
    (diff, (rand(4, 3),), (0,)),
    (sort, (rand(4, 3),), (0,)),
    (sort_flat, (rand(2, 3),), (0,)),
    (constants, (rand(2, 3),), (0,)),
]


# compiled functions library code calls ----------------------------------------------
GRID = np.array([-1.0, 0.0, 0.5, 2.0])
AT = np.array([-1.5, -0.3, 0.25, 1.0, 1.7, 3.0])


def convolutions(a, v):
    full, same = np.convolve(a, v), np.convolve(v, a, "same")
    return weigh(np.concatenate([full, same, np.correlate(a, v, "full")]))


def interpolated(x, fp):
    return weigh(np.interp(x, GRID, fp)) + weigh(np.interp(x, GRID, fp, left=0.5))


def quantiles(a):
    by_rows = np.percentile(a, [20.0, 75.0], axis=1, method="midpoint")
    return weigh(np.median(a, axis=0)) + weigh(by_rows) + np.quantile(a, 0.3)


def eigenvalues(a):
    return weigh(np.linalg.eigvalsh(a + a.T)) + weigh(np.linalg.matmul(a, a))


def cross_product(a, b):
    return weigh(np.cross(a, b)) + weigh(np.conjugate(a))


def ufunc_reductions(a):
    out = np.add.reduce(a) + np.multiply.reduce(a, axis=1)[0] + np.maximum.reduce(a)
    return weigh(out) + np.logaddexp.reduce(a, axis=None)


def polynomials(p, x):
    return weigh(np.polyval(p, x)) + weigh(np.vander(x, 3) @ p[:3] + np.vander(x)[0])


CASES += [
    (polynomials, (rand(4), rand(5)), (0, 1)),
    (convolutions, (rand(5), rand(3)), (0, 1)),
    (interpolated, (AT, rand(4)), (0, 1)),
    (quantiles, (rand(3, 4),), (0,)),
    (eigenvalues, (rand(3, 3),), (0,)),
    (cross_product, (rand(2, 3), rand(3)), (0, 1)),
    (ufunc_reductions, (rand(3, 4),), (0,)),
]


# constructors that take values -------------------------------------------------


def full(a, v):
    return np.sum(np.sin(np.full((2, 3), a) * np.full((2, 3), v)))


def full_like(x, v):
    return np.sum(np.sin(x * np.full_like(x, v)) + np.full_like(x, x[0, 1]))


def linspace(a, b):
    return np.sum(np.sin(np.linspace(a, b, 7))) + np.sum(
        np.linspace(b, a, 4, endpoint=False)
    )


def linspace_axis(a, b):
    return np.sum(
        np.sin(np.linspace(a, b, 5, axis=1)) * np.linspace(0.0, 1.0, 5)[:, None]
    )


def heaviside(x2):
    return np.sum(np.sin(np.heaviside(np.array([-1.0, 0.0, 0.0, 2.0]), x2)))


CASES += [
    (full, (rand(), rand(3)), (0, 1)),
    (full_like, (rand(2, 3), rand(3)), (0, 1)),
    (linspace, (rand(), rand()), (0, 1)),
    (linspace_axis, (rand(3), rand(2, 1)), (0, 1)),
    (heaviside, (rand(4),), (0,)),
]


def case_id(case):
    f, args, _ = case
    return (
        f.__name__
        + "-"
        + "x".join(str(np.shape(a)) for a in args if not isinstance(a, bool))
    )


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_reverse_matches_finite_differences(case):
    f, args, wrt = case
    for i in wrt:
        got = tl.grad(f, wrt=i)(*args)
        want = numerical_grad(f, list(args), i)
        assert np.shape(got) == np.shape(args[i])
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


# functions autograd cannot differentiate (or not with these arguments)
AUTOGRAD_LACKS = {
    "copysign",
    "float_power",
    "rounding",
    "fmax",
    "fmin",
    "nanmax",
    "lstsq",
    "ptp",
    "take_along_axis",
    "eigh",
    "qr",
    "constants",
    "vdot",
    "reduce_ptp",
    "reduce_nanmax",
    "reduce_nanmin",
    "reduce_nansum",
    "reduce_nanmean",
    "sinc",
    "pinv",
    "column_stack",
    "average",
    "average_returned",
    "ufunc_reductions",
    "full",
    "full_like",
    "linspace",
    "linspace_axis",
    "heaviside",
}
# cases where autograd itself is wrong or fails; finite differences decide them
AUTOGRAD_WRONG = {
    "repeat": "autograd's repeat gradient is wrong along axis=-1",
    "norm_ord": "autograd's vector-norm gradient divides by zero for these orders",
}


@pytest.mark.parametrize("case", CASES[::3], ids=[case_id(c) for c in CASES[::3]])
def test_reverse_matches_autograd(case):
    f, args, wrt = case
    if f.__name__ in AUTOGRAD_LACKS:
        pytest.skip("autograd has no gradient for this function")
    if f.__name__ in AUTOGRAD_WRONG:
        pytest.skip(AUTOGRAD_WRONG[f.__name__] + " (finite differences agree with us)")
    env = {**f.__globals__, "np": anp}
    env["weigh"] = types.FunctionType(weigh.__code__, env)
    with_anp = types.FunctionType(f.__code__, env, f.__name__)
    for i in wrt:
        try:
            want = autograd.grad(with_anp, i)(*args)
        except (NotImplementedError, KeyError, TypeError, ValueError) as exc:
            pytest.skip(f"autograd cannot differentiate this: {exc!r}")
        if np.shape(want) != np.shape(args[i]):
            pytest.skip(
                "autograd's gradient has the wrong shape (finite differences agree with us)"
            )
        np.testing.assert_allclose(tl.grad(f, wrt=i)(*args), want, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("case", CASES[::4], ids=[case_id(c) for c in CASES[::4]])
def test_float32_in_float32_out(case):
    f, args, wrt = case
    args32 = [
        np.float32(a)
        if isinstance(a, float)
        else a.astype(np.float32)
        if isinstance(a, np.ndarray) and a.dtype.kind == "f"
        else a
        for a in args
    ]
    for i in wrt:
        g, w = tl.grad(f, wrt=i)(*args32), tl.grad(f, wrt=i)(*args)
        assert np.asarray(g).dtype == np.float32, f"argument {i}"
        np.testing.assert_allclose(g, w, rtol=2e-2, atol=2e-3)


# docs/supported.md --------------------------------------------------------------


def test_supported_md_is_up_to_date():
    from tangentlike.api import supported as coverage

    assert coverage.DOC.read_text() == coverage.render(), (
        "run python -m tangentlike.api.supported"
    )


def test_every_listed_function_has_a_template():
    from tangentlike import constants
    from tangentlike import template as tpl
    from tangentlike.api import supported as coverage

    scipy = coverage.load_scipy()
    missing = []
    for line in coverage.DOC.read_text().splitlines():
        if not line.startswith("| `") or not scipy and line.startswith("| `scipy."):
            continue
        name, reverse = line.split("`")[1], line.split("|")[2].strip()
        primal = coverage.resolve(name)
        if reverse == "yes" and tpl.lookup(tpl.ADJOINTS, primal) is None:
            missing.append(name)
        if reverse == "constant" and not constants.is_constant(primal):
            missing.append(name)
        forward = line.split("|")[3].strip()
        if forward in ("yes", "") and tpl.lookup(tpl.TANGENTS, primal) is None:
            missing.append(f"{name} (forward)")
    assert not missing, f"listed in docs/supported.md without a template: {missing}"
