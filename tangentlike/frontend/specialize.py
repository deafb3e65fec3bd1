"""Specialize: a library function bound to the constants of one call.

A call fixes some parameters to constants: literals it passes, defaults it leaves.
Those parameters leave the signature and are assigned at the top of the body, then
carried forward into the code that reads them; a test they decide is folded and
only its branch is kept, so code for cases the call never reaches (``out=``
arrays, other axes, other types) is not transformed at all::

    def mean(a, axis=None, out=None):        def mean(a):       # mean(x)
        if out is not None:                      axis = None
            out[...] = np.sum(a, axis)    ->     out = None
            return out                           return np.sum(a, None) / a.size
        return np.sum(a, axis) / a.size

Only literals, defaults and globals (``np._NoValue``) are known: a test that reads
anything else is left to run.
"""

from __future__ import annotations

import operator

import gast

from .. import anno
from ..analysis.scope import is_resolved

_COMPARE = {
    gast.Is: operator.is_,
    gast.IsNot: operator.is_not,
    gast.Eq: operator.eq,
    gast.NotEq: operator.ne,
    gast.Lt: operator.lt,
    gast.LtE: operator.le,
    gast.Gt: operator.gt,
    gast.GtE: operator.ge,
    gast.In: lambda a, b: a in b,
    gast.NotIn: lambda a, b: a not in b,
}
_LITERALS = (int, float, complex, str, bool, bytes, type(None))
# builtins whose value on literals is a literal, computed once at transform time
PURE = (operator.index, int, float, bool, abs, len, min, max, round)
UNKNOWN = object()


def default_of(node: gast.FunctionDef, name: str):
    """The expression of parameter ``name``'s default in the function's source."""
    args = node.args
    positional = args.posonlyargs + args.args
    offset = len(positional) - len(args.defaults)
    for i, param in enumerate(positional):
        if param.id == name and i >= offset:
            return anno.clone(args.defaults[i - offset])
    for param, default in zip(args.kwonlyargs, args.kw_defaults):
        if param.id == name and default is not None:
            return anno.clone(default)
    return None


def bind_constants(node: gast.FunctionDef, constants: dict, scope) -> None:
    """Remove the parameters ``constants`` maps to expressions from ``node``'s
    signature, assign them first in its body and fold what they decide."""
    if not constants:
        return
    args = node.args
    args.args = [a for a in args.args if a.id not in constants]
    args.kwonlyargs = [a for a in args.kwonlyargs if a.id not in constants]
    args.defaults, args.kw_defaults = [], [None] * len(args.kwonlyargs)
    prologue = [anno.assign(p, anno.clone(v)) for p, v in constants.items()]
    for stmt in prologue:
        anno.copy_location(stmt, node)
    node.body = _Folder(scope).block(prologue + node.body, {})


