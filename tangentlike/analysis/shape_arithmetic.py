"""Shape arithmetic: the shapes NumPy gives indexing, broadcasting, matrix
products and reductions, worked out from shapes and literal arguments.

A shape is a tuple; UNKNOWN where it cannot be known, PENDING while the analysis
in ``shapes.py`` is still solving for it.
"""

from __future__ import annotations

import gast

UNKNOWN = None
PENDING = "<pending>"  # not solved yet: optimistically, whatever the others say


def basic_index(index) -> bool:
    """A slice of literal integers (or none), or ``None``: an index whose shape is
    known without its value."""
    if isinstance(index, gast.Constant):
        return index.value is None
    if not isinstance(index, gast.Slice):
        return False
    bounds = (constant(b) for b in (index.lower, index.upper, index.step) if b)
    return all(type(b) is int for b in bounds) and constant(index.step) != 0


def indexed_shape(shape: tuple, items: list):
    """The shape of ``x[items]`` for ``x`` of ``shape``: each item an integer
    (given as None), a ``gast.Slice`` of literals or a ``None`` constant."""
    out, axis = [], 0
    for item in items:
        if isinstance(item, gast.Constant):  # None: a new axis
            out.append(1)
            continue
        if axis >= len(shape):
            return UNKNOWN
        if isinstance(item, gast.Slice):
            bounds = [
                None if b is None else constant(b)
                for b in (item.lower, item.upper, item.step)
            ]
            out.append(len(range(shape[axis])[slice(*bounds)]))
        axis += 1
    return tuple(out) + shape[axis:]


def broadcast_shape(a: tuple, b: tuple):
    """NumPy's broadcast of two shapes, or UNKNOWN where they do not broadcast."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for p, q in zip(a, b):
        if p != q and 1 not in (p, q):
            return UNKNOWN
        out.append(q if p == 1 else p)
    return tuple(out)


def matmul_shape(a: tuple, b: tuple):
    """The shape of ``a @ b``, or UNKNOWN where the product is not defined."""
    if not a or not b:
        return UNKNOWN
    a2 = (1,) + a if len(a) == 1 else a
    b2 = b + (1,) if len(b) == 1 else b
    if a2[-1] != b2[-2]:
        return UNKNOWN
    batch = broadcast_shape(a2[:-2], b2[:-2])
    if batch is UNKNOWN:
        return UNKNOWN
    return batch + (a2[-2],) * (len(a) > 1) + (b2[-1],) * (len(b) > 1)


def dot_shape(a: tuple, b: tuple):
    """The shape of ``np.dot(a, b)`` (a number for two vectors), or UNKNOWN where
    the product is not defined."""
    if not a or not b:  # a number times an array
        return broadcast_shape(a, b)
    k = -2 if len(b) > 1 else -1
    if a[-1] != b[k]:
        return UNKNOWN
    return a[:-1] + b[:-2] + b[-1:] * (len(b) > 1)


def reduced_shape(shape: tuple, axis, keepdims: bool):
    """The shape of a reduction over ``axis`` (None: all axes)."""
    axes = _axes(shape, axis)
    if any(not -len(shape) <= a < len(shape) for a in axes):
        return UNKNOWN
    axes = {a % len(shape) for a in axes}
    if keepdims:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _axes(shape: tuple, axis):
    """The axes a reduction over ``axis`` (None, an int or a tuple) names."""
    if axis is None:
        return range(len(shape))
    return axis if isinstance(axis, tuple) else (axis,)


def reduction_size(shape, axis) -> int | None:
    """How many numbers one result of a reduction over ``axis`` (None: all axes;
    an int or a tuple of ints) of an array of ``shape`` combines; None where
    ``shape`` is unknown or an axis is out of range."""
    if shape is UNKNOWN:
        return None
    axes = _axes(shape, axis)
    if any(type(a) is not int or not -len(shape) <= a < len(shape) for a in axes):
        return None
    size = 1
    for a in {a % len(shape) for a in axes}:
        size *= shape[a]
    return size


def without_dtype(node):
    """A reduction's call without its ``dtype=``, which leaves its shape as it is."""
    if not any(k.arg == "dtype" for k in node.keywords):
        return node
    keywords = [k for k in node.keywords if k.arg != "dtype"]
    return gast.Call(func=node.func, args=node.args, keywords=keywords)


def reduction_options(node):
    """``(axis, keepdims)`` of ``np.sum(x, axis, keepdims=...)`` when both are
    literal, else None."""
    options = {"axis": None, "keepdims": False}
    if len(node.args) > 2 or not node.args:
        return None
    if len(node.args) == 2:
        options["axis"] = constant(node.args[1])
    for kw in node.keywords:
        if kw.arg not in options:
            return None
        options[kw.arg] = constant(kw.value)
    axis, keepdims = options["axis"], options["keepdims"]
    axis_ok = (
        axis is None
        or type(axis) is int
        or (isinstance(axis, tuple) and all(type(a) is int for a in axis))
    )
    return (axis, keepdims) if axis_ok and type(keepdims) is bool else None


NOT_CONSTANT = object()


def constant(node):
    """The value of a literal (tuples of literals too), or NOT_CONSTANT."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.Tuple):
        values = tuple(constant(e) for e in node.elts)
        return NOT_CONSTANT if NOT_CONSTANT in values else values
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        value = constant(node.operand)
        return -value if type(value) is int else NOT_CONSTANT
    return NOT_CONSTANT


def lift(fn, a, b):
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    if a == PENDING or b == PENDING:
        return PENDING
    if not (isinstance(a, tuple) and isinstance(b, tuple)):
        return UNKNOWN  # a Packed tuple of shapes is no operand
    return fn(a, b)


def solid(shape):
    """A shape tuple, or UNKNOWN for anything else (PENDING included)."""
    return shape if isinstance(shape, tuple) else UNKNOWN
