"""Second derivatives through the gradients' rules: those written in their
templates (max, var, std, ptp, nan-reductions, average, cumsum, cumprod, the
2-norm, ...), differentiated again through ordinary templates, and the runtime
helpers that keep templates of their own (norm_grad, prod_others, take_grad,
unconcat, unstack, mT, solve_lhs/solve_rhs, einsum_grad, ...).

Each function's Hessian (forward over reverse) is compared with finite differences of
its gradient and, where autograd differentiates the same function, with autograd's
Hessian; its Hessian-vector product with the Hessian; and reverse over reverse, the
gradient of ``sum(grad(f)(x) ** 2)``, with finite differences and with ``2 H grad f``.
Inputs are away from ties and kinks (distinct maxima, no clipping boundary).
"""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

from .test_list_pop_and_steppers import clamped

autograd = pytest.importorskip("autograd")  # absent on some machines: skip, not fail
anp = pytest.importorskip("autograd.numpy")

A0 = np.array([[2.0, 0.3, -0.4], [0.1, 1.5, 0.2], [-0.3, 0.4, 1.8]])
B0 = np.array([[3.0, 0.5, 0.2], [0.5, 2.5, -0.3], [0.2, -0.3, 2.0]])  # SPD
W34 = np.array([[0.5, -1.0, 0.3, 0.8], [1.2, 0.1, -0.7, 0.4], [-0.2, 0.9, 0.6, -1.1]])
W33 = np.array([[0.7, -0.2, 0.4], [0.3, 1.1, -0.5], [0.9, 0.2, 0.6]])
W4 = np.array([0.5, -1.0, 2.0, 0.7])
B_VEC = np.array([0.3, -1.2, 0.8])
B_MAT = np.array([[0.3, 1.0], [-1.2, 0.4], [0.8, -0.6]])
IDX = np.array([0, 2, 2, 3])
IDX2 = np.array([[1, 0, 3, 3], [2, 2, 0, 1], [3, 1, 1, 0]])
R8 = np.linspace(-1.0, 2.0, 8)

X4 = np.array([0.3, 1.2, -0.5, 0.8])
X3 = np.array([0.4, -0.7, 0.9])
XZERO = np.array([0.6, 0.0, -1.3, 0.9])
XZEROS = np.array([0.6, 0.0, -1.3, 0.0])
M34 = np.array(
    [[0.3, 1.2, -0.5, 0.8], [-0.9, 0.1, 0.7, 0.25], [1.1, -0.35, 0.45, -0.6]]
)
M33 = A0 + np.array([[0.1, -0.2, 0.05], [0.3, 0.1, -0.15], [-0.1, 0.2, 0.1]])


# max, min, amax ------------------------------------------------------------


def max_sq(x):
    return np.max(x) * np.sum(x**2) + np.min(x) ** 3


def ag_max_sq(x):
    return anp.max(x) * anp.sum(x**2) + anp.min(x) ** 3


def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def ag_logsumexp(x):
    m = anp.max(x)
    return m + anp.log(anp.sum(anp.exp(x - m)))


def softmax_rows(x):
    m = np.max(x, axis=1, keepdims=True)
    e = np.exp(x - m)
    p = e / np.sum(e, axis=1, keepdims=True)
    return np.sum(p * W34)


def ag_softmax_rows(x):
    m = anp.max(x, axis=1, keepdims=True)
    e = anp.exp(x - m)
    p = e / anp.sum(e, axis=1, keepdims=True)
    return anp.sum(p * W34)


def max_axes(x):
    return (
        np.sum(np.max(x, axis=0) ** 2)
        + np.sum(np.min(x, axis=1) ** 3)
        + np.amax(x) * np.sum(x)
    )


def ag_max_axes(x):
    return (
        anp.sum(anp.max(x, axis=0) ** 2)
        + anp.sum(anp.min(x, axis=1) ** 3)
        + anp.max(x) * anp.sum(x)
    )


# var, std ------------------------------------------------------------------


def var_std(x):
    return np.var(x) * np.sum(x) + np.std(x) ** 3


def ag_var_std(x):
    return anp.var(x) * anp.sum(x) + anp.std(x) ** 3


def var_axes(x):
    a = np.sum(np.var(x, axis=0) ** 2)
    return a + np.sum(np.std(x, axis=1, ddof=1, keepdims=True) * x)


def ag_var_axes(x):
    a = anp.sum(anp.var(x, axis=0) ** 2)
    return a + anp.sum(anp.std(x, axis=1, ddof=1, keepdims=True) * x)


# numpy.linalg.norm: norm_grad -----------------------------------------------------------


def norm_vec(x):
    return np.linalg.norm(x) ** 3 + np.linalg.norm(x, 2) * np.sum(x)


