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
    for comp in [n for n in anno.walk(func_node) if isinstance(n, KINDS)]:
        bound = set().union(*(anno.store_names(g.target) for g in comp.generators))
        outside = _names_outside(func_node, comp)
        renames = {n: namer.fresh(n) for n in sorted(bound & outside)}
        if renames:
            _rename(comp, renames)


def _names_outside(func_node, comp) -> set[str]:
    """The names of ``func_node`` but those inside ``comp`` (its first iterable,
    which runs in the enclosing scope, counts as outside)."""
    inside = {id(n) for n in anno.walk(comp)} - {
        id(n) for n in anno.walk(comp.generators[0].iter)
    }
    return {
        n.id
        for n in anno.walk(func_node)
        if isinstance(n, gast.Name) and id(n) not in inside
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
