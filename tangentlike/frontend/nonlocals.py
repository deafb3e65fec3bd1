"""``nonlocal`` in an inner function: the names it rebinds go out and back in.

    def f(x):                          def bump(acc):            # lifted
        acc = x                            acc = acc * 2.0
        def bump():              ->        return None, acc
            nonlocal acc
            acc = acc * 2.0            def f(x):
        bump()                             acc = x
        return acc                         _bump, acc = bump(acc)
                                           return acc

The lifted function returns the new values beside its result; each call of it
gives them back to the enclosing names on the line before the statement that
holds the call, which then reads the result.  A call Python would make only
sometimes (in a branch of ``... if ... else ...``, after ``and``/``or``, in a
``while`` test, a comprehension or another inner function), or in a statement
that also reads a rebound name, is refused: the order of the reads would change.
"""

from __future__ import annotations

import gast

from .. import anno
from ..errors import UnsupportedSyntaxError
from ..naming import Namer, names_in
from .fence import evaluated_sometimes
from .lower import map_blocks

HINT = "call it on a line of its own, or pass the value in and return it"


def return_rebound(inner: gast.FunctionDef, names: list[str]) -> None:
    """Each ``return v`` of ``inner`` becomes ``return v, *names``; ``n += v`` of
    a rebound name is ``n = n + v``, a new value given back (as for a number)."""
    for node in anno.walk(inner):
        if isinstance(node, gast.AugAssign) and _names(node.target) & set(names):
            value = gast.BinOp(
                left=anno.as_load(node.target), op=node.op, right=node.value
            )
            node.__class__ = gast.Assign
            node.targets, node.value, node.type_comment = [node.target], value, None
            del node.target, node.op
    for node in anno.walk(inner):
        if isinstance(node, gast.Return):
            value = node.value or anno.const(None)
            node.value = _tuple([value] + [anno.name(n) for n in names])
    if not inner.body or not isinstance(inner.body[-1], gast.Return):
        rest = [anno.name(n) for n in names]
        end = gast.Return(value=_tuple([anno.const(None)] + rest))
        inner.body.append(
            anno.copy_location(end, inner.body[-1] if inner.body else inner)
        )


def give_back(func: gast.FunctionDef, inner: dict, rebound: dict, source) -> None:
    """Every call in ``func`` of a function in ``rebound`` (name -> the names it
    rebinds) gives them back before its statement; ``inner`` may not call them."""
    problems = []
    for d in inner.values():
        problems += [
            (
                f"a call of `{c.func.id}`, which rebinds nonlocal names, inside "
                "another inner function",
                source.location(c),
                HINT,
            )
            for c in _calls(d, rebound)
        ]
    namer = Namer(names_in(func))
    func.body = _block(func.body, rebound, namer, source, problems)
    if problems:
        raise UnsupportedSyntaxError(problems)


def _block(block, rebound, namer, source, problems) -> list:
    out = []
    for stmt in block:
        map_blocks(stmt, lambda b: _block(b, rebound, namer, source, problems))
        before = _hoisted(stmt, rebound, namer, source, problems)
        if before and isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Name):
            stmt = None  # ``bump()`` on its own line: its result is not read
        out += before + ([stmt] if stmt else [])
    return out


def _hoisted(stmt, rebound, namer, source, problems) -> list:
    """``_bump, acc = bump(..., acc)`` for each call in ``stmt``'s own expressions."""
    before = []
    sometimes = evaluated_sometimes(stmt)
    for call in _calls(_own_expressions(stmt), rebound):
        names = rebound[call.func.id]
        what = f"a call of `{call.func.id}`, which rebinds {', '.join(names)}, "
        if id(call) in sometimes:
            why = "where Python runs it only sometimes or again and again"
        elif _reads_beside(stmt, call, names):
            why = "in a line that also reads them (before or after the call)"
        else:
            why = None
        if why:
            problems.append((what + why, source.location(call), HINT))
            continue
        result = namer.temp(call.func.id)
        targets = [anno.store(result)] + [anno.store(n) for n in names]
        new = gast.Call(func=call.func, args=call.args, keywords=call.keywords)
        target = gast.Tuple(elts=targets, ctx=gast.Store())
        before.append(anno.copy_location(anno.assign(target, new), stmt))
        _replace(stmt, call, anno.name(result))
    return before


def _own_expressions(stmt):
    """The expressions of ``stmt`` itself, not of the statements nested in it."""
    if isinstance(stmt, (gast.If, gast.While)):
        return [stmt.test]
    if isinstance(stmt, gast.For):
        return [stmt.iter]
    if isinstance(stmt, (gast.With, gast.Try)):
        return [i.context_expr for i in getattr(stmt, "items", ())]
    return [stmt]


def _calls(nodes, rebound) -> list:
    nodes = nodes if isinstance(nodes, list) else [nodes]
    return [
        n
        for tree in nodes
        for n in anno.walk(tree)
        if isinstance(n, gast.Call)
        and isinstance(n.func, gast.Name)
        and n.func.id in rebound
    ]


def _reads_beside(stmt, call, names) -> bool:
    """Whether ``stmt`` reads one of ``names`` outside ``call``'s arguments."""
    inside = {id(n) for a in call.args for n in anno.walk(a)}
    return any(
        isinstance(n, gast.Name)
        and isinstance(n.ctx, gast.Load)
        and n.id in names
        and id(n) not in inside
        for expr in _own_expressions(stmt)
        for n in anno.walk(expr)
    )


def _replace(tree, old, new) -> None:
    """Put ``new`` where ``old`` is in ``tree``."""
    for node in anno.walk(tree):
        for field, value in gast.iter_fields(node):
            if value is old:
                setattr(node, field, new)
            elif isinstance(value, list):
                for k, item in enumerate(value):
                    if item is old:
                        value[k] = new


def _names(target) -> set[str]:
    return {target.id} if isinstance(target, gast.Name) else set()


def _tuple(elts) -> gast.Tuple:
    return gast.Tuple(elts=elts, ctx=gast.Load())
