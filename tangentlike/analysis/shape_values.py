"""The integers a shape is made of, where the code spells them: literals, ``-1``,
an entry of another array's shape (``n = x.shape[0]``), and tuples of them; and
the shape ``reshape`` gives an array for such a tuple.

``known`` is the analysis asking (``ConcreteShapes``): its ``defs`` (name -> the
values assigned to it) and ``value_shape`` (the shape a ``x.shape`` measures).
"""

from __future__ import annotations

import gast

from .shape_arithmetic import UNKNOWN, constant


def int_value(known, node):
    """The value of an integer expression, or None where it is not known."""
    value = constant(node)
    if type(value) is int:
        return value
    if isinstance(node, gast.Name) and len(known.defs.get(node.id, ())) == 1:
        return int_value(known, known.defs[node.id][0])
    if isinstance(node, gast.Subscript) and type(constant(node.slice)) is int:
        shape = known.value_shape(node.value)  # an entry of x.shape
        i = constant(node.slice)
        if isinstance(shape, tuple) and -len(shape) <= i < len(shape):
            return shape[i]
    return None


def dims_value(known, node):
    """The tuple of integers ``node`` gives (a literal, a name bound once to a
    tuple, or one integer), or None."""
    if isinstance(node, gast.Name) and len(known.defs.get(node.id, ())) == 1:
        found = known.defs[node.id][0]
        if isinstance(found, gast.Tuple):
            node = found
    if isinstance(node, (gast.Tuple, gast.List)):
        dims = [int_value(known, e) for e in node.elts]
        return None if None in dims else tuple(dims)
    one = int_value(known, node)
    return None if one is None else (one,)


def reshaped(shape: tuple, dims: tuple):
    """The shape of ``x.reshape(dims)`` for ``x`` of ``shape`` (one ``-1`` takes
    what is left), or UNKNOWN where NumPy would refuse it."""
    size = 1
    for n in shape:
        size *= n
    known = 1
    for n in dims:
        if n != -1:
            known *= n
    free = [i for i, n in enumerate(dims) if n == -1]
    if len(free) > 1 or any(n < -1 for n in dims):
        return UNKNOWN
    if free:
        if known == 0 or size % known:
            return UNKNOWN
        dims = dims[: free[0]] + (size // known,) + dims[free[0] + 1 :]
    elif known != size:
        return UNKNOWN
    return tuple(dims)
