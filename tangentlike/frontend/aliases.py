"""Aliases: refuse in-place updates that another live name, or the caller, would see.

tangentlike differentiates ``x += e`` as ``x = x + e`` and follows a subscripted
update ``x[i] = e`` through the name ``x``.  NumPy updates arrays in place, so
another name for the same memory (``y = x``, a view such as ``x[1:]`` or ``x.T``,
an array kept in a list) or the caller of a helper whose argument it is would see
the change, and the derivative would not.  Before any transform, a points-to
analysis finds which objects each name may hold, a liveness analysis which names
are read later, and every in-place update that such a name would see is refused.
A Python float behaves like a fresh value here, so the refusal may be more than
floats need; the hint says how to write the update as a new value.
"""

from __future__ import annotations

import inspect
import weakref

import gast

from .. import anno
from ..analysis.liveness import Liveness
from ..analysis.points_to import PointsTo, paired_pops
from ..analysis.scope import Scope, assigned_names, parameter_names
from ..errors import UnsupportedSyntaxError
from ..made import plain
from ..naming import is_stack_name
from . import closures, library


def check(func_node, source, scope, locals_: set[str], helper: bool) -> bool:
    """Raise one UnsupportedSyntaxError listing every in-place update that another
    name read later, or (in a helper) the caller, or code outside would see;
    return whether the function may return (a part of) one of its arguments."""
    liveness = Liveness()
    liveness.block(func_node.body, set())
    points, problems = _problems(func_node, source, scope, locals_, helper, liveness)
    if problems:  # again, each loop's first turn apart: found in none, none
        peeled = _problems(func_node, source, scope, locals_, helper, liveness, True)
        points, problems = peeled
    if problems:
        problems.sort(key=lambda p: (p[1].lineno, p[1].col))
        raise UnsupportedSyntaxError(problems)
    return not points.returned.isdisjoint(points.params.values())


def _problems(func_node, source, scope, locals_, helper, liveness, peel=False):
    """The points-to analysis of the function, and the in-place updates it finds
    another name would see: ``(message, location, hint)``, one per update."""
    params = parameter_names(func_node.args)
    paired = paired_pops(func_node)
    points = PointsTo(scope, params, locals_, helper, check_callee, peel, paired)
    points.block(func_node.body, points.start())
    problems, seen = [], set()
    for stmt, name, sites, state in points.updates.values():
        live = liveness.after.get(id(stmt), set()) - _rebound(stmt)
        problem = _conflict(points, stmt, name, sites, state, live)
        if problem is not None and (id(stmt), name) not in seen:
            seen.add((id(stmt), name))
            problems.append((problem[0], source.location(stmt), problem[1]))
    return points, problems


_CALLEES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def check_callee(func) -> bool:
    """Check a user function called from the function being checked, as a helper,
    even where its result is not differentiated (the call may be there for what it
    does to its arguments); whether it may return one of its arguments."""
    func = plain(func)  # a gradient made by tangentlike: its generated code
    func = inspect.unwrap(func)  # a library's wrapper (lru_cache): what it wraps
    if func not in _CALLEES:
        _CALLEES[func] = True  # a recursive call, while this one is checked
        node, source, scope = parse_for_check(func)
        try:
            _CALLEES[func] = check(node, source, scope, scope.locals, helper=True)
        except UnsupportedSyntaxError as exc:
            _CALLEES[func] = exc
    outcome = _CALLEES[func]
    if isinstance(outcome, UnsupportedSyntaxError):
        raise outcome
    return outcome


def parse_for_check(func):
    """The function's tree, source and scope, for the check before ``prepare``."""
    node, source = closures.tree_of(func)
    scope = Scope(func, assigned_names(node))
    scope.closure.update(closures.lift(node, func, source))
    library.resolve_namespaces(node, scope, scope.numpy_alias() or "np")
    return node, source, scope


def _conflict(
    points: PointsTo, stmt, name: str, sites: frozenset, state: dict, live: set
):
    hint = _hint(stmt, name)
    external = sorted((s.label, s.external) for s in sites if s.external)
    if external:
        label, how = external[0]
        holds = f"`{name}` is" if label == name else f"`{name}` may hold `{label}`,"
        return (
            f"in-place update of `{name}`: {holds} {how}; code outside the function "
            "would see the change and the derivative would not",
            hint,
        )
    others = sorted(
        v
        for v in live
        if v != name
        and not is_stack_name(v)  # generated code's saves: its undo restores them
        and not sites.isdisjoint(points.reach(state.get(v, ()), state))
    )
    if others:
        return (
            f"in-place update of `{name}`, which may share its array with `{others[0]}`, "
            f"read afterwards; `{others[0]}` would see the change and the derivative "
            "would not",
            hint,
        )
    return None


def _rebound(stmt) -> set[str]:
    """The names ``y = lst.pop()`` binds after its update: their values before it
    are not read again, and the value they get is what the update returned."""
    if isinstance(stmt, gast.Assign):
        return set().union(*(anno.store_names(t) for t in stmt.targets))
    return set()


def _hint(stmt, name: str) -> str:
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        return f"write `{name} = {name} {_op(stmt.op)} ...` to make a new value"
    return f"update a copy: `{name} = {name}.copy()` first"


def _op(op) -> str:
    return {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/"}.get(
        type(op), "op"
    )
