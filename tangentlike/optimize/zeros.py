"""Zeros of a known shape and dtype made without reading the array they copy.

``np.zeros_like(x)`` reads ``x`` only for its shape and dtype, but a read is a
read: a reverse sweep that makes its zeros from a saved ``x`` keeps every ``x``
of a loop alive.  Where a variant knows both, the zeros are made from them, and
a gradient made fresh by adding zeros of its own shape and dtype adds ``0.0``,
the same numbers in a new array:

given: shapes={"x": (3, 4), "u": (5,), "bu": (5,)}
before:
    def f(x, u, bu):
        y = x * 2.0
        by = np.zeros_like(y)
        bu = bu + np.zeros_like(u)
        return by, bu
after:
    def f(x, u, bu):
        y = x * 2.0
        by = np.zeros((3, 4))
        bu = bu + 0.0
        return by, bu

Only float64 arrays of at least one axis qualify (``np.zeros`` makes float64;
``g + 0.0`` keeps ``g``'s dtype, which must be the zeros' own), and zeros like a
parameter never rebound stay as they are: it lives through the call anyway.
"""

from __future__ import annotations

import gast
import numpy

from .. import anno
from ..analysis.shapes import UNKNOWN, ConcreteShapes, solid
from .inplace import DTypes

FLOAT64 = numpy.dtype(numpy.float64)


def known_zeros(
    func: gast.FunctionDef, shapes: dict[str, tuple], dtypes: dict, np_alias: str
) -> bool:
    """Make the zeros of known float64 shapes from their shapes; whether any was."""
    known = ConcreteShapes(func, shapes)
    rewriter = _Zeros(known, DTypes(known, dtypes), np_alias)
    stores = anno.name_counts(func, load=False)  # a parameter's own binding counts
    rewriter.params = {a.id for a in func.args.args if stores.get(a.id) == 1}
    rewriter.visit(func)
    return rewriter.changed


class _Zeros(gast.NodeTransformer):
    def __init__(self, known, kinds, np_alias):
        self.known, self.kinds, self.np = known, kinds, np_alias
        self.changed = False

    def visit_BinOp(self, node):
        if isinstance(node.op, gast.Add) and self._like(node.right) is not None:
            x = node.right.args[0]
            shape = self._float64_shape(x)
            if shape is not None and self._float64_shape(node.left) == shape:
                self.changed = True
                node.left = self.visit(node.left)
                node.right = anno.const(0.0)
                return node
        self.generic_visit(node)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        x = self._like(node)
        if isinstance(x, gast.Name) and x.id in self.params:
            return node  # a parameter never rebound lives through the call anyway
        shape = None if x is None else self._float64_shape(x)
        if shape is None:
            return node
        self.changed = True
        dims = gast.Tuple(elts=[anno.const(n) for n in shape], ctx=gast.Load())
        return anno.call(anno.dotted(f"{self.np}.zeros"), [dims])

    def _like(self, node):
        """``x`` of ``np.zeros_like(x)``, else None."""
        func = getattr(node, "func", None)
        if not (
            isinstance(node, gast.Call)
            and isinstance(func, gast.Attribute)
            and isinstance(func.value, gast.Name)
            and self.known.aliases.get(func.value.id) == "numpy"
            and func.attr == "zeros_like"
            and len(node.args) == 1
            and not node.keywords
        ):
            return None
        return node.args[0]

    def _float64_shape(self, node):
        shape = solid(self.known.of(node))
        if shape is UNKNOWN or not shape or self.kinds.of(node) != FLOAT64:
            return None
        return shape
