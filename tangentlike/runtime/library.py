"""Helpers for library functions: their derivatives' index work, each linear in its
first argument, with templates of its own (``templates/numpy_library.py``)."""

from __future__ import annotations

import numpy

from ..errors import UnsupportedDerivativeError
from .facts import helper


@helper()
def end_shape(a, end, axis=-1) -> tuple:
    """The shape ``np.diff(a, prepend=end)`` gives ``end`` before it joins ``a``:
    its own, or, for a scalar, ``a``'s with one element along ``axis``."""
    if numpy.ndim(end):
        return numpy.shape(end)
    shape = list(numpy.shape(a))
    shape[axis] = 1
    return tuple(shape)


@helper(linear=0)
def polyval_coefficients(g, x, n):
    """The gradient of ``np.polyval(p, x)`` in its ``n`` coefficients, given ``g``,
    the gradient of its value: ``sum(g * x ** (n - 1 - j))`` for each ``j``, by
    successive powers of ``x`` (one product and one dot a coefficient)."""
    if numpy.shape(g) != numpy.shape(x):
        g = numpy.broadcast_to(g, numpy.shape(x))
    flat = numpy.ravel(g)
    xs = numpy.ravel(x)
    power = numpy.ones_like(flat)
    sums = []
    for k in range(n):  # no power past the last one read
        if k == 1:
            power = power * xs  # in the products' dtype, an array of its own
        elif k:
            power *= xs
        sums.append(numpy.dot(flat, power))
    sums.reverse()
    if not sums or isinstance(sums[0], numpy.generic):  # NumPy numbers: no stacking
        return numpy.array(sums)
    return numpy.stack(sums)


@helper()
def insert_sources(arr, obj, values, axis=None):
    """Where each element of ``np.insert(arr, obj, values, axis)`` comes from: ``k +
    1`` for ``arr``'s flat element ``k``, ``-(k + 1)`` for ``values``' (broadcast as
    insert broadcasts it)."""
    where = numpy.arange(1, numpy.size(arr) + 1).reshape(numpy.shape(arr))
    sources = -numpy.arange(1, numpy.size(values) + 1).reshape(numpy.shape(values))
    return numpy.insert(where, obj, sources, axis=axis)


@helper(linear=0)
def scatter_sum(w, index, n):
    """``out[k] = sum of w where index == k``, ``out`` of length ``n``."""
    w = numpy.broadcast_to(w, numpy.shape(index))
    return numpy.bincount(numpy.ravel(index), numpy.ravel(w), minlength=n)


@helper(linear=0)
def take_at(h, index):
    """``h[index]``; zero for the zero tangent of forward mode."""
    if numpy.ndim(h) == 0 and not isinstance(h, numpy.ndarray):
        return 0.0 * h
    return numpy.take(h, index)


