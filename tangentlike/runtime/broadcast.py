"""Broadcasting in reverse: sum a gradient back to the shape of its operand, and spread
a reduction's gradient over the reduced axes.
"""

from __future__ import annotations

import math
import sys

import numpy

from ..errors import UnsupportedDerivativeError
from .facts import helper

_SCALARS = (float, int, complex)


def _shape(x):
    """``numpy.shape(x)`` without the dispatch cost for arrays and Python numbers."""
    shape = getattr(x, "shape", None)
    if shape is not None:
        return shape
    return () if isinstance(x, _SCALARS) else numpy.shape(x)


@helper(linear=0, shape_of=1)
def unbroadcast(g, x):
    """Sum ``g`` over the axes that broadcasting added to ``x``'s shape."""
    if isinstance(x, (list, tuple)):
        return _sequence_grad(g, x)
    shape = _shape(x)
    gshape = _shape(g)
    if gshape == shape:
        return g
    return sum_to(g, shape)


def _sequence_grad(g, x):
    """``g`` as the gradient of the list or tuple ``x`` of an arithmetic operator; the
    gradient of a list joined with ``+`` has more items: refused, never summed."""
    if isinstance(g, (list, tuple)) and len(g) != len(x):
        raise UnsupportedDerivativeError(
            f"`+` or `*` of a list or tuple of {len(x)} items into {len(g)} items: "
            "a joining of lists that tangentlike did not see where the function "
            "was transformed",
            "join lists built in the function (from a literal or with append), or "
            "append the items of the other one in a loop",
        )
    if isinstance(g, (list, tuple)) or numpy.shape(g) == numpy.shape(x):
        return g
    return sum_to(g, numpy.shape(x))


