"""NumPy reductions and scans beyond sum/mean: max/min, prod, var, std, average,
nan-reductions, cumsum, cumprod, ptp, norm.

A reduction's gradient is ``unreduce(g, a, axis, keepdims)`` (the gradient spread
back over the reduced axes) times d y / d a; where the local derivative is itself
a reduction (a mean, a count of ties), it is taken of the small result before it
is spread: one pass over the array less.
"""

import numpy
import numpy as np

from tangentlike.runtime import (
    first_zeros,
    norm_grad,
    prod_others,
    reduced_size,
    unbroadcast,
    unreduce,
    weights_shape,
    zero_cases,
)
from tangentlike.template import adjoint, d, linear


# ties share the gradient equally
@adjoint([numpy.max, numpy.amax, numpy.min, numpy.amin, numpy.nanmax, numpy.nanmin])
def max(y, a, axis=None, out=None, keepdims=False):
    hit = a == unreduce(y, a, axis, keepdims)
    count = np.sum(hit, axis=axis, keepdims=keepdims, dtype=y.dtype)
    d[a] = unreduce(d[y] / count, a, axis, keepdims) * hit


@adjoint(numpy.ptp)
def ptp(y, a, axis=None, out=None, keepdims=False):
    hi = a == np.max(a, axis=axis, keepdims=True)
    lo = a == np.min(a, axis=axis, keepdims=True)
    share = hi / np.sum(hi, axis=axis, keepdims=True, dtype=y.dtype) - lo / np.sum(
        lo, axis=axis, keepdims=True, dtype=y.dtype
    )
    d[a] = unreduce(d[y], a, axis, keepdims) * share


# exact where a has zeros: prod_others multiplies the other elements, no division
@adjoint(numpy.prod)
def prod(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = unreduce(d[y], a, axis, keepdims) * prod_others(a, axis)


# var(a, mean=m): the deviations from m, whatever m is (d[m] is zero only where m
# is a's mean)
@adjoint(numpy.var)
def var(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, mean=None):
    scale = 2.0 / reduced_size(a, axis, ddof)
    if mean is None:
        centered = a - np.mean(a, axis=axis, keepdims=True)
        d[a] = unreduce(d[y] * scale, a, axis, keepdims) * centered
    else:
        spread = unreduce(d[y] * scale, a, axis, keepdims) * (a - mean)
        d[a] = spread
        d[mean] = -unbroadcast(spread, mean)


@adjoint(numpy.std)
def std(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, mean=None):
    scale = 1.0 / reduced_size(a, axis, ddof)
    if mean is None:
        centered = a - np.mean(a, axis=axis, keepdims=True)
        d[a] = unreduce(d[y] * scale / y, a, axis, keepdims) * centered
    else:
        spread = unreduce(d[y] * scale / y, a, axis, keepdims) * (a - mean)
        d[a] = spread
        d[mean] = -unbroadcast(spread, mean)


# y = sum(w * a) / sum(w) along axis; 1-D weights are laid along that axis first
@adjoint(numpy.average)
def average(y, a, axis=None, weights=None, returned=False, keepdims=False):
    if returned:
        g = d[y][0]
        mean = y[0]
    else:
        g = d[y]
        mean = y
    if weights is None:
        d[a] = unreduce(g / reduced_size(a, axis), a, axis, keepdims)
    else:
        w = np.reshape(weights, weights_shape(weights, a, axis))
        share = unreduce(g, a, axis, keepdims) / np.sum(w, axis=axis, keepdims=True)
        d[a] = share * w
        if returned:
            gw = share * (a - unreduce(mean, a, axis, keepdims)) + unreduce(
                d[y][1], a, axis, keepdims
            )
        else:
            gw = share * (a - unreduce(mean, a, axis, keepdims))
        d[weights] = np.reshape(unbroadcast(gw, w), np.shape(weights))


@adjoint(numpy.nansum)
def nansum(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = np.where(np.isnan(a), 0.0, unreduce(d[y], a, axis, keepdims))


@adjoint(numpy.nanmean)
def nanmean(y, a, axis=None, dtype=None, out=None, keepdims=False):
    kept = ~np.isnan(a)
    count = np.sum(kept, axis=axis, keepdims=keepdims, dtype=y.dtype)
    d[a] = unreduce(d[y] / count, a, axis, keepdims) * kept


# a reversed cumulative sum; with axis=None, of the flattened array
@adjoint(numpy.cumsum)
def cumsum(y, a, axis=None, dtype=None, out=None):
    d[a] = np.reshape(
        np.flip(np.cumsum(np.flip(d[y], axis), axis=axis), axis), np.shape(a)
    )


if hasattr(numpy, "cumulative_sum"):  # NumPy 2.1
    # cumsum's, the initial zero (include_initial=True) taking no gradient
    @adjoint(numpy.cumulative_sum)
    def cumulative_sum(y, x, axis=None, dtype=None, out=None, include_initial=False):
        if include_initial:
            g = np.delete(d[y], 0, axis=axis)
        else:
            g = d[y]
        d[x] = np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis)

    linear(numpy.cumulative_sum)


# exact where a has zeros: before a slice's first zero a ratio of products, at
# it a sum of the products that skip it, after it 0
@adjoint(numpy.cumprod)
def cumprod(y, a, axis=None, dtype=None, out=None):
    flat = np.reshape(zero_cases(a, a), np.shape(y))
    before, first = first_zeros(flat, axis)
    c = np.cumprod(np.where(first, 1.0, flat), axis=axis)
    ahead = np.flip(np.cumsum(np.flip(d[y] * c, axis), axis=axis), axis)
    tail = np.flip(np.cumsum(np.flip(d[y] * c * before, axis), axis=axis), axis)
    at_zero = np.where(first, ahead, 0.0)
    d[a] = np.reshape(
        np.where(before, tail / np.where(before, flat, 1.0), at_zero), np.shape(a)
    )


# the 2-norm (and Frobenius norm) here; other orders in norm_grad
@adjoint(numpy.linalg.norm)
def norm(y, x, ord=None, axis=None, keepdims=False):
    if ord is None:
        d[x] = unreduce(d[y] / y, x, axis, keepdims) * x
    else:
        d[x] = norm_grad(d[y], y, x, ord, axis, keepdims)
