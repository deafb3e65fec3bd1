"""Conversions of iterables, written as what the lowering differentiates.

``list(xs)`` of a name, an attribute or an item is the list comprehension it
equals, ``[v for v in xs]``, so the items of an array (``list(x)``) keep their
derivatives, as in a loop over ``x``; a call's result (``list(range(n))``,
``list(d.keys())``) is left to ``list``. ``reversed(xs)`` where a loop or a
comprehension reads it (``for v in reversed(xs)``, also inside ``enumerate`` and
``zip``) is the same items as ``xs[::-1]``, which the lowering indexes;
``reversed(range(n))`` stays as it is.
"""

from __future__ import annotations

import gast

from .. import anno


def write_out(node: gast.FunctionDef, scope, namer) -> None:
    """Rewrite ``node``'s ``list(xs)`` and looped ``reversed(xs)`` in place."""
    _Lists(scope, namer).visit(node)
    for n in list(anno.walk(node)):
        if isinstance(n, (gast.For, gast.comprehension)):
            n.iter = _unreversed(n.iter, scope)
            if _calls(n.iter, scope, (enumerate, zip)):
                n.iter.args = [_unreversed(a, scope) for a in n.iter.args]


class _Lists(gast.NodeTransformer):
    def __init__(self, scope, namer):
        self.scope, self.namer = scope, namer

    def visit_Call(self, node):
        self.generic_visit(node)
        if not (
            _calls(node, self.scope, (list,))
            and len(node.args) == 1
            and not node.keywords
            and isinstance(node.args[0], (gast.Name, gast.Attribute, gast.Subscript))
        ):
            return node
        item = self.namer.temp("v")
        loop = gast.comprehension(
            target=anno.store(item), iter=node.args[0], ifs=[], is_async=0
        )
        comp = gast.ListComp(elt=anno.name(item), generators=[loop])
        return anno.copy_location(comp, node)


def _unreversed(it, scope):
    if not (
        _calls(it, scope, (reversed,)) and len(it.args) == 1 and not it.keywords
    ) or _calls(it.args[0], scope, (range,)):
        return it
    whole = gast.Slice(lower=None, upper=None, step=anno.const(-1))
    flipped = gast.Subscript(value=it.args[0], slice=whole, ctx=gast.Load())
    return anno.copy_location(flipped, it)


def _calls(node, scope, builtins: tuple) -> bool:
    return isinstance(node, gast.Call) and any(
        scope.resolve(node.func) is b for b in builtins
    )
