"""Names whose ``[]`` is an object's own ``__getitem__``.

An item of a list, tuple, dict or array is one of its values: its index carries no
derivative.  An object whose class defines ``__getitem__`` in Python may compute
its item from the index (``table[x]`` returning ``self.w * x``), so an index that
holds a value to differentiate is refused there (``transform/statements.py``),
never taken for a position.
"""

from __future__ import annotations

import gast
import numpy

from .. import anno

# containers whose ``[]`` selects, whatever a subclass adds around it
SELECTING = (list, tuple, dict, numpy.ndarray)

COMPUTED = "tl_computed_item"  # on an item of such an object


def computes_items(cls) -> bool:
    """Whether instances of ``cls`` have a ``__getitem__`` written in Python that
    is not a selecting container's."""
    if not isinstance(cls, type) or issubclass(cls, SELECTING):
        return False
    method = getattr(cls, "__getitem__", None)
    return hasattr(method, "__code__")


def mark(node, scope) -> None:
    """Annotate each item ``t[i]`` read in function ``node`` whose ``t`` is bound
    to such an object: assigned an instance of such a class, or resolving to one
    (a module's global)."""
    made = set()
    for stmt in gast.walk(node):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Call):
            if computes_items(scope.resolve(stmt.value.func)):
                made |= anno.store_names(stmt.targets[0])
    for item in gast.walk(node):
        if not (
            isinstance(item, gast.Subscript)
            and isinstance(item.ctx, gast.Load)
            and isinstance(item.value, gast.Name)
        ):
            continue
        if item.value.id in made or computes_items(type(_held(scope, item.value))):
            anno.set_(item, COMPUTED, True)


def _held(scope, name):
    """The object a global or closure name holds (None for a local)."""
    if name.id in scope.locals:
        return None
    return scope.resolve(name)