def ag_norm_vec(x):
    return anp.linalg.norm(x) ** 3 + anp.linalg.norm(x, 2) * anp.sum(x)


def norm_fro(x):
    return np.linalg.norm(x) * np.sum(x) + np.linalg.norm(x, "fro") ** 3


def ag_norm_fro(x):
    return anp.linalg.norm(x) * anp.sum(x) + anp.linalg.norm(x, "fro") ** 3


def norm_rows(x):
    return np.sum(np.linalg.norm(x, axis=1) ** 3) + np.sum(
        np.linalg.norm(x, axis=0) * W4
    )


def ag_norm_rows(x):
    return anp.sum(anp.linalg.norm(x, axis=1) ** 3) + anp.sum(
        anp.linalg.norm(x, axis=0) * W4
    )


def norm_keepdims(x):
    return np.sum(np.linalg.norm(x, axis=0, keepdims=True) * x)


def norm_p(x):
    return np.linalg.norm(x, 3) ** 2 + np.linalg.norm(x, 1) * np.sum(x**2)


def norm_inf(x):
    a = np.linalg.norm(x, np.inf) * np.sum(x**2) + np.linalg.norm(x, 1, axis=0) @ W4
    return a + np.linalg.norm(x, 1) * np.linalg.norm(x[0], -np.inf) * np.sum(x**3)


def spectral_norm(x):
    return np.linalg.norm(x, 2)


# clip: clip_mask --------------------------------------------------------------------------


def clip_cube(x):
    return np.sum(np.clip(x, -0.6, 0.6) ** 3 + x**2 * np.clip(x, -1.0, 1.0))


def ag_clip_cube(x):
    return anp.sum(anp.clip(x, -0.6, 0.6) ** 3 + x**2 * anp.clip(x, -1.0, 1.0))


# prod: prod_grad --------------------------------------------------------------------------


def prod_all(x):
    return np.prod(x) + np.prod(x**2) * np.sum(x)


def ag_prod_all(x):
    return anp.prod(x) + anp.prod(x**2) * anp.sum(x)


def prod_axes(x):
    return np.sum(np.prod(x, axis=1) ** 2) + np.sum(
        np.prod(x, axis=0, keepdims=True) * x
    )


def ag_prod_axes(x):
    return anp.sum(anp.prod(x, axis=1) ** 2) + anp.sum(
        anp.prod(x, axis=0, keepdims=True) * x
    )


# ptp, nansum, nanmean, nanmax: the same helpers' pattern, unreduce(g) * local


def cumprod_f(x):
    return np.sum(np.cumprod(x) * W4) + np.sum(np.cumprod(x[::-1]) ** 2)


def cumprod_axis(x):
    return np.sum(np.cumprod(x, axis=1) ** 2) + np.sum(np.cumprod(x, axis=0) * W34)


def average_f(x):
    row = np.average(x, axis=1, weights=np.exp(x[0]))
    return np.sum(row**2) + np.average(x * x, weights=x * x + 1.0)


NAN34 = np.where(np.eye(3, 4) > 0, np.nan, 0.0)


def nan_f(x):
    y = x + NAN34
    return np.sum(np.nanmean(y, axis=1) ** 3) + np.nansum(y) ** 2 * np.nanmean(y)


def ptp_nan(x):
    a = np.sum(np.ptp(x, axis=0) ** 2) + np.ptp(x) * np.sum(x) + np.nansum(x**3)
    return a + np.sum(np.nanmean(x, axis=1) ** 3) + np.sum(np.nanmax(x, axis=1) ** 2)


# float_power (unbroadcast_as), reshape and ravel in memory order (reshape_grad)


def float_power_f(x):
    return np.sum(np.float_power(x * x + 1.0, 1.5) * x)


def reshape_order(x):
    a = np.sum(np.ravel(x.T, order="K") ** 3 * np.arange(12.0))
    return a + np.sum(
        np.reshape(x.T, (2, 6), order="A") ** 2 * np.arange(12.0).reshape(2, 6)
    )


# cumsum, trace, take: linear in the gradient ---------------------------------------------


def cumsum_sq(x):
    return np.sum(np.cumsum(x) ** 3)


def ag_cumsum_sq(x):
    return anp.sum(anp.cumsum(x) ** 3)


def cumsum_axis(x):
    a = np.sum(np.cumsum(x, axis=1) ** 2 * x) + np.sum(np.cumsum(x, axis=0) ** 3)
    return a + np.sum(np.cumsum(x) ** 3 * R8.repeat(2)[:12])  # axis=None: flattened


