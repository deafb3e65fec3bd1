"""Methods of NumPy's ufuncs, written with the functions whose derivatives the
templates give::

    np.subtract.outer(a, b)   ->   np.subtract(np.reshape(a, np.shape(a) + (1,) * np.ndim(b)), b)
    np.add.accumulate(x)      ->   np.cumsum(x, axis=0)
    np.multiply.accumulate(x, axis=1)   ->   np.cumprod(x, axis=1)

(``outer`` of any two-argument ufunc: every item of ``a`` against all of ``b``, by
broadcasting; ``accumulate`` runs along axis 0 unless told). Other methods stay as
they are, refused by name where a value to differentiate reaches them.
"""

from __future__ import annotations

import gast
import numpy

from .. import anno

_ACCUMULATED = {numpy.add: "cumsum", numpy.multiply: "cumprod"}


def write_out(node: gast.FunctionDef, scope, np_alias: str) -> None:
    """Rewrite ``node``'s ``ufunc.outer`` and ``ufunc.accumulate`` calls in place."""
    _Methods(scope, np_alias).visit(node)


class _Methods(gast.NodeTransformer):
    def __init__(self, scope, np_alias: str):
        self.scope, self.np = scope, np_alias

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if not isinstance(func, gast.Attribute) or func.attr not in (
            "outer",
            "accumulate",
        ):
            return node
        ufunc = self.scope.resolve(func.value)
        if not isinstance(ufunc, numpy.ufunc):
            return node
        if func.attr == "outer":
            new = self._outer(node, ufunc)
        else:
            new = self._accumulate(node, ufunc)
        return node if new is None else anno.copy_location(new, node)

    def _np(self, name: str, args, keywords=()):
        call = anno.call(anno.dotted(f"{self.np}.{name}"), list(args))
        call.keywords = list(keywords)
        return call

    def _outer(self, node, ufunc):
        if ufunc.nin != 2 or len(node.args) != 2 or node.keywords:
            return None
        a, b = node.args
        ones = gast.BinOp(
            left=gast.Tuple(elts=[anno.const(1)], ctx=gast.Load()),
            op=gast.Mult(),
            right=self._np("ndim", [anno.clone(b)]),
        )
        shape = gast.BinOp(
            left=self._np("shape", [anno.clone(a)]), op=gast.Add(), right=ones
        )
        return self._np(ufunc.__name__, [self._np("reshape", [a, shape]), b])

    def _accumulate(self, node, ufunc):
        name = _ACCUMULATED.get(ufunc)
        keywords = {k.arg: k.value for k in node.keywords}
        if name is None or not node.args or set(keywords) - {"axis"}:
            return None
        if len(node.args) > 2 or (len(node.args) == 2 and "axis" in keywords):
            return None
        axis = node.args[1] if len(node.args) == 2 else keywords.get("axis")
        axis = anno.const(0) if axis is None else axis
        return self._np(name, [node.args[0]], [gast.keyword(arg="axis", value=axis)])
