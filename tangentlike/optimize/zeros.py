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
parameter never rebound stay as they are: it lives through the call anyway.  An
array of one known axis and a dtype not known takes its dtype from the array:
``np.zeros((3,), k.dtype)``.
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
            return self._of_dtype(node, x)
        self.changed = True
        dims = gast.Tuple(elts=[anno.const(n) for n in shape], ctx=gast.Load())
        return anno.call(anno.dotted(f"{self.np}.zeros"), [dims])

    def _of_dtype(self, node, x):
        """``np.zeros((3,), x.dtype)`` for ``np.zeros_like(x)`` of a name of one
        known axis whose dtype only the array knows (an item of a tuple of saved
        values): one axis has one layout, and ``np.zeros`` skips ``zeros_like``'s
        Python wrapper (a microsecond, in a function called every step)."""
        shape = None if x is None else solid(self.known.of(x))
        if not (isinstance(x, gast.Name) and shape and len(shape) == 1):
            return node
        self.changed = True
        dims = gast.Tuple(elts=[anno.const(shape[0])], ctx=gast.Load())
        dtype = gast.Attribute(value=anno.name(x.id), attr="dtype", ctx=gast.Load())
        return anno.call(anno.dotted(f"{self.np}.zeros"), [dims, dtype])

    def _like(self, node):
        """``x`` of ``np.zeros_like(x)``, else None."""
        func = getattr(node, "func", None)
        if not (
            isinstance(node, gast.Call)
            and isinstance(func, gast.Attribute)
            and isinstance(func.value, gast.Name)
            and (
                self.known.aliases.get(func.value.id) == "numpy"
                or func.value.id == self.np  # the module the generated code calls
            )
            and func.attr == "zeros_like"
            and len(node.args) == 1
            and not node.keywords
        ):
            return None
        return node.args[0]

    def _float64_shape(self, node):
        shape, kind = solid(self.known.of(node)), self.kinds.of(node)
        # a dtype, not UNKNOWN: NumPy reads None as float64 (dtype == None)
        if shape is UNKNOWN or not shape or not isinstance(kind, numpy.dtype):
            return None
        return shape if kind == FLOAT64 else None
