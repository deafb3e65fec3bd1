"""Call the ufunc reductions that NumPy's reduction functions wrap.

``np.sum``, ``np.mean``, ``np.max``... check their argument's type and look up
the matching ``ufunc.reduce`` on every call: about 1 us, the time of an
elementwise pass over a thousand numbers.  In a variant, where an argument is
known to be a NumPy float array (or scalar), the reduction is called directly;
the result is the same, bit for bit (``np.mean`` divides the sum by the count
in the same way):

given: shapes={"X": (1000, 784), "W1": (784, 512), "b1": (512,), "b_add": (1000, 512)}
before:
    def f(X, W1, b1, b_add):
        _matmul = X @ W1
        _add = _matmul + b1
        _mean = np.mean(_add)
        bb1 = np.sum(b_add, axis=0)
        return _mean, bb1
after:
    def f(X, W1, b1, b_add):
        _matmul = X @ W1
        _add = _matmul + b1
        _mean = np.add.reduce(_add, axis=None) / 512000
        bb1 = np.add.reduce(b_add, axis=0)
        return _mean, bb1
"""

from __future__ import annotations

import gast
import numpy

from .. import anno
from ..analysis.shapes import ConcreteShapes, reduction_options, reduction_size, solid

REDUCERS = {
    "sum": "add",
    "prod": "multiply",
    "max": "maximum",
    "amax": "maximum",
    "min": "minimum",
    "amin": "minimum",
    "mean": "add",
}


def call_reductions(func, shapes: ConcreteShapes, kinds, np_alias: str) -> bool:
    """Rewrite the reductions of known float arrays in ``func``; whether any was.
    ``kinds`` gives each name's dtype (``optimize_inplace.DTypes``)."""
    rewriter = _Reductions(shapes, kinds, np_alias)
    rewriter.visit(func)
    return rewriter.changed


class _Reductions(gast.NodeTransformer):
    def __init__(self, shapes: ConcreteShapes, kinds, np_alias: str):
        self.shapes = shapes
        self.kinds = kinds
        self.np = np_alias
        self.changed = False

    def visit_Call(self, node):
        self.generic_visit(node)
        new = self._rewrite(node)
        if new is None:
            return node
        self.changed = True
        return new

    def _rewrite(self, node):
        func = node.func
        if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)):
            return None
        if (
            self.shapes.aliases.get(func.value.id) != "numpy"
            or func.attr not in REDUCERS
        ):
            return None
        options = reduction_options(node)
        x = node.args[0] if node.args else None
        if options is None or not self._float(x, func.attr):
            return None
        axis, keepdims = options
        keywords = [gast.keyword(arg="axis", value=_axis(node))]
        if keepdims:
            keywords.append(
                gast.keyword(arg="keepdims", value=gast.Constant(True, None))
            )
        reduce = anno.dotted(f"{self.np}.{REDUCERS[func.attr]}.reduce")
        call = gast.Call(func=reduce, args=[x], keywords=keywords)
        if func.attr != "mean":
            return call
        count = reduction_size(solid(self.shapes.of(x)), axis)
        if not count:
            return None
        return gast.BinOp(left=call, op=gast.Div(), right=gast.Constant(count, None))

    def _float(self, x, attr: str) -> bool:
        """A NumPy float (a float16 mean sums in float32: left alone)."""
        dtype = self.kinds.of(x)
        if not isinstance(dtype, numpy.dtype) or dtype.kind != "f":
            return False
        return attr != "mean" or dtype.itemsize >= 4


def _axis(node):
    """The call's ``axis`` expression (positional or keyword), ``None`` if absent."""
    if len(node.args) == 2:
        return node.args[1]
    for kw in node.keywords:
        if kw.arg == "axis":
            return kw.value
    return gast.Constant(None, None)