def ag_cumsum_axis(x):
    a = anp.sum(anp.cumsum(x, axis=1) ** 2 * x) + anp.sum(anp.cumsum(x, axis=0) ** 3)
    return a + anp.sum(anp.cumsum(x) ** 3 * R8.repeat(2)[:12])


def trace_f(x):
    return (
        np.trace(x) ** 3
        + np.trace(x @ x) * np.trace(x, 1)
        + np.sum(np.diagonal(x) ** 3)
    )


def ag_trace_f(x):  # autograd differentiates trace and diagonal once only: indexing
    diag, above = x[[0, 1, 2], [0, 1, 2]], x[[0, 1], [1, 2]]
    return anp.sum(diag) ** 3 + anp.sum(x * x.T) * anp.sum(above) + anp.sum(diag**3)


def take_f(x):
    return np.sum(np.take(x, IDX) ** 3) + np.sum(np.take(x, IDX) * x)


def ag_take_f(x):
    return anp.sum(x[IDX] ** 3) + anp.sum(x[IDX] * x)


def take_axis(x):
    return np.sum(np.take(x, [2, 0, 2], axis=1) ** 3)


def ag_take_axis(x):
    return anp.sum(x[:, [2, 0, 2]] ** 3)


# concatenate, stack: unconcat, unstack -----------------------------------------------------


def concat_f(x):
    return np.sum(np.concatenate([x, x[:2] ** 2]) ** 3)


def ag_concat_f(x):
    return anp.sum(anp.concatenate([x, x[:2] ** 2]) ** 3)


def concat_axis(x):
    return np.sum(np.concatenate([x, np.sin(x[:, :2])], axis=1) ** 3)


def ag_concat_axis(x):
    return anp.sum(anp.concatenate([x, anp.sin(x[:, :2])], axis=1) ** 3)


def concat_same(x):  # pieces of one shape (see test_reverse_over_reverse)
    return np.sum(np.concatenate([x, x**2]) ** 3) + np.sum(
        np.concatenate([x, np.sin(x)], axis=None) ** 3
    )


def ag_concat_same(x):
    return anp.sum(anp.concatenate([x, x**2]) ** 3) + anp.sum(
        anp.concatenate([x, anp.sin(x)]) ** 3
    )


def concat_same_axis(x):
    return np.sum(np.concatenate([x, np.sin(x)], axis=1) ** 3)


def ag_concat_same_axis(x):
    return anp.sum(anp.concatenate([x, anp.sin(x)], axis=1) ** 3)


def stack_f(x):
    return np.sum(np.stack([x, np.sin(x)], axis=1) ** 3 * np.stack([x, x]).T)


def ag_stack_f(x):
    return anp.sum(anp.stack([x, anp.sin(x)], axis=1) ** 3 * anp.stack([x, x]).T)


def hstack_f(x):
    return np.sum(np.hstack([x, x**2]) ** 3) + np.sum(np.vstack([x, np.cos(x)]) ** 3)


def ag_hstack_f(x):
    return anp.sum(anp.hstack([x, x**2]) ** 3) + anp.sum(
        anp.vstack([x, anp.cos(x)]) ** 3
    )


def shapes_f(x):
    a = np.sum(np.column_stack([x, x**2]) ** 3) + np.sum(
        np.diag(x, 1) @ np.diag(np.sin(x), 1)
    )
    b = np.sum(np.diff(x**3, 2) ** 2) + np.sum(np.pad(x, 2) ** 3 * R8)
    c = np.sum(np.repeat(x, 2) ** 3 * R8) + np.sum(
        np.tile(x, (2, 1)) ** 3 * R8.reshape(2, 4)
    )
    return a + b + c + np.sum(np.take_along_axis(x, IDX, axis=0) ** 3 * x)


def shapes_axis(x):
    a = np.sum(np.repeat(x, [1, 2, 1], axis=0) ** 3) + np.sum(np.diff(x, axis=0) ** 3)
    b = np.sum(np.take_along_axis(x, IDX2, axis=1) ** 3 * W34) + np.sum(
        np.tile(x, 2) ** 3
    )
    return a + b


# sort ------------------------------------------------------------------------------


def sort_f(x):
    return np.sum(np.sort(x) ** 3 * W4)


def ag_sort_f(x):
    return anp.sum(anp.sort(x) ** 3 * W4)


def sort_axis(x):
    a = np.sum(np.sort(x, axis=0) ** 2 * W34) + np.sum(np.sort(x) ** 3 * W34)
    return a + np.sum(np.sort(x, axis=None) ** 3 * R8.repeat(2)[:12])


# numpy.linalg: mT, solve_lhs, solve_rhs, cholesky, eigh, svd, pinv, lstsq, qr, kron ----


