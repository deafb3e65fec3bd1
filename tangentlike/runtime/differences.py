"""``np.gradient``'s derivative: the function is linear in its array, a banded
matrix along each axis (central differences inside, one-sided ones at the ends),
whose transpose is read off the function itself."""

from __future__ import annotations

import numpy

from .facts import helper

_BAND = 5  # a row of np.gradient reads at most two elements either side of its own


@helper(linear=0, shape_of=0)
def gradient_apply(f, spacing=(), axis=None, edge_order=1):
    """``np.gradient(f, *spacing, axis=axis, edge_order=edge_order)``."""
    return numpy.gradient(f, *spacing, axis=axis, edge_order=edge_order)


@helper(linear=0, shape_of=1)
def gradient_grad(g, f, spacing=(), axis=None, edge_order=1):
    """The gradient of ``np.gradient(f, *spacing, axis=axis, ...)`` in ``f``, given
    ``g``, the gradient of its value (one array, or one an axis): the sum over the
    axes of each one's transposed differences."""
    axes = _axes(numpy.ndim(f), axis)
    pieces = [g] if len(axes) == 1 else list(g)
    if len(spacing) == 1:
        spacing = tuple(spacing) * len(axes)
    out = numpy.zeros(numpy.shape(f), dtype=numpy.result_type(f, 1.0))
    for k, (piece, ax) in enumerate(zip(pieces, axes)):
        if numpy.ndim(piece) == 0:  # an unused output: its gradient is a zero
            continue
        h = spacing[k : k + 1] if spacing else ()
        out = out + _transposed(piece, h, ax, edge_order)
    return out


def _axes(ndim, axis) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        return tuple(a % ndim for a in axis)
    return (axis % ndim,)


def _transposed(g, h, axis, edge_order):
    """``A.T @ g`` along ``axis``, ``A`` the matrix of np.gradient along it: each
    diagonal of ``A`` is read from np.gradient of combs of every fifth element, and
    each column of ``A`` reaches no row more than two away, so a row meets one
    tooth of each comb."""
    g = numpy.moveaxis(numpy.asarray(g), axis, -1)
    n = g.shape[-1]
    rows = numpy.arange(n)
    out = numpy.zeros_like(g)
    for r in range(_BAND):
        comb = (rows % _BAND == r).astype(g.dtype)
        coefficient = numpy.gradient(comb, *h, edge_order=edge_order)
        offset = (r - rows + 2) % _BAND - 2  # row i reads this comb at i + offset
        for o in range(-2, 3):
            weighted = g * numpy.where(offset == o, coefficient, 0.0)
            if o >= 0:
                out[..., o:] += weighted[..., : n - o]
            else:
                out[..., : n + o] += weighted[..., -o:]
    return numpy.moveaxis(out, -1, axis)
