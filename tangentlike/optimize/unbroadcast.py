"""Drop ``unbroadcast(g, x)`` where ``g`` provably has ``x``'s shape.

    _mul = x * 2.0                     _mul = x * 2.0
    b_mul = unbroadcast(b_sub, _mul)   b_mul = b_sub
    bx = unbroadcast(b_mul * 2.0, x)   bx = b_mul * 2.0

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
