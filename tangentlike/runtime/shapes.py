"""What the gradients of shape functions, joins, splits and indexing need a function
for: the shapes and indices a rearrangement reads (``tile``, ``pad``, layouts),
scattering into an array (``take``, ``diagonal``), lists of pieces (``concatenate``,
``stack``), a loop (``diff``).
"""

from __future__ import annotations

import itertools

import numpy

from .containers import as_grad
from .facts import helper


@helper()
def layout_order(a, order="C"):
    """The index order, 'C', 'F' or 'K', in which ``reshape``/``ravel`` read ``a``
    with ``order``: 'A' is 'F' for an array that is Fortran- but not C-contiguous,
    as in NumPy, and 'K' (``ravel`` only) is 'C' or 'F' where one of them is memory order."""
    order = "C" if order is None else order.upper()
    if order not in ("A", "K"):
        return order
    flags = getattr(a, "flags", None)
    if flags is None or flags.c_contiguous:
        return "C"
    if flags.f_contiguous:
        return "F"
    return "C" if order == "A" else "K"


def _memory_axes(a):
    """The axes of ``a`` in the order in which ``ravel(a, 'K')`` reads them: NumPy's
    iterator sorts them by decreasing stride (a negative stride counts as positive),
    leaving an axis of stride 0 where it is."""
    strides = [abs(s) for s in a.strides]
    order = []  # innermost axis first, as the iterator sorts them
    for axis in reversed(range(len(strides))):
        pos = len(order)
        for j in reversed(range(len(order))):
            mine, theirs = strides[axis], strides[order[j]]
            if mine and theirs:
                if theirs <= mine:
                    break
                pos = j
        order.insert(pos, axis)
    return order[::-1]


@helper(linear=0)
def reshape_grad(g, a, order="C"):
    """Gradient of ``reshape(a, shape, order)`` and ``ravel(a, order)``: ``g`` put back
    into the shape of ``a``, written in the order in which ``a`` was read."""
    order = layout_order(a, order)
    if order != "K":
        return numpy.reshape(g, numpy.shape(a), order=order)
    axes = _memory_axes(a)
    shape = numpy.shape(a)
    moved = numpy.reshape(g, tuple(shape[i] for i in axes))
    return numpy.transpose(moved, inverse_axes(axes, len(axes)))


@helper(linear=0)
def reshape_tangent(da, a, shape, order="C"):
    """Tangent of ``reshape(a, shape, order)`` and ``ravel(a, order)``: ``da`` read
    in the order NumPy reads ``a``."""
    order = layout_order(a, order)
    if order != "K":
        return numpy.reshape(da, shape, order=order)
    return numpy.reshape(numpy.transpose(da, _memory_axes(a)), shape)


@helper()
def inverse_axes(axes, ndim):
    """The permutation that undoes ``transpose(x, axes)``."""
    if axes is None:
        return None
    return tuple(int(i) for i in numpy.argsort([a % ndim for a in axes]))


@helper(linear=0, returns_list=True)
def unconcat(g, arrays, axis=0, shapes=None):
    """Split the gradient of a concatenation into pieces shaped like ``arrays``."""
    if axis is None:
        g, axis, shapes = numpy.reshape(g, (-1,)), 0, [(numpy.size(a),) for a in arrays]
    shapes = shapes or [numpy.shape(a) for a in arrays]
    ends = list(itertools.accumulate(s[axis] for s in shapes))
    before = (slice(None),) * (axis % numpy.ndim(g))
    # slices, not numpy.split, which Dask does not implement
    pieces = [g[(*before, slice(end - s[axis], end))] for s, end in zip(shapes, ends)]
    return as_grad(
        arrays, [numpy.reshape(p, numpy.shape(a)) for p, a in zip(pieces, arrays)]
    )


@helper(linear=0, returns_list=True)
def hstack_grad(g, arrays):
    shapes = [numpy.shape(numpy.atleast_1d(a)) for a in arrays]
    return unconcat(g, arrays, 0 if len(shapes[0]) == 1 else 1, shapes)


@helper(linear=0, returns_list=True)
def vstack_grad(g, arrays):
    return unconcat(g, arrays, 0, [numpy.shape(numpy.atleast_2d(a)) for a in arrays])


