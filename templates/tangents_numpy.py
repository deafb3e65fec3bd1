"""Tangent (forward-mode) templates for NumPy's elementwise binary functions,
reductions and shape functions.

Most shape functions are linear: ``linear(numpy.flip)`` registers
``d[y] = np.flip(d[m], axis=axis)``, the function applied to the tangent with the
same arguments as its adjoint template.  A reduction's tangent is the tangent
times d y / d a, summed over the reduced axes.
"""

import math

import numpy
import numpy as np

from tangentlike.runtime import (
    broadcast_like,
    first_zeros,
    norm_grad,
    pad_tangent,
    prod_others,
    reduced_size,
    safe_log,
    unreduce,
    weights_shape,
    zero_cases,
)
from tangentlike.template import d, linear, tangent

from . import numpy_linalg, numpy_reductions, numpy_shapes  # noqa: F401  (adjoints first)

# elementwise ------------------------------------------------------------------------


@tangent([numpy.arctan2, math.atan2])
def arctan2(z, x1, x2):
    d[z] = (d[x1] * x2 - d[x2] * x1) / (x1 * x1 + x2 * x2)


@tangent([numpy.hypot, math.hypot])
def hypot(z, x1, x2):
    d[z] = (d[x1] * x1 + d[x2] * x2) / z


@tangent(numpy.logaddexp)
def logaddexp(z, x1, x2):
    d[z] = d[x1] * np.exp(x1 - z) + d[x2] * np.exp(x2 - z)


@tangent(numpy.logaddexp2)
def logaddexp2(z, x1, x2):
    d[z] = d[x1] * np.exp2(x1 - z) + d[x2] * np.exp2(x2 - z)


@tangent(numpy.fmax)
def fmax(z, x1, x2):
    d[z] = broadcast_like(np.where((x1 >= x2) | np.isnan(x2), d[x1], d[x2]), z)


@tangent(numpy.fmin)
def fmin(z, x1, x2):
    d[z] = broadcast_like(np.where((x1 <= x2) | np.isnan(x2), d[x1], d[x2]), z)


@tangent(numpy.copysign)
def copysign(z, x1, x2):
    d[z] = d[x1] * np.copysign(1.0, x1) * np.copysign(1.0, x2)


@tangent(numpy.float_power)
def float_power(z, x1, x2):
    d[z] = d[x1] * x2 * np.float_power(x1, x2 - 1) + d[x2] * z * safe_log(x1)


# reductions and scans -------------------------------------------------------------


