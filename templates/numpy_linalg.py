"""Products and linear algebra: einsum-family products, triangles, numpy.linalg."""

import numpy
import numpy as np

from tangentlike.runtime import (
    cholesky_grad,
    diag_grad,
    diagonal_grad,
    eigh_grad,
    einsum_grad,
    inner_subscripts,
    kron_grads,
    lstsq_grads,
    mT,
    pinv_grad,
    qr_grad,
    solve_lhs,
    solve_rhs,
    svd_grad,
    tensordot_subscripts,
    trace_grad,
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


@adjoint(numpy.kron)
def kron(z, a, b):
    d[a] = kron_grads(d[z], a, b)[0]
    d[b] = kron_grads(d[z], a, b)[1]


@adjoint(numpy.trace)
def trace(z, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    d[a] = trace_grad(d[z], a, offset, axis1, axis2)


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


@adjoint(numpy.linalg.cholesky)
def cholesky(z, a, upper=False):
    d[a] = cholesky_grad(d[z], z)


@adjoint(numpy.linalg.eigh)
def eigh(z, a, UPLO="L"):
    d[a] = eigh_grad(d[z], z[0], z[1])


@adjoint(numpy.linalg.svd)
def svd(z, a, full_matrices=True, compute_uv=True, hermitian=False):
    d[a] = svd_grad(d[z], a, compute_uv)


@adjoint(numpy.linalg.pinv)
def pinv(z, a, rcond=None, hermitian=False):
    d[a] = pinv_grad(d[z], z, a)


@adjoint(numpy.linalg.lstsq)
def lstsq(z, a, b, rcond=None):
    d[a] = lstsq_grads(d[z], a, b)[0]
    d[b] = lstsq_grads(d[z], a, b)[1]


@adjoint(numpy.linalg.qr)
def qr(z, a, mode="reduced"):
    d[a] = qr_grad(d[z], z[0], z[1])