class _Folder:
    """Constant propagation along one pass over the statements, in order."""

    def __init__(self, scope):
        self.scope = scope

    def block(self, stmts, env: dict) -> list:
        out = []
        for stmt in stmts:
            out.extend(self.stmt(stmt, env))
            if out and isinstance(out[-1], (gast.Return, gast.Raise)):
                break  # what follows cannot run
        return out

    def stmt(self, stmt, env: dict) -> list:
        if isinstance(stmt, gast.If):
            return self.branch(stmt, env)
        if isinstance(stmt, gast.Try):
            return self.attempt(stmt, env)
        if isinstance(stmt, (gast.For, gast.While, gast.With)):
            return [self.opaque(stmt, env)]
        stmt = self.substitute(stmt, env)
        if isinstance(stmt, gast.Assign) and _is_plain(stmt):
            name = stmt.targets[0].id
            env.pop(name, None)
            if self.known(stmt.value) is not UNKNOWN:
                env[name] = stmt.value
            return [stmt]
        for name in anno.store_names(stmt) | _deleted(stmt):
            env.pop(name, None)
        return [stmt]

    def branch(self, stmt, env: dict) -> list:
        stmt.test = self.expr(stmt.test, env)
        decided = self.truth(stmt.test)
        if decided is not UNKNOWN:
            return self.block(stmt.body if decided else stmt.orelse, env)
        after_body, after_else = dict(env), dict(env)
        stmt.body = self.block(stmt.body, after_body) or [gast.Pass()]
        stmt.orelse = self.block(stmt.orelse, after_else)
        for name in list(env):
            env.pop(name)
        for name, value in after_body.items():
            other = after_else.get(name)
            if other is not None and gast.dump(other) == gast.dump(value):
                env[name] = value
        return [stmt]

    def attempt(self, stmt, env: dict) -> list:
        """A ``try`` whose body, with what is known written in, only assigns known
        values cannot raise: its body, ``else`` and ``finally`` run in its place."""
        trial = dict(env)
        body = self.block(anno.clone(stmt.body), trial)
        if not all(self._assigns_known(s) for s in body):
            return [self.opaque(stmt, env)]
        env.clear()
        env.update(trial)
        return body + self.block(stmt.orelse + stmt.finalbody, env)

    def _assigns_known(self, stmt) -> bool:
        return (
            isinstance(stmt, gast.Assign)
            and _is_plain(stmt)
            and self.known(stmt.value) is not UNKNOWN
        )

    def opaque(self, stmt, env: dict):
        """A loop, ``try`` or ``with``: what it stores is unknown inside and after."""
        for name in anno.store_names(stmt) | _deleted(stmt):
            env.pop(name, None)
        inner = {k: v for k, v in env.items()}
        for field in ("test", "iter"):
            if hasattr(stmt, field):
                setattr(stmt, field, self.expr(getattr(stmt, field), env))
        if isinstance(stmt, gast.With):
            for item in stmt.items:
                item.context_expr = self.expr(item.context_expr, env)
        for field in ("body", "orelse", "finalbody"):
            if getattr(stmt, field, None):
                setattr(stmt, field, self.block(getattr(stmt, field), dict(inner)))
        for handler in getattr(stmt, "handlers", ()):
            handler.body = self.block(handler.body, dict(inner))
        return stmt

    # expressions ------------------------------------------------------------
    def substitute(self, stmt, env: dict):
        for field, value in gast.iter_fields(stmt):
            if isinstance(value, gast.expr) and not _is_target(stmt, field):
                setattr(stmt, field, self.expr(value, env))
        return stmt

    def expr(self, node, env: dict):
        """``node`` with the known names written in and decided ``a if t else b`` taken."""
        return _Writer(env, self).visit(node)

    def known(self, node):
        """The value of a literal or a global (``None``, ``2``, ``np._NoValue``)."""
        if isinstance(node, gast.Constant):
            return node.value
        if isinstance(node, gast.Tuple):
            values = [self.known(e) for e in node.elts]
            return UNKNOWN if UNKNOWN in values else tuple(values)
        if isinstance(node, (gast.Name, gast.Attribute)):
            value = self.scope.resolve(node)
            return value if is_resolved(value) else UNKNOWN
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
            value = self.known(node.operand)
            return -value if isinstance(value, (int, float)) else UNKNOWN
        return UNKNOWN

    def truth(self, test):
        """Whether ``test`` holds, where it reads only known values."""
        if isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not):
            value = self.truth(test.operand)
            return value if value is UNKNOWN else not value
        if isinstance(test, gast.BoolOp):
            return self._bool_op(test)
        if isinstance(test, gast.Compare) and len(test.ops) == 1:
            return self._compare(test)
        value = self.known(test)
        if isinstance(value, _LITERALS + (tuple,)):
            return bool(value)
        return UNKNOWN

    def _bool_op(self, test):
        stop = isinstance(test.op, gast.Or)  # the value that decides the whole
        unknown = False
        for value in test.values:
            truth = self.truth(value)
            if truth is UNKNOWN:
                unknown = True
            elif truth == stop:
                return stop
        return UNKNOWN if unknown else not stop

    def _compare(self, test):
        left, right = self.known(test.left), self.known(test.comparators[0])
        op = type(test.ops[0])
        if left is UNKNOWN or right is UNKNOWN or op not in _COMPARE:
            return UNKNOWN
        identity = op in (gast.Is, gast.IsNot)
        if not identity and not (_is_literal(left) and _is_literal(right)):
            return UNKNOWN
        try:
            return bool(_COMPARE[op](left, right))
        except TypeError:
            return UNKNOWN


class _Writer(gast.NodeTransformer):
    def __init__(self, env: dict, folder: _Folder):
        self.env, self.folder = env, folder

    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load) and node.id in self.env:
            return anno.copy_location(anno.clone(self.env[node.id]), node)
        return node

    def visit_Call(self, node):
        """A pure builtin of known values (``operator.index(3)``) is its value."""
        self.generic_visit(node)
        func = self.folder.scope.resolve(node.func)
        if node.keywords or not any(func is f for f in PURE):
            return node
        args = [self.folder.known(a) for a in node.args]
        if any(a is UNKNOWN or not _is_literal(a) for a in args):
            return node
        try:
            value = func(*args)
        except (TypeError, ValueError):
            return node
        if not _is_literal(value) or isinstance(value, tuple):
            return node
        return anno.copy_location(anno.const(value), node)

    def visit_IfExp(self, node):
        self.generic_visit(node)
        decided = self.folder.truth(node.test)
        if decided is UNKNOWN:
            return node
        return node.body if decided else node.orelse

    def visit_Lambda(self, node):
        return node  # its parameters shadow: lifted and bound on their own


def _is_plain(stmt) -> bool:
    return len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)


def _is_target(stmt, field: str) -> bool:
    return field in ("target", "targets")


def _deleted(stmt) -> set[str]:
    return {
        n.id
        for n in anno.walk(stmt)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Del)
    }


def _is_literal(value) -> bool:
    if isinstance(value, tuple):
        return all(_is_literal(v) for v in value)
    return isinstance(value, _LITERALS)