@helper(linear=0, shape_value=1)
def sum_to(g, shape):
    """Sum ``g`` down to ``shape`` (a shape ``g``'s shape was broadcast from)."""
    shape = tuple(shape)
    gshape = _shape(g)
    if gshape == shape:
        return g
    extra = len(gshape) - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and _shape(g)[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if not shape:
        return g[()] if hasattr(g, "shape") and g.shape == () else g
    return g


@helper(linear=0, shape_of=1)
def unreduce(g, x, axis=None, keepdims=False):
    """Broadcast the gradient of a reduction back to the shape of its input ``x``."""
    shape = _shape(x)
    if axis is None and not shape:
        return g
    g = scalar_like(g, x)
    if axis is not None and not keepdims:
        g = numpy.expand_dims(g, _positive_axes(axis, len(shape)))
    return broadcast_as(g, x)


def broadcast_as(g, x):
    """``g`` broadcast to the shape of ``x``, in ``x``'s library: a Dask array of
    ``x``'s chunks, so that a gradient of a lazy array is made chunk by chunk, never
    as one block (or a NumPy array on the client) as long as the data."""
    g = scalar_like(g, x)
    if type(x).__module__.startswith("dask."):
        dask_array = sys.modules["dask.array"]
        g = dask_array.asarray(g)
        lead = len(x.shape) - g.ndim  # g's axes of x's length take x's chunks first
        chunks = [(1,) if n == 1 else x.chunks[lead + i] for i, n in enumerate(g.shape)]
        g = g.rechunk(tuple(chunks))
        return dask_array.broadcast_to(g, x.shape, chunks=x.chunks)
    return numpy.broadcast_to(g, _shape(x))


def _foreign_array(x) -> bool:
    """An array of another library than NumPy's (CuPy, Dask)."""
    return not isinstance(x, numpy.ndarray | numpy.generic) and hasattr(
        x, "__array_function__"
    )


def scalar_like(g, x):
    """``g``; but a Python number as a 0-d array in ``x``'s floating dtype, and of
    its library where that is not NumPy (CuPy, Dask: broadcast by NumPy, the
    number would become a host array).  A Python float is weak to NumPy (``1.0 *
    x`` of a float32 ``x`` is float32), and so must its broadcast be: as a float64
    array it would turn a float32 gradient into float64 where the code compiled
    for known shapes, which uses the number as it is, stays float32."""
    if hasattr(g, "shape"):
        return g
    dtype = getattr(x, "dtype", None)
    dtype = dtype if dtype is not None and dtype.kind in "fc" else None
    if not _foreign_array(x):
        return g if dtype is None else numpy.asarray(g, dtype=dtype)
    return numpy.asarray(g, dtype=dtype, like=x)


def _positive_axes(axis, ndim):
    if isinstance(axis, (tuple, list)):
        return tuple(sorted(a % ndim for a in axis))
    return axis % ndim


@helper()
def reduced_size(x, axis=None, ddof=0):
    """How many elements a reduction over ``axis`` combines, less ``ddof``.  None or
    fewer is a NumPy zero or negative number, so that dividing by it gives what NumPy
    gives, ``inf`` or ``nan`` and its warning, not Python's ZeroDivisionError (an
    empty mean's gradient is empty whatever it divides)."""
    shape = _shape(x)
    if axis is None:
        n = math.prod(shape)
    else:
        axes = axis if isinstance(axis, (tuple, list)) else (axis,)
        n = math.prod(shape[a] for a in axes)
    return n - ddof if n > ddof else numpy.float64(n - ddof)


@helper(linear=(0, 2), shape_of=1)
def matmul_lhs(g, x, y):
    """Gradient of ``x @ y`` with respect to ``x`` (vectors, matrices, stacks), and of
    ``numpy.dot(x, y)``, a product where ``x`` or ``y`` is a scalar."""
    nx, ny = numpy.ndim(x), numpy.ndim(y)
    if nx == 0 or ny == 0:
        return unbroadcast(g * y, x)
    if ny == 1:
        if nx == 1:
            return g * y
        return numpy.multiply.outer(g, y) if numpy.ndim(g) else g * y
    if nx == 1:
        return (
            unbroadcast(numpy.matmul(y, g[..., None])[..., 0], x)
            if numpy.ndim(g) > 1
            else (numpy.matmul(y, g))
        )
    return unbroadcast(numpy.matmul(g, numpy.swapaxes(y, -1, -2)), x)


@helper(linear=(0, 1), shape_of=2)
def matmul_rhs(g, x, y):
    """Gradient of ``x @ y`` with respect to ``y`` (vectors, matrices, stacks), and of
    ``numpy.dot(x, y)``, a product where ``x`` or ``y`` is a scalar."""
    nx, ny = numpy.ndim(x), numpy.ndim(y)
    if nx == 0 or ny == 0:
        return unbroadcast(g * x, y)
    if nx == 1:
        if ny == 1:
            return g * x
        return numpy.multiply.outer(x, g)
    if ny == 1:
        return unbroadcast(
            numpy.matmul(numpy.swapaxes(x, -1, -2), g[..., None])[..., 0], y
        )
    return unbroadcast(numpy.matmul(numpy.swapaxes(x, -1, -2), g), y)


@helper(linear=0, shape_of=1)
def broadcast_like(g, z):
    """``g`` broadcast to the shape of ``z`` (a writable array), or ``g`` if it has it."""
    if _shape(g) == _shape(z):
        return g
    return g + numpy.zeros_like(z)


def _cast(g, x):
    """``g`` in the floating dtype of ``x`` (float32 in, float32 out)."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind == "f" and getattr(g, "dtype", dtype) != dtype:
        return g.astype(dtype)
    return g


@helper(linear=0, shape_of=1)
def unbroadcast_as(g, x):
    """``unbroadcast`` and cast to the dtype of ``x``."""
    return _cast(unbroadcast(g, x), x)


@helper(linear=0, shape_of=0)
def pairwise_weights(g, a, b):
    """``g``, the gradient of the squared distances between the rows of ``a`` and
    ``b``, checked to be what the derivative of ``np.sum(d * d, axis=-1)`` of ``d =
    a[:, None, :] - b[None, :, :]`` that tangentlike writes without ``d`` assumes:
    two-dimensional arrays, ``a`` and ``b`` of as many columns."""
    ashape, bshape = _shape(a), _shape(b)
    if len(ashape) != 2 or len(bshape) != 2 or ashape[1] != bshape[1]:
        raise UnsupportedDerivativeError(
            "the squared distances np.sum(d * d, axis=-1) of d = a[:, None, :] - "
            f"b[None, :, :] are differentiated for two matrices of as many columns, "
            f"not arrays of shapes {ashape} and {bshape}",
            "write np.square(d) for d * d, which keeps the chain rule through the "
            "differences, or pass two-dimensional arrays",
        )
    return g
