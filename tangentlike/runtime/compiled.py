"""The runtime helpers as Numba compiles them, for code made with ``jit=True``.

Imported only when Numba compiles a variant (it imports Numba). Each overload
gives a helper's meaning for the argument types Numba sees: numbers, and arrays
of one or two dimensions; for other types it gives none, Numba stops at the line
that calls the helper, and the NumPy code runs instead (``codegen/jit.py``).
"""

from __future__ import annotations

import numpy as np
from numba import literal_unroll, types
from numba.extending import overload, register_jitable

from ..errors import UnsupportedDerivativeError
from .broadcast import pairwise_weights, unbroadcast, unreduce
from .containers import add, array_grad, zeros_items, zeros_like
from .shapes import unconcat


def _number(t) -> bool:
    return isinstance(t, types.Number)


def _array(t, ndim=None) -> bool:
    return isinstance(t, types.Array) and (ndim is None or t.ndim == ndim)


def _omitted(t) -> bool:
    """An argument left at its default (``None``, or ``0`` for an axis) or None."""
    return t is None or t == 0 or isinstance(t, (types.NoneType, types.Omitted))


@overload(zeros_like)
def _zeros_like(x):
    if _number(x):
        return lambda x: 0.0
    if _array(x):
        return lambda x: np.zeros_like(x)
    return None


@overload(zeros_items)
def _zeros_items(x):
    return _zeros_like(x)


@overload(add)
def _add(a, b):
    if (_number(a) or _array(a)) and (_number(b) or _array(b)):
        return lambda a, b: a + b
    return None


@overload(array_grad)
def _array_grad(g, a):
    if _array(a):
        return lambda g, a: g
    if _array(g, 1) and _numbers(a):
        return lambda g, a: [g[i] for i in range(len(a))]
    return None


def _numbers(t) -> bool:
    """A list or tuple of numbers."""
    if isinstance(t, types.List):
        return _number(t.dtype)
    return isinstance(t, types.BaseTuple) and all(map(_number, t.types))


@overload(unreduce)
def _unreduce(g, x, axis=None, keepdims=False):
    if not (_number(g) and _omitted(axis)):
        return None
    if _number(x):
        return lambda g, x, axis=None, keepdims=False: g
    if _array(x):
        return lambda g, x, axis=None, keepdims=False: np.full(x.shape, g)
    return None


@overload(pairwise_weights)
def _pairwise_weights(g, a, b):
    if _array(g, 2) and _array(a, 2) and _array(b, 2):
        return _weights_checked
    return None  # other shapes: the NumPy code runs, and its helper refuses them


def _weights_checked(g, a, b):
    if a.shape[1] != b.shape[1]:
        raise UnsupportedDerivativeError(
            "the squared distances np.sum(d * d, axis=-1) of d = a[:, None, :] - "
            "b[None, :, :] are differentiated for two matrices of as many columns",
            "write np.square(d) for d * d, which keeps the chain rule through the "
            "differences",
        )
    return g


@overload(unbroadcast)
def _unbroadcast(g, x):
    if _number(x):
        if _number(g):
            return lambda g, x: g
        if _array(g):
            return lambda g, x: np.sum(g)
        return None
    if _array(g, 1) and _array(x, 1):
        return _as_vector
    if _array(g, 2) and _array(x, 1):
        return lambda g, x: _as_vector(np.sum(g, axis=0), x)
    if _array(g, 2) and _array(x, 2):
        return _to_matrix
    return None


def _as_vector(g, x):
    """A vector's gradient from one of its length (``g`` itself), or of the length
    it was broadcast to from one element."""
    if g.shape[0] == x.shape[0]:
        return g
    out = np.empty(1, g.dtype)
    out[0] = np.sum(g)
    return out


def _to_matrix(g, x):
    """A matrix's gradient, summed over the axes it was broadcast along."""
    if g.shape == x.shape:
        return g
    out = g.copy()
    if x.shape[0] == 1 and g.shape[0] != 1:
        out = np.sum(out, axis=0).reshape((1, g.shape[1]))
    if x.shape[1] == 1 and out.shape[1] != 1:
        out = np.sum(out, axis=1).reshape((out.shape[0], 1))
    return out


@overload(unconcat)
def _unconcat(g, arrays, axis=0, shapes=None):
    if not (_array(g, 1) and isinstance(arrays, (types.BaseTuple, types.List))):
        return None
    if not (_omitted(axis) or isinstance(axis, types.IntegerLiteral)):
        return None

    def pieces(g, arrays, axis=0, shapes=None):
        out = []
        start = 0
        for a in literal_unroll(arrays):
            out.append(g[start : start + a.shape[0]])
            start += a.shape[0]
        return out

    return pieces


def add_into(a, v):
    """``a += v`` for ``a`` a view into an array (``x[1:-1]``): in the code Numba
    compiles, a loop (Numba's in-place operator on an array compiles slowly, for
    the message it would give if the shapes did not broadcast)."""
    a += v


@overload(add_into)
def _add_into(a, v):
    if _array(a, 1) and _number(v):
        return _add_number_1d
    if _array(a, 1) and _array(v, 1):
        return _add_vector
    if _array(a, 2) and _number(v):
        return _add_number_2d
    if _array(a, 2) and _array(v, 2):
        return _add_matrix
    return None


def _add_number_1d(a, v):
    for i in range(a.shape[0]):
        a[i] += v


def _add_number_2d(a, v):
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            a[i, j] += v


def _add_vector(a, v):
    n = a.shape[0]
    if v.shape[0] != n and v.shape[0] != 1:
        raise ValueError("operands could not be broadcast together")
    if _overlap(a, v):
        v = v.copy()
    if v.shape[0] == n:
        for i in range(n):
            a[i] += v[i]
    else:
        for i in range(n):
            a[i] += v[0]


def _add_matrix(a, v):
    rows, cols = a.shape
    if (v.shape[0] != rows and v.shape[0] != 1) or (
        v.shape[1] != cols and v.shape[1] != 1
    ):
        raise ValueError("operands could not be broadcast together")
    if _overlap(a, v):
        v = v.copy()
    di = 1 if v.shape[0] == rows else 0
    dj = 1 if v.shape[1] == cols else 0
    for i in range(rows):
        for j in range(cols):
            a[i, j] += v[i * di, j * dj]


@register_jitable
def _overlap(a, v) -> bool:
    """Whether the memory of ``a`` and ``v`` may overlap (NumPy copies ``v``
    then)."""
    lo_a, hi_a = _extent(a)
    lo_v, hi_v = _extent(v)
    return lo_a < hi_v and lo_v < hi_a


@register_jitable
def _extent(x):
    lo = x.ctypes.data
    hi = lo + x.itemsize
    for k in range(x.ndim):
        span = (x.shape[k] - 1) * x.strides[k]
        if span < 0:
            lo += span
        else:
            hi += span
    return lo, hi
