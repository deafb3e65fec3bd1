"""Products and linear algebra: einsum-family products, triangles, numpy.linalg."""

import numpy
import numpy as np

from tangentlike.runtime import (
    diag_grad,
    diagonal_grad,
    einsum_grad,
    inner_subscripts,
    kron_layout,
    matmul_lhs,
    mT,
    require,
    solve_lhs,
    solve_rhs,
    tensordot_subscripts,
    unreduce,
)
from tangentlike.template import adjoint, d


@adjoint(numpy.einsum)
def einsum(z, subscripts, a, b=None, c=None):
    d[a] = einsum_grad(d[z], subscripts, 0, a, b, c)
    d[b] = einsum_grad(d[z], subscripts, 1, a, b, c)
    d[c] = einsum_grad(d[z], subscripts, 2, a, b, c)


@adjoint(numpy.tensordot)
def tensordot(z, a, b, axes=2):
    d[a] = einsum_grad(d[z], tensordot_subscripts(a, b, axes), 0, a, b)
    d[b] = einsum_grad(d[z], tensordot_subscripts(a, b, axes), 1, a, b)


@adjoint(numpy.inner)
def inner(z, a, b):
    d[a] = einsum_grad(d[z], inner_subscripts(a, b), 0, a, b)
    d[b] = einsum_grad(d[z], inner_subscripts(a, b), 1, a, b)


@adjoint(numpy.vdot)
def vdot(z, a, b):
    d[a] = d[z] * np.reshape(b, np.shape(a))
    d[b] = d[z] * np.reshape(a, np.shape(b))


@adjoint(numpy.outer)
def outer(z, a, b):
    d[a] = np.reshape(d[z] @ np.ravel(b), np.shape(a))
    d[b] = np.reshape(np.ravel(a) @ d[z], np.shape(b))


# each block of the product is one element of a times b: the blocks' axes split
# out, each operand's gradient is an einsum of them with the other operand
@adjoint(numpy.kron)
def kron(z, a, b):
    split, spec_a, spec_b, shape_a, shape_b = kron_layout(a, b)
    blocks = np.reshape(d[z], split)
    d[a] = np.reshape(np.einsum(spec_a, blocks, np.reshape(b, shape_b)), np.shape(a))
    d[b] = np.reshape(np.einsum(spec_b, blocks, np.reshape(a, shape_a)), np.shape(b))


# the gradient spread along the diagonal
@adjoint(numpy.trace)
def trace(z, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    on_diagonal = np.diagonal(a, offset, axis1, axis2)
    d[a] = diagonal_grad(unreduce(d[z], on_diagonal, -1), a, offset, axis1, axis2)


@adjoint(numpy.diagonal)
def diagonal(z, a, offset=0, axis1=0, axis2=1):
    d[a] = diagonal_grad(d[z], a, offset, axis1, axis2)


@adjoint(numpy.diag)
def diag(z, v, k=0):
    d[v] = diag_grad(d[z], v, k)


@adjoint(numpy.triu)
def triu(z, m, k=0):
    d[m] = np.triu(d[z], k)


@adjoint(numpy.tril)
def tril(z, m, k=0):
    d[m] = np.tril(d[z], k)


@adjoint(numpy.linalg.inv)
def inv(z, a):
    d[a] = -mT(z) @ d[z] @ mT(z)


@adjoint(numpy.linalg.solve)
def solve(z, a, b):
    d[a] = solve_lhs(d[z], z, a, b)
    d[b] = solve_rhs(d[z], a, b)


@adjoint(numpy.linalg.det)
def det(z, a):
    d[a] = np.expand_dims(d[z] * z, (-2, -1)) * mT(np.linalg.inv(a))


@adjoint(numpy.linalg.slogdet)
def slogdet(z, a):
    d[a] = np.expand_dims(d[z][1], (-2, -1)) * mT(np.linalg.inv(a))


# Murray (2016), symmetrised: phi keeps the lower triangle and half the diagonal
@adjoint(numpy.linalg.cholesky)
def cholesky(z, a, upper=False):
    if upper:
        low = mT(z)
        g = mT(d[z])
    else:
        low = z
        g = d[z]
    inv = np.linalg.inv(low)
    p = mT(low) @ g
    phi = np.tril(p) - 0.5 * np.triu(np.tril(p))
    s = mT(inv) @ phi @ inv
    d[a] = 0.5 * (s + mT(s))


# v (F * v'gv + diag(gw)) v', F the inverse gaps of the eigenvalues, symmetrised
@adjoint(numpy.linalg.eigh)
def eigh(z, a, UPLO="L"):
    w = z[0]
    v = z[1]
    gap = w[..., None, :] - w[..., :, None]
    f = np.where(gap == 0, 0.0, 1.0 / np.where(gap == 0, 1.0, gap))
    gw = np.expand_dims(d[z][0], -2) * np.eye(w.shape[-1], dtype=w.dtype)
    out = v @ (f * (mT(v) @ d[z][1]) + gw) @ mT(v)
    d[a] = 0.5 * (out + mT(out))


# through the singular values: u diag(gs) v'
@adjoint(numpy.linalg.svd)
def svd(z, a, full_matrices=True, compute_uv=True, hermitian=False):
    if compute_uv:
        unused = np.any(d[z][0]) or np.any(d[z][2])
        require(not unused, "svd's U and Vh (its singular values, yes)")
        gs = d[z][1]
    else:
        gs = d[z]
    if compute_uv and not full_matrices:
        u = z[0]
        vt = z[2]
    else:
        u, s, vt = np.linalg.svd(a, full_matrices=False)
    d[a] = (u * np.expand_dims(gs, -2)) @ vt


# Golub & Pereyra (constant rank)
@adjoint(numpy.linalg.pinv)
def pinv(z, a, rcond=None, hermitian=False):
    left = np.eye(a.shape[-2], dtype=a.dtype) - a @ z
    right = np.eye(a.shape[-1], dtype=a.dtype) - z @ a
    gt = mT(d[z])
    d[a] = -mT(z) @ d[z] @ mT(z) + left @ gt @ z @ mT(z) + mT(z) @ z @ gt @ right


# the solution is pinv(a) @ b: b's gradient, and a's through pinv (Golub & Pereyra)
@adjoint(numpy.linalg.lstsq)
def lstsq(z, a, b, rcond=None):
    unused = np.any(d[z][1]) or np.any(d[z][3])
    require(not unused, "lstsq's residuals and singular values (its solution, yes)")
    p = np.linalg.pinv(a)
    d[b] = mT(p) @ d[z][0]
    gp = matmul_lhs(d[z][0], p, b)
    left = np.eye(a.shape[-2], dtype=a.dtype) - a @ p
    right = np.eye(a.shape[-1], dtype=a.dtype) - p @ a
    gt = mT(gp)
    d[a] = -mT(p) @ gp @ mT(p) + left @ gt @ p @ mT(p) + mT(p) @ p @ gt @ right


# reduced QR of a square or tall matrix
@adjoint(numpy.linalg.qr)
def qr(z, a, mode="reduced"):
    if mode != "reduced":
        raise NotImplementedError("qr with a mode other than 'reduced'")
    q = z[0]
    r = z[1]
    require(q.shape[-2] >= r.shape[-1], "qr of a wide matrix")
    m = r @ mT(d[z][1]) - mT(d[z][0]) @ q
    b = d[z][0] + q @ (np.tril(m) + mT(np.tril(m, -1)))
    d[a] = mT(np.linalg.solve(r, mT(b)))
