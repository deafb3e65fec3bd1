"""Tangent (forward-mode) templates for products and ``numpy.linalg``.

Products are linear in each operand: ``multilinear`` sums one term per operand
with a tangent, skipping the ``0.0`` forward mode passes for constant operands.
"""

import numpy
import numpy as np

from tangentlike.runtime import mT
from tangentlike.runtime.tangents import (
    cholesky_tangent,
    eigh_tangent,
    einsum_tangent,
    lstsq_tangent,
    multilinear,
    pinv_tangent,
    qr_tangent,
    svd_tangent,
)
from tangentlike.template import d, tangent

from .tangents_numpy import linear

linear(numpy.trace, numpy.diagonal, numpy.diag, numpy.triu, numpy.tril)


@tangent(numpy.vdot)
def vdot(z, a, b):
    d[z] = np.dot(np.ravel(d[a]), np.ravel(b)) + np.dot(np.ravel(a), np.ravel(d[b]))


@tangent(numpy.outer)
def outer(z, a, b):
    d[z] = np.reshape(d[a], (-1, 1)) * np.ravel(b) + np.reshape(a, (-1, 1)) * np.ravel(
        d[b]
    )


@tangent(numpy.inner)
def inner(z, a, b):
    d[z] = multilinear(np.inner, (a, b), (d[a], d[b]))


@tangent(numpy.tensordot)
def tensordot(z, a, b, axes=2):
    d[z] = multilinear(np.tensordot, (a, b), (d[a], d[b]), axes)


@tangent(numpy.kron)
def kron(z, a, b):
    d[z] = multilinear(np.kron, (a, b), (d[a], d[b]))


@tangent(numpy.einsum)
def einsum(z, subscripts, a, b=None, c=None):
    d[z] = einsum_tangent(subscripts, (a, b, c), (d[a], d[b], d[c]))


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


@tangent(numpy.linalg.cholesky)
def cholesky(z, a, upper=False):
    d[z] = cholesky_tangent(d[a], z, upper)


@tangent(numpy.linalg.eigh)
def eigh(z, a, UPLO="L"):
    d[z] = eigh_tangent(d[a], z[0], z[1], UPLO)


@tangent(numpy.linalg.svd)
def svd(z, a, full_matrices=True, compute_uv=True, hermitian=False):
    d[z] = svd_tangent(d[a], a, full_matrices, compute_uv)


@tangent(numpy.linalg.pinv)
def pinv(z, a, rcond=None, hermitian=False):
    d[z] = pinv_tangent(d[a], z, a)


@tangent(numpy.linalg.lstsq)
def lstsq(z, a, b, rcond=None):
    d[z] = lstsq_tangent(a, b, z, d[a], d[b])


@tangent(numpy.linalg.qr)
def qr(z, a, mode="reduced"):
    d[z] = qr_tangent(d[a], z[0], z[1], mode)
