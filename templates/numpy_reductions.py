"""NumPy reductions and scans beyond sum/mean/max/min: prod, var, std, average, norm..."""

import numpy

from tangentlike.runtime import (
    average_grads,
    cumprod_grad,
    cumsum_grad,
    max_grad,
    nan_grad,
    norm_grad,
    prod_grad,
    ptp_grad,
    var_grad,
)
from tangentlike.template import adjoint, d


@adjoint(numpy.prod)
def prod(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = prod_grad(d[y], a, axis, keepdims)


@adjoint(numpy.var)
def var(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[a] = var_grad(d[y], a, axis, ddof, keepdims)


@adjoint(numpy.std)
def std(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[a] = var_grad(0.5 * d[y] / y, a, axis, ddof, keepdims)


@adjoint(numpy.average)
def average(y, a, axis=None, weights=None, returned=False, keepdims=False):
    d[a] = average_grads(d[y], a, axis, weights, keepdims)[0]
    d[weights] = average_grads(d[y], a, axis, weights, keepdims)[1]


@adjoint(numpy.cumsum)
def cumsum(y, a, axis=None, dtype=None, out=None):
    d[a] = cumsum_grad(d[y], a, axis)


@adjoint(numpy.cumprod)
def cumprod(y, a, axis=None, dtype=None, out=None):
    d[a] = cumprod_grad(d[y], a, axis)


@adjoint(numpy.ptp)
def ptp(y, a, axis=None, out=None, keepdims=False):
    d[a] = ptp_grad(d[y], a, axis, keepdims)


@adjoint(numpy.nansum)
def nansum(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = nan_grad(d[y], a, axis, keepdims)


@adjoint(numpy.nanmean)
def nanmean(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = nan_grad(d[y], a, axis, keepdims, True)


@adjoint([numpy.nanmax, numpy.nanmin])
def nanmax(y, a, axis=None, out=None, keepdims=False):
    d[a] = max_grad(d[y], y, a, axis, keepdims)


@adjoint(numpy.linalg.norm)
def norm(y, x, ord=None, axis=None, keepdims=False):
    d[x] = norm_grad(d[y], y, x, ord, axis, keepdims)
