"""Drop ``unbroadcast(g, x)`` where ``g`` provably has ``x``'s shape.

before:
    def f(x, b_sum=1.0):
        _sin = np.sin(x)
        y = _sin - x
        _sum = np.sum(y)
        by = unreduce(b_sum, y, None, False)
        b_sin = unbroadcast(by, _sin)
        bx = unbroadcast(-by, x)
        bx = bx + unbroadcast(b_sin * np.cos(x), x)
        return _sum, bx
after:
    def f(x, b_sum=1.0):
        _sin = np.sin(x)
        y = _sin - x
        _sum = np.sum(y)
        by = unreduce(b_sum, y, None, False)
        b_sin = by
        bx = -by
        bx = bx + b_sin * np.cos(x)
        return _sum, bx

A shape analysis puts names into classes whose members hold arrays of one shape
throughout a call: ``y = x * 2.0``, ``y = np.sin(x)`` and ``y = a + b`` with ``a``
and ``b`` alike give ``y`` the class of ``x`` (or ``a``); a Python number, a
``math`` call or a full reduction has shape ``()``, which broadcasting leaves
out.  Classes are assumed optimistically and then checked against every
assignment of every name, so loop-carried names keep their class when each
iteration preserves it; a name with an assignment that does not check out gets
no class.  Values popped off ``_stack`` are values the name held before.
"""

from __future__ import annotations

import gast

from .. import anno
from ..analysis.shape_classes import Shapes


def remove_unbroadcasts(func: gast.FunctionDef, scalars=frozenset()) -> bool:
    """Replace ``unbroadcast(g, x)`` by ``g`` where ``g`` and ``x`` share a class;
    parameters named in ``scalars`` are known to have shape ``()``."""
    shapes = Shapes(func, scalars)
    changed = False
    for node in anno.walk(func):
        for field, value in gast.iter_fields(node):
            if isinstance(value, list):
                new = [shapes.simplify(v) for v in value]
                changed |= any(a is not b for a, b in zip(new, value))
                setattr(node, field, new)
            elif isinstance(value, gast.expr):
                new = shapes.simplify(value)
                changed |= new is not value
                setattr(node, field, new)
    return changed
