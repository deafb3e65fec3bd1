"""Calls through a name that holds one of a few known functions, made direct.

Library code picks a function at run time and calls it through a local name::

    if a.dtype != object:                 _cond = fmatmul is np.matmul
        fmatmul = np.matmul               if _cond:
    else:                         ->          _fmatmul = np.matmul(a, a)
        fmatmul = np.dot                  else:
    _fmatmul = fmatmul(a, a)                  _fmatmul = np.dot(a, a)

Each call becomes a branch per function the name may hold, so each takes its own
derivative and the transforms replay the branch that ran.  A name that may hold
anything else (a parameter, an unpacked value) is left alone.  Runs on normalized
code, where every call is the value of its own statement.
"""

from __future__ import annotations

import types

import gast

from .. import anno
from ..analysis.scope import is_resolved


def direct_calls(body: list, params, scope, namer) -> list:
    """``body`` with calls through names holding known functions made direct."""
    held = _held_functions(body, set(params), scope)
    if not held:
        return body
    return _Rewriter(held, scope, namer).block(body)


def _held_functions(body, params: set[str], scope) -> dict[str, list]:
    """Local name -> the expressions of the functions it may hold."""
    found: dict[str, list] = {}
    copies: dict[str, set[str]] = {}
    bad = set(params)
    module = gast.Module(body=body, type_ignores=[])
    plain = set()
    for node in anno.walk(module):
        if isinstance(node, gast.Assign) and _is_name(node.targets[0]):
            name = node.targets[0].id
            plain.add(id(node.targets[0]))
            if isinstance(node.value, gast.Name) and not _is_global(node.value, scope):
                copies.setdefault(name, set()).add(node.value.id)
            elif _is_function(node.value, scope):
                found.setdefault(name, []).append(node.value)
            else:
                bad.add(name)
    for node in anno.walk(module):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            if id(node) not in plain:
                bad.add(node.id)
    return _closed(found, copies, bad)


def _closed(found: dict, copies: dict, bad: set) -> dict:
    """Names whose every binding is a function or a name holding only functions."""
    out = {}
    for name in set(found) | set(copies):
        exprs = _functions_of(name, found, copies, bad, frozenset())
        if exprs:
            out[name] = exprs
    return out


def _functions_of(name, found, copies, bad, seen):
    if name in bad or name in seen:
        return None
    exprs = list(found.get(name, []))
    for source in sorted(copies.get(name, ())):
        more = _functions_of(source, found, copies, bad, seen | {name})
        if more is None:
            return None
        dumps = {gast.dump(e) for e in exprs}
        exprs += [e for e in more if gast.dump(e) not in dumps]
    return exprs or None


def _is_name(node) -> bool:
    return isinstance(node, gast.Name)


def _is_global(node, scope) -> bool:
    return is_resolved(scope.resolve(node))


def _is_function(node, scope) -> bool:
    if not isinstance(node, (gast.Name, gast.Attribute)):
        return False
    value = scope.resolve(node)
    return (
        is_resolved(value)
        and callable(value)
        and not isinstance(value, (type, types.ModuleType))
    )


class _Rewriter:
    def __init__(self, held: dict, scope, namer):
        self.held, self.scope, self.namer = held, scope, namer

    def block(self, stmts) -> list:
        out = []
        for stmt in stmts:
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list) and inner:
                    setattr(stmt, field, self.block(inner))
            for handler in getattr(stmt, "handlers", ()):
                handler.body = self.block(handler.body)
            out.extend(self.stmt(stmt))
        return out

    def stmt(self, stmt) -> list:
        call = getattr(stmt, "value", None)
        if not isinstance(stmt, (gast.Assign, gast.Expr)) or not isinstance(
            call, gast.Call
        ):
            return [stmt]
        func = call.func
        if not (isinstance(func, gast.Name) and func.id in self.held):
            return [stmt]
        return self.branches(stmt, func.id, self.held[func.id])

    def branches(self, stmt, name: str, candidates: list) -> list:
        """``stmt`` with its call made to ``candidates[0]`` where the name holds it,
        else to the others."""
        direct = self.direct(stmt, candidates[0])
        if len(candidates) == 1:
            return [direct]
        cond = self.namer.temp("cond")
        test = gast.Compare(
            left=anno.name(name),
            ops=[gast.Is()],
            comparators=[anno.clone(candidates[0])],
        )
        branch = gast.If(
            test=anno.name(cond),
            body=[direct],
            orelse=self.branches(stmt, name, candidates[1:]),
        )
        return [anno.assign(cond, test), branch]

    def direct(self, stmt, function):
        new = anno.clone(stmt)
        new.value.func = anno.clone(function)
        anno.set_(new.value, anno.CALLEE, self.scope.resolve(function))
        return anno.copy_location(new, stmt)