def inv_f(x):
    return np.sum(np.linalg.inv(x) ** 2 * W33)


def ag_inv_f(x):
    return anp.sum(anp.linalg.inv(x) ** 2 * W33)


def det_f(x):
    sign, logdet = np.linalg.slogdet(x)
    return np.linalg.det(x) ** 2 + sign * logdet * np.sum(x)


def ag_det_f(x):
    sign, logdet = anp.linalg.slogdet(x)
    return anp.linalg.det(x) ** 2 + sign * logdet * anp.sum(x)


def solve_a(x):
    return np.sum(np.linalg.solve(x, B_VEC) ** 2 * B_VEC) + np.sum(
        np.linalg.solve(x, B_MAT) ** 3
    )


def ag_solve_a(x):
    return anp.sum(anp.linalg.solve(x, B_VEC) ** 2 * B_VEC) + anp.sum(
        anp.linalg.solve(x, B_MAT) ** 3
    )


def solve_b(x):
    return np.sum(np.linalg.solve(A0, x) ** 3) + np.sum(
        np.linalg.solve(A0, np.outer(x, x)) ** 2
    )


def ag_solve_b(x):
    return anp.sum(anp.linalg.solve(A0, x) ** 3) + anp.sum(
        anp.linalg.solve(A0, anp.outer(x, x)) ** 2
    )


def solve_both(x):
    return np.sum(np.linalg.solve(x, x[:, 0] + 1.0) ** 2 * B_VEC)


def ag_solve_both(x):
    return anp.sum(anp.linalg.solve(x, x[:, 0] + 1.0) ** 2 * B_VEC)


def cholesky_f(x):
    chol = np.linalg.cholesky(B0 + np.outer(x, x))
    return np.sum(chol**2 * W33) + np.sum(np.log(np.diag(chol)))


def ag_cholesky_f(x):
    chol = anp.linalg.cholesky(B0 + anp.outer(x, x))
    return anp.sum(chol**2 * W33) + anp.sum(anp.log(anp.diag(chol)))


def cholesky_upper(x):
    chol = np.linalg.cholesky(B0 + np.outer(x, x), upper=True)
    return np.sum(chol**2 * W33) + np.sum(np.log(np.diag(chol)))


def eigh_f(x):
    w, v = np.linalg.eigh(B0 + np.outer(x, x))
    return np.sum(w**3) + np.sum((v * v) @ B_VEC * w)


def ag_eigh_f(x):
    w, v = anp.linalg.eigh(B0 + anp.outer(x, x))
    return anp.sum(w**3) + anp.sum(anp.dot(v * v, B_VEC) * w)


def svd_f(x):
    s = np.linalg.svd(x, compute_uv=False)
    u, s2, vh = np.linalg.svd(x, full_matrices=False)
    return np.sum(s**3) + np.sum(s2 * B_VEC)


def pinv_lstsq(x):
    p = np.linalg.pinv(x)
    sol = np.linalg.lstsq(x.T, W4, rcond=None)[0]
    return np.sum(p**2 * W34.T) + np.sum(sol**3)


def qr_f(x):
    q, r = np.linalg.qr(x.T)
    return np.sum(q * W34.T) + np.sum(r**3 * W33)


def kron_f(x):
    return np.sum(np.kron(x, x[:2]) ** 2) + np.sum(np.kron(x[0], x[:, 1]) * W34.ravel())


def ag_kron_f(x):
    return anp.sum(anp.kron(x, x[:2]) ** 2) + anp.sum(
        anp.kron(x[0], x[:, 1]) * W34.ravel()
    )


def linalg_stack(x):
    a = np.sum(np.linalg.inv(x) ** 2 * W33) + np.sum(np.linalg.solve(x, B_MAT) ** 3)
    return a + np.sum(np.linalg.det(x) ** 2)


def ag_linalg_stack(x):
    a = anp.sum(anp.linalg.inv(x) ** 2 * W33) + anp.sum(anp.linalg.solve(x, B_MAT) ** 3)
    return a + anp.sum(anp.linalg.det(x) ** 2)


# einsum, tensordot: einsum_grad ---------------------------------------------------------------


def einsum_f(x):
    return np.einsum("i,ij,j->", x, A0, x) ** 2 + np.sum(
        np.einsum("i,j->ij", x, x**2) ** 2
    )


def ag_einsum_f(x):
    return anp.einsum("i,ij,j->", x, A0, x) ** 2 + anp.sum(
        anp.einsum("i,j->ij", x, x**2) ** 2
    )


def einsum_mat(x):
    return np.sum(np.einsum("ij,jk->ik", x, x) ** 2) + np.sum(
        np.tensordot(x, x, axes=([1], [1])) ** 2
    )


