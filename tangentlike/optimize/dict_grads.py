"""The gradient of a dict of arrays written as a dict, not added item by item.

The gradient of a dict argument (a model's parameters) is built by ``add_at``,
one item at a time: the first call makes zeros for every item, and each call
copies the dict and adds its item's gradient to those zeros.  In a variant that
knows the dict's keys and the shapes of its items, a chain of such calls that
gives each key its gradient once, read by nothing but the next call and the
function's ``return``, is the dict itself:

given: shapes={"params['W']": (3, 2), "params['b']": (2,), "g": (2,), "h": (3, 2)}
before:
    def f(params, g, h):
        bparams = add_at(None, params, 'b', g)
        bx = g * 2.0
        bparams = add_at(bparams, params, 'W', h)
        return bx, bparams
after:
    def f(params, g, h):
        bx = g * 2.0
        bparams = {'W': h, 'b': g}
        return bx, bparams

Each item's gradient is its own array, where ``add_at`` added it to zeros: the
same numbers, but for the sign of a zero (``0.0 + -0.0`` is ``0.0``; the item's
own ``-0.0`` stays), a difference no comparison of numbers sees, made on
purpose.  Only names of the item's known shape qualify, none rebound before the
dict is made.
"""

from __future__ import annotations

import ast

import gast

from .. import anno
from ..analysis.shapes import ConcreteShapes, item_name


def gather_dict_grads(func: gast.FunctionDef, shapes: dict) -> bool:
    """Write each chain of ``add_at`` into a dict argument's gradient as one dict;
    whether any was."""
    known = ConcreteShapes(func, shapes)
    body = func.body
    if not body or not isinstance(body[-1], gast.Return):
        return False
    changed = False
    for param in (a.id for a in func.args.args):
        keys = _keys(param, shapes)
        if keys:
            changed |= _gather(func, body, param, keys, known)
    return changed


def _keys(param: str, shapes: dict) -> list:
    """The keys of the dict argument ``param`` whose items' shapes are known."""
    prefix = param + "["
    return [
        ast.literal_eval(name[len(prefix) : -1])
        for name in shapes
        if name.startswith(prefix) and name.endswith("]")
    ]


def _gather(func, body, param, keys, known) -> bool:
    chain = _chain(body, param)
    if chain is None:
        return False
    target, found = chain
    items = {key: value for _, key, value in found}
    if sorted(items) != sorted(keys) or len(found) != len(keys):
        return False
    if not _only_read_by(func, target, [body[k] for k, _, _ in found] + [body[-1]]):
        return False
    for k, key, value in found:
        if known.of(value) != known.arguments.get(item_name(param, key)):
            return False
        if _rebound_after(body, k, found[-1][0], value.id):
            return False
    last = found[-1][0]
    body[last].value = gast.Dict(
        keys=[anno.const(key) for key in keys],
        values=[anno.clone(items[key]) for key in keys],
    )
    for k, _, _ in reversed(found[:-1]):
        del body[k]
    return True


def _chain(body, param):
    """``(target, [(index, key, value), ...])`` of the statements ``b = add_at(None,
    param, 'key', value)`` then ``b = add_at(b, param, 'key2', value2)``, ...;
    None where there is no such chain from its start."""
    found, target = [], None
    for k, stmt in enumerate(body):
        call = _add_at(stmt, param)
        if call is None:
            continue
        name = stmt.targets[0].id
        first = call.args[0]
        start = isinstance(first, gast.Constant) and first.value is None
        if target is None and start:
            target = name
        elif not (
            name == target and isinstance(first, gast.Name) and first.id == target
        ):
            return None
        found.append((k, call.args[2].value, call.args[3]))
    return None if target is None else (target, found)


def _add_at(stmt, param):
    """The call of ``x = add_at(g, param, 'key', value)``, a str key and a name for
    the value; else None."""
    if not (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Call)
    ):
        return None
    call = stmt.value
    if not (
        isinstance(call.func, gast.Name)
        and call.func.id == "add_at"
        and len(call.args) == 4
        and not call.keywords
    ):
        return None
    _, x, key, value = call.args
    if not (isinstance(x, gast.Name) and x.id == param):
        return None
    if not (isinstance(key, gast.Constant) and type(key.value) is str):
        return None
    return call if isinstance(value, gast.Name) else None


def _only_read_by(func, name: str, stmts: list) -> bool:
    """Whether every read and binding of ``name`` in ``func`` is in ``stmts``."""
    inside = sum(anno.name_counts(s).get(name, 0) for s in stmts)
    inside += sum(anno.name_counts(s, load=False).get(name, 0) for s in stmts)
    total = anno.name_counts(func).get(name, 0)
    total += anno.name_counts(func, load=False).get(name, 0)
    return inside == total


def _rebound_after(body, start: int, end: int, name: str) -> bool:
    """Whether a statement after ``start`` up to ``end`` binds ``name``."""
    return any(
        anno.name_counts(s, load=False).get(name, 0) for s in body[start + 1 : end]
    ) or any(name in anno.updated_names(s) for s in body[start + 1 : end])
