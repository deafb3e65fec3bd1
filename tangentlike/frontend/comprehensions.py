"""Comprehensions as the loops they stand for, with their own scope.

    ys = [np.sin(x) for x in xs if x > 0]      ->   ys = []
                                                    for x in xs:
                                                        if x > 0:
                                                            ys.append(np.sin(x))

A list comprehension or a generator expression builds a list (a generator
consumed by ``sum``, ``max`` or ``np.stack`` gives the same values), a dict
comprehension a dict; ``if`` filters become ``if`` statements and each further
``for`` a loop inside the one before.  As in Python, the names a comprehension
binds are its own: where the function uses one of them outside it, the
comprehension's is renamed (``x2``), so the loop leaves the function's alone.
"""

from __future__ import annotations

import gast

from .. import anno

KINDS = (gast.ListComp, gast.GeneratorExp, gast.DictComp)
BASES = {
    gast.ListComp: "listcomp",
    gast.GeneratorExp: "genexp",
    gast.DictComp: "dictcomp",
}


def own_scopes(func_node, namer) -> None:
    """Rename each comprehension's names that the function also uses outside it."""
    comps = [n for n in anno.walk(func_node) if isinstance(n, KINDS)]
    for comp in comps:
        outside = _names_outside(func_node, comp, comps)
        renames = {n: namer.fresh(n) for n in sorted(_bound(comp) & outside)}
        if renames:
            _rename(comp, renames)


def _bound(comp) -> set[str]:
    return set().union(*(anno.store_names(g.target) for g in comp.generators))


def _own(comp) -> set[int]:
    """The nodes of ``comp`` in its own scope: all but its first iterable's."""
    first = {id(n) for n in anno.walk(comp.generators[0].iter)}
    return {id(n) for n in anno.walk(comp)} - first


def _names_outside(func_node, comp, comps) -> set[str]:
    """The names ``func_node`` uses outside ``comp``, but the names other
    comprehensions beside it bind (theirs, not the function's)."""
    hidden = _own(comp)
    for other in comps:
        if other is comp or id(comp) in _own(other):  # other holds comp
            continue
        bound, own = _bound(other), _own(other)
        hidden |= {
            id(n)
            for n in anno.walk(other)
            if isinstance(n, gast.Name) and n.id in bound and id(n) in own
        }
    return {
        n.id
        for n in anno.walk(func_node)
        if isinstance(n, gast.Name) and id(n) not in hidden
    }


def _rename(comp, renames: dict[str, str]) -> None:
    first = {id(n) for n in anno.walk(comp.generators[0].iter)}
    for n in anno.walk(comp):
        if isinstance(n, gast.Name) and n.id in renames and id(n) not in first:
            n.id = renames[n.id]


def as_loop(comp, into: str) -> list:
    """``into = []`` (or ``{}``) and the loop that fills it, not yet normalized."""
    if isinstance(comp, gast.DictComp):
        start = gast.Dict(keys=[], values=[])
        item = gast.Subscript(value=anno.name(into), slice=comp.key, ctx=gast.Store())
        inner = anno.assign(item, comp.value)
    else:
        start = gast.List(elts=[], ctx=gast.Load())
        append = anno.call(anno.attr(anno.name(into), "append"), [comp.elt])
        inner = gast.Expr(value=append)
    for generator in reversed(comp.generators):
        body = [inner]
        for test in reversed(generator.ifs):
            body = [gast.If(test=test, body=body, orelse=[])]
        inner = gast.For(
            target=generator.target,
            iter=generator.iter,
            body=body,
            orelse=[],
            type_comment=None,
        )
    return [anno.copy_location(s, comp) for s in (anno.assign(into, start), inner)]


def base(comp) -> str:
    """The temporary's name for a comprehension's value: ``_listcomp``."""
    return BASES[type(comp)]
