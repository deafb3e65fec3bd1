"""Tangent (forward-mode) templates for products and ``numpy.linalg``.

Products are linear in each operand: ``bilinear`` declares the product rule, one
term per operand, a term dropped where its operand is constant.
"""

import numpy
import numpy as np

from tangentlike.runtime import mT, require
from tangentlike.template import bilinear, d, linear, linear_in, tangent

from . import numpy_linalg  # noqa: F401  (adjoints first)

linear([numpy.trace, numpy.diagonal, numpy.diag, numpy.triu, numpy.tril])
bilinear([numpy.vdot, numpy.outer, numpy.inner, numpy.tensordot, numpy.kron])
linear_in(numpy.einsum, 1, 2, 3)


# one term per operand; absent operands (None) are not passed
@tangent(numpy.einsum)
def einsum(z, subscripts, a, b=None, c=None):
    if b is None:
        d[z] = np.einsum(subscripts, d[a])
    elif c is None:
        d[z] = np.einsum(subscripts, d[a], b) + np.einsum(subscripts, a, d[b])
    else:
        d[z] = (
            np.einsum(subscripts, d[a], b, c)
            + np.einsum(subscripts, a, d[b], c)
            + np.einsum(subscripts, a, b, d[c])
        )


@tangent(numpy.linalg.inv)
def inv(z, a):
    d[z] = -z @ d[a] @ z


@tangent(numpy.linalg.solve)
def solve(z, a, b):
    d[z] = np.linalg.solve(a, d[b] - d[a] @ z)


@tangent(numpy.linalg.det)
def det(z, a):
    d[z] = z * np.sum(mT(np.linalg.inv(a)) * d[a], axis=(-2, -1))


@tangent(numpy.linalg.slogdet)
def slogdet(z, a):
    d[z] = (np.zeros_like(z[0]), np.sum(mT(np.linalg.inv(a)) * d[a], axis=(-2, -1)))


# dL = L phi(L^-1 dA L^-T), dA the symmetric matrix its triangle stands for
@tangent(numpy.linalg.cholesky)
def cholesky(z, a, upper=False):
    if upper:
        low = mT(z)
        da = np.triu(d[a]) + mT(np.triu(d[a], 1))
    else:
        low = z
        da = np.tril(d[a]) + mT(np.tril(d[a], -1))
    inv = np.linalg.inv(low)
    s = inv @ da @ mT(inv)
    dlow = low @ (np.tril(s) - 0.5 * np.tril(np.triu(s)))
    if upper:
        d[z] = mT(dlow)
    else:
        d[z] = dlow


# dw = diag(v' dA v), dv = v (F * v' dA v), F the inverse gaps of the eigenvalues
@tangent(numpy.linalg.eigh)
def eigh(z, a, UPLO="L"):
    if UPLO == "U" or UPLO == "u":
        da = np.triu(d[a]) + mT(np.triu(d[a], 1))
    else:
        da = np.tril(d[a]) + mT(np.tril(d[a], -1))
    v = z[1]
    s = mT(v) @ da @ v
    gap = z[0][..., None, :] - z[0][..., :, None]
    f = np.where(gap == 0, 0.0, 1.0 / np.where(gap == 0, 1.0, gap))
    d[z] = (np.diagonal(s, axis1=-2, axis2=-1), v @ (f * s))


# after JAX's svd_jvp; the terms over / sd are zero where u or v is square
@tangent(numpy.linalg.svd)
def svd(z, a, full_matrices=True, compute_uv=True, hermitian=False):
    if compute_uv:
        square = a.shape[-1] == a.shape[-2]
        require(square or not full_matrices, "svd's full U or Vh of a non-square input")
        u = z[0]
        s = z[1]
        v = mT(z[2])
    else:
        u, s, vt = np.linalg.svd(a, full_matrices=False)
        v = mT(vt)
    dsm = mT(u) @ d[a] @ v
    ds = np.diagonal(dsm, axis1=-2, axis2=-1)
    if compute_uv:
        sd = s[..., None, :]
        gap = s[..., None, :] ** 2 - s[..., :, None] ** 2
        f = np.where(gap == 0, 0.0, 1.0 / np.where(gap == 0, 1.0, gap))
        dav = d[a] @ v
        dau = mT(d[a]) @ u
        du = u @ (f * (dsm * sd + mT(dsm * sd))) + (dav - u @ (mT(u) @ dav)) / sd
        dv = (
            v @ (f * (mT(sd) * dsm + mT(mT(sd) * dsm))) + (dau - v @ (mT(v) @ dau)) / sd
        )
        d[z] = (du, ds, mT(dv))
    else:
        d[z] = ds


# Golub & Pereyra (constant rank)
@tangent(numpy.linalg.pinv)
def pinv(z, a, rcond=None, hermitian=False):
    left = np.eye(a.shape[-1], dtype=z.dtype) - z @ a
    right = np.eye(a.shape[-2], dtype=z.dtype) - a @ z
    dat = mT(d[a])
    d[z] = -z @ d[a] @ z + z @ mT(z) @ dat @ right + left @ dat @ mT(z) @ z


# the solution through pinv; the residuals sum(r * r), r = b - a x, move with r
# alone (a'r = 0); the singular values as svd's
@tangent(numpy.linalg.lstsq)
def lstsq(z, a, b, rcond=None):
    x = z[0]
    p = np.linalg.pinv(a)
    r = b - a @ x
    dax = d[a] @ x
    eye = np.eye(a.shape[-1], dtype=p.dtype)
    dx = p @ (d[b] - dax) + p @ (mT(p) @ (mT(d[a]) @ r))
    dx = dx + (eye - p @ a) @ (mT(d[a]) @ (mT(p) @ x))
    dres = 2.0 * np.atleast_1d(np.sum(r * (d[b] - dax), axis=0))[: np.size(z[1])]
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    dsv = np.diagonal(mT(u) @ d[a] @ mT(vt), axis1=-2, axis2=-1)
    d[z] = (dx, dres, np.zeros_like(z[2]), dsv)


# after JAX's qr_jvp: reduced QR of a square or tall matrix
@tangent(numpy.linalg.qr)
def qr(z, a, mode="reduced"):
    if mode != "reduced":
        raise NotImplementedError("qr with a mode other than 'reduced'")
    q = z[0]
    r = z[1]
    require(q.shape[-2] >= r.shape[-1], "qr of a wide matrix")
    da_rinv = mT(np.linalg.solve(mT(r), mT(d[a])))
    qt = mT(q) @ da_rinv
    low = np.tril(qt, -1)
    skew = low - mT(low)
    d[z] = (q @ (skew - qt) + da_rinv, (qt - skew) @ r)
