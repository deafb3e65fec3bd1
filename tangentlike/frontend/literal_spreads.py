"""Spreads of literals, written out: ``f(**opts)`` and ``f(*args)`` one by one.

A spread whose items are known before the call runs is written as the arguments
it stands for, so that every call, a template's included, sees its arguments one
by one, as if the user had written them so (an item the literal holds as a
constant is written as that constant)::

    opts = {"axis": 0, "keepdims": True}      opts = {"axis": 0, "keepdims": True}
    m = np.mean(x, **opts)               ->   m = np.mean(x, axis=0, keepdims=True)
    args = (x, 2.0)                           args = (x, 2.0)
    y = helper(*args)                    ->   y = helper(args[0], 2.0)

A literal written in the call is spread in place (``f(**{"axis": 0})`` is
``f(axis=0)``). A name is taken where the function binds it once, at its top
level, to a dict of string keys or to a tuple or list, and reads it only to spread
it or to take an item: nothing can change its keys or its length in between.
Elsewhere the call is left as it is.
"""

from __future__ import annotations

import keyword

import gast

from .. import anno


def write_out(node: gast.FunctionDef) -> None:
    """Rewrite ``node``'s spreads of literals in place."""
    literals = _fixed_literals(node)
    for call in [n for n in anno.walk(node) if isinstance(n, gast.Call)]:
        _spread(call, literals)


def _fixed_literals(node) -> dict[str, gast.expr]:
    """Names bound once, at the top level, to a literal whose keys or length no
    statement can change: name -> the literal."""
    bound = {}
    for stmt in node.body:
        if (
            isinstance(stmt, gast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)
            and _items(stmt.value) is not None
        ):
            name = stmt.targets[0].id
            bound[name] = None if name in bound else stmt.value
    allowed = set()  # the Name nodes read as a spread or for an item
    for n in anno.walk(node):
        if isinstance(n, gast.Starred) or (
            isinstance(n, gast.keyword) and n.arg is None
        ):
            allowed.add(id(n.value))
        elif isinstance(n, gast.Subscript) and isinstance(n.ctx, gast.Load):
            allowed.add(id(n.value))
    first = {id(s.targets[0]) for s in node.body if isinstance(s, gast.Assign)}
    for n in anno.walk(node):
        if not (isinstance(n, gast.Name) and n.id in bound):
            continue
        if isinstance(n.ctx, gast.Load):
            if id(n) not in allowed:
                bound[n.id] = None  # passed on or read whole
        elif not (isinstance(n.ctx, gast.Store) and id(n) in first):
            bound[n.id] = None  # a parameter, deleted, or bound again
    return {k: v for k, v in bound.items() if v is not None}


def _items(value):
    """A dict literal's keys (valid keyword names), or a tuple or list's length;
    None for anything else."""
    if isinstance(value, gast.Dict):
        keys = []
        for key in value.keys:
            if not (
                isinstance(key, gast.Constant)
                and isinstance(key.value, str)
                and key.value.isidentifier()
                and not keyword.iskeyword(key.value)
            ):
                return None
            if key.value not in keys:
                keys.append(key.value)
        return keys
    if isinstance(value, (gast.Tuple, gast.List)):
        if any(isinstance(e, gast.Starred) for e in value.elts):
            return None
        return len(value.elts)
    return None


def _spread(call: gast.Call, literals: dict) -> None:
    named = {k.arg for k in call.keywords if k.arg is not None}
    keywords = []
    for k in call.keywords:
        new = _keywords(k, literals, named) if k.arg is None else None
        keywords += [k] if new is None else new
    call.keywords = keywords
    args = []
    for a in call.args:
        new = _positional(a, literals) if isinstance(a, gast.Starred) else None
        args += [a] if new is None else new
    call.args = args


def _keywords(k: gast.keyword, literals: dict, named: set):
    value = k.value
    if isinstance(value, gast.Dict):
        keys = _items(value)
        if keys is None or len(keys) != len(value.keys) or named & set(keys):
            return None
        return [
            gast.keyword(arg=key.value, value=v)
            for key, v in zip(value.keys, value.values)
        ]
    if isinstance(value, gast.Name) and isinstance(literals.get(value.id), gast.Dict):
        keys = _items(literals[value.id])
        if named & set(keys):
            return None  # Python refuses the call: left for it to say so
        held = literals[value.id]
        last = {k.value: v for k, v in zip(held.keys, held.values)}
        return [
            gast.keyword(arg=key, value=_item(value, key, last[key])) for key in keys
        ]
    return None


def _positional(star: gast.Starred, literals: dict):
    value = star.value
    if isinstance(value, (gast.Tuple, gast.List)) and _items(value) is not None:
        return list(value.elts)
    if isinstance(value, gast.Name):
        literal = literals.get(value.id)
        if isinstance(literal, (gast.Tuple, gast.List)):
            return [_item(value, i, e) for i, e in enumerate(literal.elts)]
    return None


def _item(name: gast.Name, key, held: gast.expr) -> gast.expr:
    """``name[key]``, or the constant the literal holds there."""
    if isinstance(held, gast.Constant):
        return anno.copy_location(anno.const(held.value), name)
    return anno.copy_location(
        gast.Subscript(
            value=anno.name(name.id), slice=anno.const(key), ctx=gast.Load()
        ),
        name,
    )