def ag_einsum_mat(x):
    return anp.sum(anp.einsum("ij,jk->ik", x, x) ** 2) + anp.sum(
        anp.tensordot(x, x, axes=([1], [1])) ** 2
    )


# reverse over reverse: the gradient of the squared norm of the gradient --------------------

d_max_sq = tl.grad(max_sq)
d_logsumexp = tl.grad(logsumexp)
d_softmax_rows = tl.grad(softmax_rows)
d_max_axes = tl.grad(max_axes)
d_var_std = tl.grad(var_std)
d_var_axes = tl.grad(var_axes)
d_norm_vec = tl.grad(norm_vec)
d_norm_fro = tl.grad(norm_fro)
d_norm_rows = tl.grad(norm_rows)
d_norm_keepdims = tl.grad(norm_keepdims)
d_norm_p = tl.grad(norm_p)
d_norm_inf = tl.grad(norm_inf)
d_clip_cube = tl.grad(clip_cube)
d_ptp_nan = tl.grad(ptp_nan)
d_cumprod_f = tl.grad(cumprod_f)
d_cumprod_axis = tl.grad(cumprod_axis)
d_average_f = tl.grad(average_f)
d_nan_f = tl.grad(nan_f)
d_float_power_f = tl.grad(float_power_f)
d_reshape_order = tl.grad(reshape_order)
d_linalg_stack = tl.grad(linalg_stack)
d_prod_all = tl.grad(prod_all)
d_prod_axes = tl.grad(prod_axes)
d_cumsum_sq = tl.grad(cumsum_sq)
d_cumsum_axis = tl.grad(cumsum_axis)
d_trace_f = tl.grad(trace_f)
d_take_f = tl.grad(take_f)
d_take_axis = tl.grad(take_axis)
d_concat_f = tl.grad(concat_f)
d_concat_axis = tl.grad(concat_axis)
d_concat_same = tl.grad(concat_same)
d_concat_same_axis = tl.grad(concat_same_axis)
d_stack_f = tl.grad(stack_f)
d_hstack_f = tl.grad(hstack_f)
d_shapes_f = tl.grad(shapes_f)
d_shapes_axis = tl.grad(shapes_axis)
d_sort_f = tl.grad(sort_f)
d_sort_axis = tl.grad(sort_axis)
d_inv_f = tl.grad(inv_f)
d_det_f = tl.grad(det_f)
d_solve_a = tl.grad(solve_a)
d_solve_b = tl.grad(solve_b)
d_solve_both = tl.grad(solve_both)
d_cholesky_f = tl.grad(cholesky_f)
d_cholesky_upper = tl.grad(cholesky_upper)
d_eigh_f = tl.grad(eigh_f)
d_svd_f = tl.grad(svd_f)
d_pinv_lstsq = tl.grad(pinv_lstsq)
d_qr_f = tl.grad(qr_f)
d_kron_f = tl.grad(kron_f)
d_einsum_f = tl.grad(einsum_f)
d_einsum_mat = tl.grad(einsum_mat)


def g_max_sq(x):
    return np.sum(d_max_sq(x) ** 2)


def g_logsumexp(x):
    return np.sum(d_logsumexp(x) ** 2)


def g_softmax_rows(x):
    return np.sum(d_softmax_rows(x) ** 2)


def g_max_axes(x):
    return np.sum(d_max_axes(x) ** 2)


def g_var_std(x):
    return np.sum(d_var_std(x) ** 2)


def g_var_axes(x):
    return np.sum(d_var_axes(x) ** 2)


def g_norm_vec(x):
    return np.sum(d_norm_vec(x) ** 2)


def g_norm_fro(x):
    return np.sum(d_norm_fro(x) ** 2)


def g_norm_rows(x):
    return np.sum(d_norm_rows(x) ** 2)


def g_norm_keepdims(x):
    return np.sum(d_norm_keepdims(x) ** 2)


def g_norm_p(x):
    return np.sum(d_norm_p(x) ** 2)


def g_norm_inf(x):
    return np.sum(d_norm_inf(x) ** 2)


def g_clip_cube(x):
    return np.sum(d_clip_cube(x) ** 2)


def g_cumprod_f(x):
    return np.sum(d_cumprod_f(x) ** 2)


def g_cumprod_axis(x):
    return np.sum(d_cumprod_axis(x) ** 2)


def g_average_f(x):
    return np.sum(d_average_f(x) ** 2)


def g_nan_f(x):
    return np.sum(d_nan_f(x) ** 2)


def g_ptp_nan(x):
    return np.sum(d_ptp_nan(x) ** 2)


def g_float_power_f(x):
    return np.sum(d_float_power_f(x) ** 2)


