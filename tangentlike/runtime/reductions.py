"""Gradients of reductions and scans: max, var, prod, average, nan-reductions, cumsum,
cumprod, ptp, norm.
"""

from __future__ import annotations

import numpy

from ..errors import UnsupportedDerivativeError
from .broadcast import _cast, reduced_size, unreduce


def max_grad(g, y, a, axis=None, keepdims=False):
    """Gradient of max/min/nanmax/nanmin: shared equally between ties."""
    hit = a == unreduce(y, a, axis, keepdims)
    count = hit.sum(axis=axis, keepdims=True)
    return _cast(unreduce(g, a, axis, keepdims) * hit / count, a)


def var_grad(g, a, axis=None, ddof=0, keepdims=False):
    """Gradient of ``var(a, axis, ddof)``."""
    centered = a - a.mean(axis=axis, keepdims=True)
    scale = 2.0 / (reduced_size(a, axis) - ddof)
    return unreduce(g, a, axis, keepdims) * centered * scale


def prod_grad(g, a, axis=None, keepdims=False):
    """Gradient of ``prod``, exact where ``a`` has zeros."""
    return unreduce(g, a, axis, keepdims) * prod_others(a, axis)


def prod_others(a, axis=None):
    """d prod(a, axis) / d a: the product of the other elements of each slice, by
    exclusive cumulative products from both ends (no division, so zeros are exact)."""
    flat, restore = _slices_last(a, axis)
    ones = numpy.ones_like(flat[..., :1])
    left = numpy.cumprod(numpy.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    rev = numpy.flip(flat, -1)[..., :-1]
    right = numpy.flip(
        numpy.cumprod(numpy.concatenate([ones, rev], axis=-1), axis=-1), -1
    )
    return restore(left * right)


def _slices_last(a, axis):
    """``a`` with the reduced axes flattened into the last one, and the inverse map."""
    shape = numpy.shape(a)
    if axis is None:
        return numpy.reshape(a, (-1,)), lambda r: numpy.reshape(r, shape)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    axes = [ax % len(shape) for ax in axes]
    ends = list(range(-len(axes), 0))
    moved = numpy.moveaxis(a, axes, ends)
    flat = numpy.reshape(moved, numpy.shape(moved)[: len(shape) - len(axes)] + (-1,))
    return flat, lambda r: numpy.moveaxis(
        numpy.reshape(r, numpy.shape(moved)), ends, axes
    )


def average_grads(g, a, axis=None, weights=None, keepdims=False):
    """Gradients of ``average`` with respect to ``a`` and to ``weights``."""
    if weights is None:
        return unreduce(g, a, axis, keepdims) / reduced_size(a, axis), None
    w = weights
    if numpy.ndim(w) == 1 and numpy.ndim(a) > 1:
        shape = [1] * numpy.ndim(a)
        shape[axis] = -1
        w = numpy.reshape(w, shape)
    total = (
        w.sum(axis=axis, keepdims=True) if numpy.ndim(w) == numpy.ndim(a) else w.sum()
    )
    ga = unreduce(g, a, axis, keepdims) * w / total
    y = (a * w).sum(axis=axis, keepdims=True) / total
    gw = unreduce(g, a, axis, keepdims) * (a - y) / total
    if numpy.ndim(weights) != numpy.ndim(gw):
        gw = (
            numpy.moveaxis(gw, axis, -1)
            .reshape(-1, numpy.shape(weights)[0])
            .sum(axis=0)
        )
    return _cast(ga, a), _cast(gw, weights)


def nan_grad(g, a, axis=None, keepdims=False, mean=False):
    """Gradient of ``nansum`` (and ``nanmean`` with ``mean=True``)."""
    ok = ~numpy.isnan(a)
    out = numpy.where(ok, unreduce(g, a, axis, keepdims), 0)
    if mean:
        out = out / ok.sum(axis=axis, keepdims=True)
    return _cast(out, a)


def _flat_axis(g, a, axis):
    """(gradient, axis) with ``axis=None`` meaning the flattened array."""
    if axis is None:
        return numpy.reshape(g, (-1,)), 0
    return g, axis


def cumsum_grad(g, a, axis=None):
    """Gradient of ``cumsum``: a reversed cumulative sum."""
    g, ax = _flat_axis(g, a, axis)
    out = numpy.flip(numpy.cumsum(numpy.flip(g, ax), axis=ax), ax)
    return numpy.reshape(out, numpy.shape(a))


def cumprod_parts(a, ax):
    """(before, first, c) along ``ax``: where no zero has been seen yet, the first
    zero, and the cumulative product with that zero taken as one."""
    zero = a == 0
    seen = numpy.cumsum(zero, axis=ax)
    first = zero & (seen == 1)
    return seen == 0, first, numpy.cumprod(numpy.where(first, 1, a), axis=ax)


def cumprod_grad(g, a, axis=None):
    """Gradient of ``cumprod``, exact where ``a`` has zeros: before the first zero
    of a slice it is a ratio of products, at it a sum of products, after it 0."""
    g, ax = _flat_axis(g, a, axis)
    flat, _ = _flat_axis(a, a, axis)
    before, first, c = cumprod_parts(flat, ax)
    ahead = numpy.flip(numpy.cumsum(numpy.flip(g * c, ax), axis=ax), ax)
    tail = numpy.flip(numpy.cumsum(numpy.flip(g * c * before, ax), axis=ax), ax)
    out = numpy.where(
        before, tail / numpy.where(before, flat, 1), numpy.where(first, ahead, 0)
    )
    return numpy.reshape(out, numpy.shape(a))


def ptp_grad(g, a, axis=None, keepdims=False):
    """Gradient of ``ptp`` = max - min."""
    hi = a.max(axis=axis, keepdims=keepdims)
    lo = a.min(axis=axis, keepdims=keepdims)
    return max_grad(g, hi, a, axis, keepdims) - max_grad(g, lo, a, axis, keepdims)


def norm_grad(g, y, x, ord=None, axis=None, keepdims=False):
    """Gradient of ``numpy.linalg.norm`` for vector and matrix norms."""
    matrix = (axis is None and numpy.ndim(x) == 2) or isinstance(axis, (tuple, list))
    if axis is None and ord is None:
        axis, matrix = tuple(range(numpy.ndim(x))), False
    if matrix and ord in (None, "fro"):
        ord, matrix = 2, False
    if axis is None:
        axis = tuple(range(numpy.ndim(x)))
    if matrix:
        return _matrix_norm_grad(g, x, ord, axis, keepdims)
    gx = unreduce(g, x, axis, keepdims)
    yx = unreduce(y, x, axis, keepdims)
    if ord in (None, 2):
        return gx * x / yx
    if ord == 1:
        return gx * numpy.sign(x)
    if ord in (numpy.inf, -numpy.inf):
        return max_grad(g, y, numpy.abs(x), axis, keepdims) * numpy.sign(x)
    return gx * numpy.sign(x) * (numpy.abs(x) / yx) ** (ord - 1)


def _matrix_norm_grad(g, x, ord, axis, keepdims):
    a0, a1 = (ax % numpy.ndim(x) for ax in axis)
    xm = numpy.moveaxis(x, (a0, a1), (-2, -1))
    if not keepdims:
        g = numpy.expand_dims(g, tuple(sorted((a0, a1))))
    gm = numpy.moveaxis(g, (a0, a1), (-2, -1))
    if ord in (1, -1, numpy.inf, -numpy.inf):
        colwise = ord in (1, -1)
        sums = numpy.abs(xm).sum(axis=-2 if colwise else -1, keepdims=True)
        pick = numpy.max if ord > 0 else numpy.min
        hit = sums == pick(sums, axis=-1 if colwise else -2, keepdims=True)
        out = gm * hit * numpy.sign(xm) / hit.sum(axis=(-2, -1), keepdims=True)
    elif ord in (2, -2, "nuc"):
        u, s, vt = numpy.linalg.svd(xm, full_matrices=False)
        if ord == "nuc":
            out = gm * (u @ vt)
        else:
            k = 0 if ord == 2 else -1
            out = gm * (u[..., :, k : k + 1 or None] @ vt[..., k : k + 1 or None, :])
    else:
        raise UnsupportedDerivativeError(f"the matrix norm with ord={ord!r}")
    return _cast(numpy.moveaxis(out, (-2, -1), (a0, a1)), x)
