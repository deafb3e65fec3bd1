"""Runtime helpers for forward-mode (tangent) templates.

Forward mode passes the literal ``0.0`` as the tangent of a constant input, and
folds it away only through arithmetic and a few known linear calls; the
multilinear helpers here skip such terms instead of computing them.  Like the
other runtime modules they only use NumPy functions that dispatch through
``__array_function__``, and keep the tangent's dtype.
"""

from __future__ import annotations

import numpy

from ..errors import UnsupportedDerivativeError
from .linalg import mT


def is_zero(t) -> bool:
    """Whether ``t`` is the Python ``0.0`` forward mode passes for a constant's tangent."""
    return isinstance(t, float) and t == 0.0


def multilinear(f, operands, tangents, *args, **kwargs):
    """Tangent of ``f(*operands, *args)``, linear in each operand: one term per tangent."""
    terms = []
    for i, t in enumerate(tangents):
        if not is_zero(t):
            ops = list(operands)
            ops[i] = t
            terms.append(f(*ops, *args, **kwargs))
    if not terms:
        return numpy.zeros_like(f(*operands, *args, **kwargs))
    out = terms[0]
    for term in terms[1:]:
        out = out + term
    return out


def einsum_tangent(subscripts, operands, tangents):
    """Tangent of ``einsum(subscripts, *operands)``; ``None`` operands are absent."""
    ops = [op for op in operands if op is not None]
    ts = tangents[: len(ops)]
    return multilinear(lambda *xs: numpy.einsum(subscripts, *xs), ops, ts)


def sort_tangent(da, a, axis=-1):
    """Tangent of ``sort``: the tangent in the sorting permutation."""
    if axis is None:
        a, da, axis = numpy.reshape(a, (-1,)), numpy.reshape(da, (-1,)), 0
    order = numpy.argsort(a, axis=axis, kind="stable")
    return numpy.take_along_axis(da, order, axis=axis)


# linear algebra -------------------------------------------------------------------


def _symmetric(da, upper=False):
    """The symmetric matrix that one triangle of ``da`` stands for (what LAPACK reads)."""
    if upper:
        return numpy.triu(da) + mT(numpy.triu(da, 1))
    return numpy.tril(da) + mT(numpy.tril(da, -1))


def _inverse_gaps(w):
    """``1 / (w[j] - w[i])`` off the diagonal and where values differ, else 0."""
    gap = w[..., None, :] - w[..., :, None]
    return numpy.where(gap == 0, 0, 1 / numpy.where(gap == 0, 1, gap))


def cholesky_tangent(da, z, upper=False):
    """dL = L Phi(L^-1 dA L^-T), Phi: the lower triangle with half its diagonal."""
    low = mT(z) if upper else z
    inv = numpy.linalg.inv(low)
    s = inv @ _symmetric(da, upper) @ mT(inv)
    dlow = low @ (numpy.tril(s) - 0.5 * numpy.tril(numpy.triu(s)))
    return mT(dlow) if upper else dlow


def eigh_tangent(da, w, v, UPLO="L"):
    """(dw, dv) of ``eigh``: dw = diag(V' dA V), dv = V (F * V' dA V)."""
    s = mT(v) @ _symmetric(da, UPLO.upper() == "U") @ v
    dw = numpy.diagonal(s, axis1=-2, axis2=-1)
    return dw, v @ (_inverse_gaps(w) * s)


def svd_tangent(da, a, full_matrices=True, compute_uv=True):
    """Tangent of ``svd`` (reduced factors, or any square input), after JAX's svd_jvp."""
    u, s, vh = numpy.linalg.svd(a, full_matrices=False)
    v = mT(vh)
    dsm = mT(u) @ da @ v
    ds = numpy.diagonal(dsm, axis1=-2, axis2=-1)
    if not compute_uv:
        return ds
    m, n = numpy.shape(a)[-2:]
    if full_matrices and m != n:
        raise UnsupportedDerivativeError(
            "forward mode through svd's full U or Vh of a non-square input"
        )
    sd = s[..., None, :]
    f = _inverse_gaps(s * s)
    du = u @ (f * (dsm * sd + mT(dsm * sd)))
    dv = v @ (f * (mT(sd) * dsm + mT(mT(sd) * dsm)))
    if m > n:
        dav = da @ v
        du = du + (dav - u @ (mT(u) @ dav)) / sd
    if n > m:
        dau = mT(da) @ u
        dv = dv + (dau - v @ (vh @ dau)) / sd
    return du, ds, mT(dv)


def pinv_tangent(da, z, a):
    """Tangent of ``pinv`` at constant rank (Golub & Pereyra)."""
    left = numpy.eye(a.shape[-1], dtype=z.dtype, like=a) - z @ a
    right = numpy.eye(a.shape[-2], dtype=z.dtype, like=a) - a @ z
    dat = mT(da)
    return -z @ da @ z + z @ mT(z) @ dat @ right + left @ dat @ mT(z) @ z


def lstsq_tangent(a, b, z, da, db):
    """Tangents of ``lstsq``'s (solution, residuals, rank, singular values)."""
    x, res, rank, sv = z
    p = numpy.linalg.pinv(a)
    r = b - a @ x
    dx, dr = 0.0, 0.0
    dsv = numpy.zeros_like(sv)
    if not is_zero(db):
        dx, dr = p @ db, db
    if not is_zero(da):
        dax = da @ x
        dx = dx - p @ dax + p @ (mT(p) @ (mT(da) @ r))
        dx = dx + (numpy.eye(a.shape[-1], dtype=p.dtype, like=a) - p @ a) @ (
            mT(da) @ (mT(p) @ x)
        )
        dr = dr - dax
        dsv = svd_tangent(da, a, compute_uv=False)
    dres = 2 * numpy.sum(r * dr, axis=0) if numpy.size(res) else numpy.zeros_like(res)
    return dx, dres, numpy.zeros_like(rank), dsv


def qr_tangent(da, q, r, mode="reduced"):
    """(dq, dr) of the reduced ``qr`` of a square or tall matrix, after JAX's qr_jvp."""
    m, n = numpy.shape(q)[-2], numpy.shape(r)[-1]
    if mode != "reduced" or m < n:
        raise UnsupportedDerivativeError(
            "forward mode through qr other than reduced, m >= n"
        )
    da_rinv = mT(numpy.linalg.solve(mT(r), mT(da)))
    qt = mT(q) @ da_rinv
    low = numpy.tril(qt, -1)
    skew = low - mT(low)
    return q @ (skew - qt) + da_rinv, (qt - skew) @ r