def g_reshape_order(x):
    return np.sum(d_reshape_order(x) ** 2)


def g_linalg_stack(x):
    return np.sum(d_linalg_stack(x) ** 2)


def g_prod_all(x):
    return np.sum(d_prod_all(x) ** 2)


def g_prod_axes(x):
    return np.sum(d_prod_axes(x) ** 2)


def g_cumsum_sq(x):
    return np.sum(d_cumsum_sq(x) ** 2)


def g_cumsum_axis(x):
    return np.sum(d_cumsum_axis(x) ** 2)


def g_trace_f(x):
    return np.sum(d_trace_f(x) ** 2)


def g_take_f(x):
    return np.sum(d_take_f(x) ** 2)


def g_take_axis(x):
    return np.sum(d_take_axis(x) ** 2)


def g_concat_f(x):
    return np.sum(d_concat_f(x) ** 2)


def g_concat_axis(x):
    return np.sum(d_concat_axis(x) ** 2)


def g_concat_same(x):
    return np.sum(d_concat_same(x) ** 2)


def g_concat_same_axis(x):
    return np.sum(d_concat_same_axis(x) ** 2)


def g_stack_f(x):
    return np.sum(d_stack_f(x) ** 2)


def g_hstack_f(x):
    return np.sum(d_hstack_f(x) ** 2)


def g_shapes_f(x):
    return np.sum(d_shapes_f(x) ** 2)


def g_shapes_axis(x):
    return np.sum(d_shapes_axis(x) ** 2)


def g_sort_f(x):
    return np.sum(d_sort_f(x) ** 2)


def g_sort_axis(x):
    return np.sum(d_sort_axis(x) ** 2)


def g_inv_f(x):
    return np.sum(d_inv_f(x) ** 2)


def g_det_f(x):
    return np.sum(d_det_f(x) ** 2)


def g_solve_a(x):
    return np.sum(d_solve_a(x) ** 2)


def g_solve_b(x):
    return np.sum(d_solve_b(x) ** 2)


def g_solve_both(x):
    return np.sum(d_solve_both(x) ** 2)


def g_cholesky_f(x):
    return np.sum(d_cholesky_f(x) ** 2)


def g_cholesky_upper(x):
    return np.sum(d_cholesky_upper(x) ** 2)


def g_eigh_f(x):
    return np.sum(d_eigh_f(x) ** 2)


def g_svd_f(x):
    return np.sum(d_svd_f(x) ** 2)


def g_pinv_lstsq(x):
    return np.sum(d_pinv_lstsq(x) ** 2)


def g_qr_f(x):
    return np.sum(d_qr_f(x) ** 2)


def g_kron_f(x):
    return np.sum(d_kron_f(x) ** 2)


def g_einsum_f(x):
    return np.sum(d_einsum_f(x) ** 2)


def g_einsum_mat(x):
    return np.sum(d_einsum_mat(x) ** 2)