@helper(linear=0, returns_list=True)
def column_stack_grad(g, arrays):
    shapes = [
        (numpy.size(a), 1) if numpy.ndim(a) < 2 else numpy.shape(a) for a in arrays
    ]
    return unconcat(g, arrays, 1, shapes)


@helper(linear=0, returns_list=True)
def unstack(g, arrays, axis=0):
    """Gradient of ``stack``: one slice per input."""
    return as_grad(arrays, [numpy.take(g, i, axis=axis) for i in range(len(arrays))])


@helper()
def tile_axes(a, reps):
    """``(split, copies)`` for ``tile(a, reps)``: the tiled shape with each axis split
    into (copies, length), and the axes of the copies."""
    reps = (reps,) if numpy.ndim(reps) == 0 else tuple(reps)
    n = max(numpy.ndim(a), len(reps))
    shape = (1,) * (n - numpy.ndim(a)) + numpy.shape(a)
    reps = (1,) * (n - len(reps)) + reps
    split = tuple(int(k) for pair in zip(reps, shape) for k in pair)
    return split, tuple(range(0, 2 * n, 2))


@helper(linear=0)
def repeat_grad(g, a, repeats, axis=None):
    """Gradient of ``repeat``: sum each run of copies."""
    if axis is None:
        a_flat = numpy.reshape(a, (-1,))
        return numpy.reshape(repeat_grad(g, a_flat, repeats, 0), numpy.shape(a))
    axis = axis % numpy.ndim(a)
    if numpy.ndim(repeats) == 0:
        shape = numpy.shape(a)
        split = shape[:axis] + (shape[axis], int(repeats)) + shape[axis + 1 :]
        return numpy.reshape(g, split).sum(axis=axis + 1)
    starts = numpy.concatenate([[0], numpy.cumsum(repeats)[:-1]])
    return numpy.add.reduceat(g, starts, axis=axis)


@helper(linear=0)
def take_grad(g, a, indices, axis=None):
    """Gradient of ``take``: scatter-add."""
    out = numpy.zeros_like(a)
    if axis is None:
        flat = numpy.reshape(out, (-1,))
        numpy.add.at(flat, indices, g)
        return numpy.reshape(flat, numpy.shape(a))
    axis = axis % numpy.ndim(a)
    moved = numpy.moveaxis(out, axis, 0)
    k = numpy.ndim(indices)
    gm = numpy.moveaxis(g, tuple(range(axis, axis + k)), tuple(range(k)))
    numpy.add.at(moved, indices, gm)
    return out


@helper(linear=0)
def take_along_grad(g, a, indices, axis):
    """Gradient of ``take_along_axis``: scatter-add."""
    if axis is None:
        return take_grad(g, a, indices)
    index = list(numpy.indices(numpy.shape(indices), sparse=True))
    index[axis] = indices
    out = numpy.zeros_like(a)
    numpy.add.at(out, tuple(index), g)
    return out


@helper(linear=0)
def diff_grad(g, n=1, axis=-1):
    """Gradient of ``diff``: ``n`` negated differences of the zero-padded gradient."""
    for _ in range(n):
        widths = [(0, 0)] * numpy.ndim(g)
        widths[axis] = (1, 1)
        g = -numpy.diff(numpy.pad(g, widths), axis=axis)
    return g


@helper(linear=0)
def diagonal_grad(g, a, offset=0, axis1=0, axis2=1):
    """Gradient of ``diagonal``: scatter onto the diagonal of zeros shaped like ``a``."""
    axis1, axis2 = axis1 % numpy.ndim(a), axis2 % numpy.ndim(a)
    shape = numpy.shape(a)
    rest = tuple(n for i, n in enumerate(shape) if i not in (axis1, axis2))
    out = numpy.zeros_like(a, shape=rest + (shape[axis1], shape[axis2]))
    i = numpy.arange(numpy.shape(g)[-1], like=g)
    out[..., i + max(-offset, 0), i + max(offset, 0)] = g
    return numpy.moveaxis(out, (-2, -1), (axis1, axis2))


@helper(linear=0)
def diag_grad(g, v, k=0):
    if numpy.ndim(v) == 1:
        return numpy.diagonal(g, k)
    return diagonal_grad(g, v, k)
