"""Keywords no template takes, written out with functions that have templates.

``np.diff``'s ``prepend=`` and ``append=`` join values to the array before
differencing it::

    np.diff(x, prepend=0.0)   ->   np.diff(np.concatenate((np.broadcast_to(0.0,
                                       end_shape(x, 0.0, -1)), x), -1), 1, -1)

so the derivative reaches ``x`` (and the ends, when they are differentiated) through
``concatenate`` and ``broadcast_to``.
"""

from __future__ import annotations

import inspect

import gast
import numpy

from .. import anno
from ..runtime import end_shape

ENDS = ("prepend", "append")


def write_out(node: gast.FunctionDef, scope, np_alias: str) -> dict:
    """Rewrite the calls of ``node`` that pass keywords no template takes; returns
    the runtime helpers the new code calls."""
    writer = _Writer(scope, np_alias)
    writer.visit(node)
    return writer.helpers


class _Writer(gast.NodeTransformer):
    def __init__(self, scope, np_alias: str):
        self.scope, self.np = scope, np_alias
        self.helpers: dict = {}

    def visit_Call(self, node):
        self.generic_visit(node)
        if not any(k.arg in ENDS for k in node.keywords):
            return node
        if self.scope.resolve(node.func) is not numpy.diff:
            return node
        return anno.copy_location(self._diff(node), node)

    def _diff(self, node):
        try:
            bound = _DIFF.bind(*node.args, **{k.arg: k.value for k in node.keywords})
        except TypeError:
            return node  # refused with the template's own message
        args = bound.arguments
        a = args["a"]
        n, axis = args.get("n", anno.const(1)), args.get("axis", anno.const(-1))
        parts = [a]
        for key in ENDS:
            if key in args:
                end = self._end(a, args[key], axis)
                parts.insert(0 if key == "prepend" else len(parts), end)
        joined = anno.call(
            anno.dotted(f"{self.np}.concatenate"),
            [gast.Tuple(elts=parts, ctx=gast.Load()), anno.clone(axis)],
        )
        return anno.call(node.func, [joined, n, anno.clone(axis)])

    def _end(self, a, value, axis):
        """``np.broadcast_to(value, end_shape(a, value, axis))``."""
        self.scope.closure["end_shape"] = self.helpers["end_shape"] = end_shape
        shape = anno.call(
            anno.name("end_shape"), [anno.clone(a), anno.clone(value), anno.clone(axis)]
        )
        return anno.call(anno.dotted(f"{self.np}.broadcast_to"), [value, shape])


_DIFF = inspect.signature(numpy.diff)