@tangent(numpy.prod)
def prod(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[y] = np.sum(d[a] * prod_others(a, axis), axis=axis, keepdims=keepdims)


@tangent(numpy.var)
def var(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, mean=None):
    scale = 2.0 / reduced_size(a, axis, ddof)
    if mean is None:
        centered = a - np.mean(a, axis=axis, keepdims=True)
        d[y] = np.sum(d[a] * centered, axis=axis, keepdims=keepdims) * scale
    else:  # the deviations from the mean given
        moved = (d[a] - d[mean]) * (a - mean)
        d[y] = np.sum(moved, axis=axis, keepdims=keepdims) * scale


@tangent(numpy.std)
def std(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, mean=None):
    scale = 1.0 / reduced_size(a, axis, ddof)
    if mean is None:
        centered = a - np.mean(a, axis=axis, keepdims=True)
        d[y] = np.sum(d[a] * centered, axis=axis, keepdims=keepdims) * scale / y
    else:  # the deviations from the mean given
        moved = (d[a] - d[mean]) * (a - mean)
        d[y] = np.sum(moved, axis=axis, keepdims=keepdims) * scale / y


# y = sum(w * a) / sum(w) along axis; 1-D weights are laid along that axis first
@tangent(numpy.average)
def average(y, a, axis=None, weights=None, returned=False, keepdims=False):
    if weights is None and returned:
        d[y] = (np.mean(d[a], axis=axis, keepdims=keepdims), np.zeros_like(y[1]))
    elif weights is None:
        d[y] = np.mean(d[a], axis=axis, keepdims=keepdims)
    else:
        if returned:
            mean = y[0]
        else:
            mean = y
        w = np.reshape(weights, weights_shape(weights, a, axis))
        dw = np.reshape(d[weights], np.shape(w))
        centered = a - unreduce(mean, a, axis, keepdims)
        dmean = np.sum(w * d[a] + dw * centered, axis=axis, keepdims=keepdims)
        dmean = dmean / np.sum(w, axis=axis, keepdims=keepdims)
        if returned:
            dtotal = np.sum(dw, axis=axis, keepdims=keepdims)
            d[y] = (dmean, np.zeros_like(y[1]) + dtotal)
        else:
            d[y] = dmean


# exact where a has zeros (see the adjoint): after a slice's first zero only that
# zero's tangent counts
@tangent(numpy.cumprod)
def cumprod(y, a, axis=None, dtype=None, out=None):
    flat = np.reshape(zero_cases(a, a), np.shape(y))
    before, first = first_zeros(flat, axis)
    c = np.cumprod(np.where(first, 1.0, flat), axis=axis)
    da = np.reshape(d[a], np.shape(y))
    ratios = np.cumsum(
        np.where(before, da / np.where(before, flat, 1.0), 0.0), axis=axis
    )
    at_zero = np.sum(np.where(first, da, 0.0), axis=axis, keepdims=True)
    d[y] = c * np.where(before, ratios, at_zero)


@tangent(numpy.ptp)
def ptp(y, a, axis=None, out=None, keepdims=False):
    hi = a == np.max(a, axis=axis, keepdims=True)
    lo = a == np.min(a, axis=axis, keepdims=True)
    d[y] = np.sum(d[a] * hi, axis=axis, keepdims=keepdims) / np.sum(
        hi, axis=axis, keepdims=keepdims, dtype=y.dtype
    ) - np.sum(d[a] * lo, axis=axis, keepdims=keepdims) / np.sum(
        lo, axis=axis, keepdims=keepdims, dtype=y.dtype
    )


@tangent(numpy.nansum)
def nansum(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[y] = np.sum(np.where(np.isnan(a), 0, d[a]), axis=axis, keepdims=keepdims)


@tangent(numpy.nanmean)
def nanmean(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[y] = np.nanmean(np.where(np.isnan(a), np.nan, d[a]), axis=axis, keepdims=keepdims)


@tangent(numpy.linalg.norm)
def norm(y, x, ord=None, axis=None, keepdims=False):
    if ord is None:
        d[y] = np.sum(d[x] * x, axis=axis, keepdims=keepdims) / y
    else:
        local = norm_grad(np.ones_like(y), y, x, ord, axis, keepdims)
        d[y] = np.sum(d[x] * local, axis=axis, keepdims=keepdims)


linear(numpy.cumsum)

# shapes and indexing ----------------------------------------------------------------

linear(
    [
        numpy.expand_dims,
        numpy.squeeze,
        numpy.swapaxes,
        numpy.moveaxis,
        numpy.broadcast_to,
        numpy.concatenate,
        numpy.stack,
        numpy.hstack,
        numpy.vstack,
        numpy.column_stack,
        numpy.split,
        numpy.array_split,
        numpy.tile,
        numpy.repeat,
        numpy.flip,
        numpy.fliplr,
        numpy.flipud,
        numpy.roll,
        numpy.take,
        numpy.take_along_axis,
        numpy.diff,
    ]
)
linear([numpy.atleast_1d, numpy.atleast_2d], params=())


@tangent(numpy.pad)
def pad(
    y,
    array,
    pad_width,
    mode="constant",
    stat_length=None,
    constant_values=0,
    end_values=0,
    reflect_type="even",
):
    d[y] = pad_tangent(
        d[array],
        d[constant_values],
        d[end_values],
        array,
        pad_width,
        mode,
        stat_length,
        reflect_type,
    )


@tangent(numpy.sort)
def sort(y, a, axis=-1, kind=None, order=None):
    d[y] = np.take_along_axis(d[a], np.argsort(a, axis=axis, kind="stable"), axis)