@helper()
def convolve_pads(a, v, mode="full") -> tuple:
    """Where ``np.convolve(a, v, mode)`` sits in the full convolution: the zeros
    before and after it."""
    n, m = numpy.size(a), numpy.size(v)
    full = n + m - 1
    start = {"full": 0, "same": (min(n, m) - 1) // 2, "valid": min(n, m) - 1}[mode]
    length = {"full": full, "same": max(n, m), "valid": max(n, m) - min(n, m) + 1}
    return ((start, full - start - length[mode]),)


@helper()
def interp_segment(x, xp, period=None):
    """The segment of ``xp`` each ``x`` falls in (the first or last one outside),
    and 1.0 where ``x`` lies within ``xp``'s range, else 0.0."""
    if period is not None:
        raise UnsupportedDerivativeError("np.interp with period=")
    j = numpy.searchsorted(xp, x, side="right") - 1
    inside = ((x >= xp[0]) & (x <= xp[-1])).astype(float)
    return numpy.clip(j, 0, numpy.size(xp) - 2), inside


@helper()
def absent(value) -> float:
    """1.0 for an argument left out (None), else 0.0."""
    return 1.0 if value is None else 0.0


# quantiles: the sorted positions a quantile interpolates between ------------------


def _positions(n, q, method):
    """(lower index, upper index, weight of the upper) of quantiles ``q`` of ``n``."""
    p = numpy.asarray(q, dtype=float) * (n - 1)
    lo = numpy.floor(p).astype(int)
    hi = numpy.minimum(lo + 1, n - 1)
    frac = p - lo
    if method == "lower":
        frac = 0.0 * frac
    elif method == "higher":
        frac = (frac > 0).astype(float)
    elif method == "nearest":
        frac = (numpy.around(p) > lo).astype(float)
    elif method == "midpoint":
        frac = numpy.where(frac > 0, 0.5, 0.0)
    elif method != "linear":
        raise UnsupportedDerivativeError(f"a quantile with method={method!r}")
    return lo, hi, frac


def _last_axis(a, axis):
    """``a`` with the quantile's axis last (all of ``a`` for None), and that axis."""
    if isinstance(axis, tuple):
        raise UnsupportedDerivativeError("a quantile over a tuple of axes")
    if axis is None:
        return numpy.reshape(a, (-1,)), None
    return numpy.moveaxis(a, axis, -1), axis % numpy.ndim(a)


def _place(out, a, q, axis, keepdims):
    """Quantiles in the last axis of ``out`` put where NumPy puts them: first."""
    out = numpy.moveaxis(out, -1, 0)
    out = numpy.reshape(out, numpy.shape(q) + out.shape[1:])
    if keepdims:
        axes = range(numpy.ndim(a)) if axis is None else [axis]
        for k in sorted(axes):
            out = numpy.expand_dims(out, numpy.ndim(q) + k)
    return out


@helper(linear=0)
def quantile_gather(h, a, q, axis=None, keepdims=False, method="linear"):
    """``h`` read at the sorted positions of ``a``'s quantiles ``q``, interpolated
    as they are: the tangent of ``np.quantile(a, q)`` for ``h = da``."""
    moved, ax = _last_axis(a, axis)
    order = numpy.argsort(moved, axis=-1, kind="stable")
    hm, _ = _last_axis(numpy.broadcast_to(h, numpy.shape(a)), axis)
    lo, hi, frac = _positions(moved.shape[-1], q, method)
    lo, hi, frac = (numpy.ravel(v) for v in (lo, hi, frac))
    low = numpy.take_along_axis(hm, order[..., lo], axis=-1)
    high = numpy.take_along_axis(hm, order[..., hi], axis=-1)
    return _place(low * (1.0 - frac) + high * frac, a, q, ax, keepdims)


@helper(linear=0)
def quantile_scatter(g, a, q, axis=None, keepdims=False, method="linear"):
    """The gradient of ``np.quantile(a, q)`` for its gradient ``g``: each quantile's
    share put back on the elements it interpolates between."""
    moved, ax = _last_axis(a, axis)
    rank = numpy.argsort(numpy.argsort(moved, axis=-1, kind="stable"), axis=-1)
    lo, hi, frac = _positions(moved.shape[-1], q, method)
    lo, hi, frac = (numpy.ravel(v) for v in (lo, hi, frac))
    gm = _unplace(g, a, q, ax, keepdims, moved.shape[:-1])
    out = numpy.zeros(moved.shape, dtype=numpy.result_type(moved, g))
    for k in range(lo.size):
        gk = gm[..., k : k + 1]
        out = (
            out
            + (rank == lo[k]) * gk * (1.0 - frac[k])
            + (rank == hi[k]) * gk * frac[k]
        )
    if ax is None:
        return numpy.reshape(out, numpy.shape(a))
    return numpy.moveaxis(out, -1, ax)


def _unplace(g, a, q, axis, keepdims, rest):
    """``g`` of a quantile's shape as ``rest + (number of quantiles,)``."""
    g = numpy.asarray(g)
    if keepdims:
        axes = range(numpy.ndim(a)) if axis is None else [axis]
        g = numpy.squeeze(g, tuple(numpy.ndim(q) + k for k in axes))
    g = numpy.reshape(g, (int(numpy.size(q)),) + tuple(rest))
    return numpy.moveaxis(g, 0, -1)


@helper(linear=0)
def quantile_q_grad(g, a, q, axis=None, keepdims=False, method="linear"):
    """The gradient of ``np.quantile(a, q)`` in ``q``: each quantile's slope."""
    moved, ax = _last_axis(a, axis)
    s = numpy.sort(moved, axis=-1)
    n = moved.shape[-1]
    lo, hi, _ = _positions(n, q, method)
    slope = (s[..., numpy.ravel(hi)] - s[..., numpy.ravel(lo)]) * (n - 1)
    if method != "linear":
        slope = 0.0 * slope
    gm = _unplace(g, a, q, ax, keepdims, moved.shape[:-1])
    total = numpy.sum(gm * slope, axis=tuple(range(gm.ndim - 1)))
    return numpy.reshape(total, numpy.shape(q))