# (function, its autograd version or None, gradient, squared-gradient norm, input)
CASES = [
    (max_sq, ag_max_sq, d_max_sq, g_max_sq, X4),
    (logsumexp, ag_logsumexp, d_logsumexp, g_logsumexp, X4),
    (softmax_rows, ag_softmax_rows, d_softmax_rows, g_softmax_rows, M34),
    (max_axes, ag_max_axes, d_max_axes, g_max_axes, M34),
    (var_std, ag_var_std, d_var_std, g_var_std, X4),
    (var_axes, ag_var_axes, d_var_axes, g_var_axes, M34),
    (norm_vec, ag_norm_vec, d_norm_vec, g_norm_vec, X4),
    (norm_fro, ag_norm_fro, d_norm_fro, g_norm_fro, M34),
    (norm_rows, ag_norm_rows, d_norm_rows, g_norm_rows, M34),
    (norm_keepdims, None, d_norm_keepdims, g_norm_keepdims, M34),
    (norm_p, None, d_norm_p, g_norm_p, X4),
    (norm_inf, None, d_norm_inf, g_norm_inf, M34),
    (
        clip_cube,
        ag_clip_cube,
        d_clip_cube,
        g_clip_cube,
        np.array([0.3, 1.2, -0.75, 0.5, -1.4]),
    ),
    (ptp_nan, None, d_ptp_nan, g_ptp_nan, M34),
    (cumprod_f, None, d_cumprod_f, g_cumprod_f, X4),
    (cumprod_axis, None, d_cumprod_axis, g_cumprod_axis, M34),
    (average_f, None, d_average_f, g_average_f, M34),
    (nan_f, None, d_nan_f, g_nan_f, M34),
    (float_power_f, None, d_float_power_f, g_float_power_f, X4),
    (reshape_order, None, d_reshape_order, g_reshape_order, M34),
    (prod_all, ag_prod_all, d_prod_all, g_prod_all, X4),
    (prod_all, None, d_prod_all, g_prod_all, XZERO),
    (prod_all, None, d_prod_all, g_prod_all, XZEROS),
    (prod_axes, ag_prod_axes, d_prod_axes, g_prod_axes, M34),
    (cumsum_sq, ag_cumsum_sq, d_cumsum_sq, g_cumsum_sq, X4),
    (cumsum_axis, ag_cumsum_axis, d_cumsum_axis, g_cumsum_axis, M34),
    (trace_f, ag_trace_f, d_trace_f, g_trace_f, M33),
    (take_f, ag_take_f, d_take_f, g_take_f, X4),
    (take_axis, ag_take_axis, d_take_axis, g_take_axis, M34),
    (concat_f, ag_concat_f, d_concat_f, g_concat_f, X4),
    (concat_axis, ag_concat_axis, d_concat_axis, g_concat_axis, M34),
    (concat_same, ag_concat_same, d_concat_same, g_concat_same, X4),
    (
        concat_same_axis,
        ag_concat_same_axis,
        d_concat_same_axis,
        g_concat_same_axis,
        M34,
    ),
    (stack_f, ag_stack_f, d_stack_f, g_stack_f, X4),
    (hstack_f, ag_hstack_f, d_hstack_f, g_hstack_f, X4),
    (shapes_f, None, d_shapes_f, g_shapes_f, X4),
    (shapes_axis, None, d_shapes_axis, g_shapes_axis, M34),
    (sort_f, ag_sort_f, d_sort_f, g_sort_f, X4),
    (sort_axis, None, d_sort_axis, g_sort_axis, M34),
    (inv_f, ag_inv_f, d_inv_f, g_inv_f, M33),
    (det_f, ag_det_f, d_det_f, g_det_f, M33),
    (solve_a, ag_solve_a, d_solve_a, g_solve_a, M33),
    (solve_b, ag_solve_b, d_solve_b, g_solve_b, X3),
    (solve_both, ag_solve_both, d_solve_both, g_solve_both, M33),
    (
        linalg_stack,
        ag_linalg_stack,
        d_linalg_stack,
        g_linalg_stack,
        np.stack([M33, A0.T]),
    ),
    (cholesky_f, ag_cholesky_f, d_cholesky_f, g_cholesky_f, X3),
    (cholesky_upper, None, d_cholesky_upper, g_cholesky_upper, X3),
    (eigh_f, ag_eigh_f, d_eigh_f, g_eigh_f, X3),
    (svd_f, None, d_svd_f, g_svd_f, M34),
    (pinv_lstsq, None, d_pinv_lstsq, g_pinv_lstsq, M34),
    (qr_f, None, d_qr_f, g_qr_f, M34),
    (kron_f, ag_kron_f, d_kron_f, g_kron_f, M34),
    (einsum_f, ag_einsum_f, d_einsum_f, g_einsum_f, X3),
    (einsum_mat, ag_einsum_mat, d_einsum_mat, g_einsum_mat, M33),
]
IDS = [f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)]


def numerical_hessian(df, x):
    """Finite differences of the gradient ``df``, one row per element of ``x``."""
    rows = [numerical_grad(lambda y, k=k: df(y).flat[k], [x], 0) for k in range(x.size)]
    return np.array(rows).reshape(x.shape + x.shape)


def direction(x):
    return np.linspace(-1.0, 1.3, x.size).reshape(x.shape)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_hessian_matches_finite_differences(case):
    f, _, df, _, x = case
    h = tl.hessian(f)(x)
    np.testing.assert_allclose(h, numerical_hessian(df, x), rtol=1e-5, atol=1e-5)
    n = x.size
    np.testing.assert_allclose(h.reshape(n, n), h.reshape(n, n).T, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c[1] is not None],
    ids=[i for i, c in zip(IDS, CASES) if c[1] is not None],
)
def test_hessian_matches_autograd(case):
    f, ag_f, _, _, x = case
    np.testing.assert_allclose(
        tl.hessian(f)(x), autograd.hessian(ag_f)(x), rtol=1e-9, atol=1e-9
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_hvp(case):
    f, _, _, _, x = case
    v = direction(x)
    n = x.size
    want = (tl.hessian(f)(x).reshape(n, n) @ v.reshape(n)).reshape(x.shape)
    np.testing.assert_allclose(tl.hvp(f)(x, v), want, rtol=1e-9, atol=1e-9)


# the gradient through svd's singular values reads U and Vh, whose adjoints are
# refused: its Hessian is forward over reverse only
REVERSE_REFUSED = (svd_f,)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reverse_over_reverse(case):
    f, _, df, g, x = case
    if f in REVERSE_REFUSED:
        with pytest.raises(tl.UnsupportedDerivativeError, match="svd's U and Vh"):
            tl.grad(g)(x)
        return
    got = tl.grad(g)(x)
    np.testing.assert_allclose(got, numerical_grad(g, [x], 0), rtol=1e-5, atol=1e-5)
    n = x.size
    want = 2.0 * (tl.hessian(f)(x).reshape(n, n) @ df(x).reshape(n)).reshape(x.shape)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_over_reverse_in_a_direction(case):
    """jvp(grad(f)) with a dense direction: every tangent template's terms at once."""
    f, _, df, _, x = case
    v = direction(x)
    got = tl.jvp(df)(x, v)
    want = (df(x + 1e-6 * v) - df(x - 1e-6 * v)) / 2e-6
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reverse_over_forward(case):
    f, _, _, _, x = case
    if f in REVERSE_REFUSED:
        with pytest.raises(tl.UnsupportedDerivativeError, match="svd's U and Vh"):
            tl.grad(tl.jvp(f))(x, direction(x))
        return
    v = direction(x)
    n = x.size
    want = (tl.hessian(f)(x).reshape(n, n) @ v.reshape(n)).reshape(x.shape)
    np.testing.assert_allclose(tl.grad(tl.jvp(f))(x, v), want, rtol=1e-9, atol=1e-9)


def test_cumprod_at_zeros_has_no_second_derivative():
    """cumprod's gradient is exact at zeros by cases, which its own derivative is not."""
    np.testing.assert_allclose(
        d_cumprod_f(XZERO), numerical_grad(cumprod_f, [XZERO], 0), rtol=1e-6
    )
    for second in (tl.hessian(cumprod_f), tl.grad(g_cumprod_f)):
        with pytest.raises(tl.UnsupportedDerivativeError, match="cumprod at an input"):
            second(XZERO)


def test_spectral_norm_has_no_second_derivative_yet():
    with pytest.raises(tl.UnsupportedDerivativeError, match="matrix norm with ord=2"):
        tl.hessian(spectral_norm)(M34)


def slogdet_indexed(x):
    return np.linalg.slogdet(x)[1] * 2.0


def test_an_indexed_named_tuple_result():
    """slogdet returns a named tuple: its gradient's zeros are built as one."""
    a = np.array([[2.0, 0.3], [0.1, 1.5]])
    np.testing.assert_allclose(
        tl.grad(slogdet_indexed)(a), 2.0 * np.linalg.inv(a).T, rtol=1e-10
    )


# saves restored by name: the stack of a gradient's code, differentiated again ------


def appended_twice(x):
    """Two loops appending to one list, the second reusing the loop name over
    constants."""
    acc = []
    for v in [x, 2.0 * x]:
        acc.append(np.sin(v))
    for v in [1.0, 2.0]:
        acc.append(v * x)
    return np.sum(np.stack(acc) ** 2)


U6 = np.sin(np.linspace(0.0, 3.0, 6))
X2 = np.array([0.3, 1.2])
D_CLAMPED = tl.grad(clamped)  # sets u_next[0] after making it
D_APPENDED = tl.grad(appended_twice)


def second_difference(f, x, v, h=1e-4):
    """``v . H v`` by central differences of ``f`` along ``v``, in float64."""
    return (f(x + h * v) - 2.0 * f(x) + f(x - h * v)) / (h * h)


def test_a_stepper_restoring_a_saved_array_to_second_order():
    """The array popped back into ``u_next`` is the one pushed under that name,
    made each step: not the argument an earlier push saved (as ``u``)."""
    expected = second_difference(lambda c: clamped(c, U6), 0.1, 1.0)
    assert tl.grad(D_CLAMPED)(0.1, U6) == pytest.approx(expected, rel=1e-5)
    v = np.linspace(-1.0, 1.0, 6)
    vhv = tl.hvp(clamped, wrt=1)(0.1, U6, v) @ v
    expected = second_difference(lambda u: clamped(0.1, u), U6, v)
    assert vhv == pytest.approx(expected, rel=1e-5)


def test_appends_in_two_loops_to_second_order():
    expected = second_difference(appended_twice, 1.5, 1.0)
    assert tl.grad(D_APPENDED)(1.5) == pytest.approx(expected, rel=1e-5)
    v = np.array([1.0, -2.0])
    vhv = tl.hvp(appended_twice)(X2, v) @ v
    assert vhv == pytest.approx(second_difference(appended_twice, X2, v), rel=1e-5)
