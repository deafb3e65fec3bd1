"""Closure conversion: inner ``def``s and named lambdas become functions of their own.

    def f(x):                            def inner(z, c, x):   # lifted
        c = 3.0                              return z * c + x
        def inner(z):            ->
            return z * c + x             def f(x):
        return inner(x * x)                  c = 3.0
                                             return inner(x * x, c, x)

The enclosing variables an inner function reads are passed as extra arguments at
each call, so the transforms treat the call like any call to a user function
(``_fwd_inner`` / ``_bwd_inner`` in reverse mode) and gradients flow to the
enclosing variables that are active.  The lifted function keeps the user's line
numbers, so errors inside it point at the user's file.

An inner function that rebinds enclosing variables (``nonlocal acc``) returns
their new values beside its result, and each call gives them back to the names:
``bump(v)`` is ``_bump, acc = bump(v, acc)`` on the line before the call's.
"""

from __future__ import annotations

import ast
import copy

import gast

from .. import anno
from ..analysis.scope import assigned_names, is_data
from ..errors import UnsupportedSyntaxError
from . import nonlocals
from .parse import parse_function

PARSED = "_tl_parsed"


def tree_of(func):
    """The function's tree and source: parsed from its file, or, for a function
    lifted out of another, the tree kept when it was lifted."""
    parsed = getattr(func, PARSED, None)
    if parsed:
        return copy.deepcopy(parsed[0]), parsed[1]
    return parse_function(func)


def lift(node: gast.FunctionDef, func, source) -> dict[str, object]:
    """Remove the inner functions of ``node``'s body; returns name -> function object."""
    defs = [_as_def(s) for s in node.body]
    inner = {d.name: d for d in defs if d is not None}
    if not inner:
        return {}
    cells = _cells(func)
    data = {n for n, v in cells.items() if is_data(v)}
    enclosing = (assigned_names(node) | data) - set(inner)
    node.body = [s for s, d in zip(node.body, defs) if d is None]
    rebound = {name: _nonlocals(d, source) for name, d in inner.items()}
    extras = _closed_over(inner, enclosing)
    for name, names in rebound.items():
        extras[name] = sorted(set(extras[name]) | set(names))
    _refuse_values([node, *inner.values()], extras, source)
    _refuse_defaults(inner, enclosing, source)
    for d in inner.values():
        d.args.args += [
            gast.Name(id=n, ctx=gast.Param(), annotation=None, type_comment=None)
            for n in extras[d.name]
        ]
    _CallRewriter(extras).visit(node)
    for d in inner.values():
        _CallRewriter(extras).visit(d)
    rebound = {name: names for name, names in rebound.items() if names}
    if rebound:
        nonlocals.give_back(node, inner, rebound, source)
    namespace = dict(func.__globals__)  # and the functions and modules closed over
    namespace.update({n: v for n, v in cells.items() if n not in data})
    out = {}
    for name, d in inner.items():
        out[name] = _compile(d, namespace, source)
    namespace.update(out)
    return out


def _cells(func) -> dict:
    """The values of ``func``'s closure cells (data among them are passed to the
    inner functions as arguments, so that each closure's own are read)."""
    code = getattr(func, "__code__", None)
    found = {}
    for name, cell in zip(code.co_freevars if code else (), func.__closure__ or ()):
        try:
            found[name] = cell.cell_contents
        except ValueError:  # not yet assigned
            continue
    return found


def _as_def(stmt):
    if isinstance(stmt, gast.FunctionDef) and not stmt.decorator_list:
        return stmt
    if (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Lambda)
    ):
        lam = stmt.value
        ret = anno.copy_location(gast.Return(value=lam.body), lam.body)
        new = gast.FunctionDef(
            name=stmt.targets[0].id,
            args=lam.args,
            body=[ret],
            decorator_list=[],
            returns=None,
            type_comment=None,
            type_params=[],
        )
        return anno.copy_location(new, stmt)
    return None


def _nonlocals(inner: gast.FunctionDef, source) -> list[str]:
    """The names ``inner`` declares ``nonlocal`` (the statements removed)."""
    names = []
    for stmt in inner.body:
        if isinstance(stmt, gast.Nonlocal):
            names += stmt.names
    inner.body = [s for s in inner.body if not isinstance(s, gast.Nonlocal)]
    if names:
        nonlocals.return_rebound(inner, names)
    return names


def _closed_over(inner: dict, enclosing: set[str]) -> dict[str, list[str]]:
    """The enclosing variables each inner function reads, itself or through the inner
    functions it calls (``b`` calling ``a``, which reads ``x``, needs ``x`` too)."""
    extras = {name: set(_free_names(d, enclosing)) for name, d in inner.items()}
    calls = {
        name: anno.load_names(d) & set(inner) - {name} for name, d in inner.items()
    }
    changed = True
    while changed:
        changed = False
        for name, callees in calls.items():
            needed = set().union(*(extras[c] for c in callees)) - extras[name]
            if needed:
                extras[name] |= needed
                changed = True
    return {name: sorted(names) for name, names in extras.items()}


def _free_names(inner: gast.FunctionDef, enclosing: set[str]) -> list[str]:
    """Enclosing variables ``inner`` reads and does not bind itself."""
    own = assigned_names(inner)
    reads = anno.load_names(gast.Module(body=inner.body, type_ignores=[]))
    return sorted((reads - own) & enclosing)


def _refuse_values(trees, extras: dict, source) -> None:
    """An inner function that reads enclosing variables, used other than by a call
    of its name (``fn = inner``, ``apply(inner, x)``): the variables it reads would
    not be passed, and their derivatives would be lost."""
    problems = []
    for tree in trees:
        called = {id(n.func) for n in anno.walk(tree) if isinstance(n, gast.Call)}
        for n in anno.walk(tree):
            if (
                isinstance(n, gast.Name)
                and isinstance(n.ctx, gast.Load)
                and extras.get(n.id)
                and id(n) not in called
            ):
                reads = ", ".join(f"`{v}`" for v in extras[n.id])
                what = f"inner function `{n.id}`, which reads {reads}, used as a value"
                hint = f"call {n.id}(...) by its name, or pass {reads} as arguments"
                problems.append((what, source.location(n), hint))
    if problems:
        raise UnsupportedSyntaxError(problems)


def _refuse_defaults(inner: dict, enclosing: set[str], source) -> None:
    """A default of an inner function that reads the enclosing function's
    variables (``def g(t, s=x)``): its value would be taken for a constant."""
    problems = []
    for name, d in inner.items():
        defaults = d.args.defaults + [v for v in d.args.kw_defaults if v is not None]
        for value in defaults:
            reads = sorted(anno.load_names(value) & enclosing)
            if reads:
                names = ", ".join(f"`{v}`" for v in reads)
                what = f"a default of inner function `{name}` reads {names}"
                hint = f"pass {names} as an argument of the call instead"
                problems.append((what, source.location(value), hint))
    if problems:
        raise UnsupportedSyntaxError(problems)


class _CallRewriter(gast.NodeTransformer):
    """``inner(a)`` -> ``inner(a, c, x)``: the enclosing variables as arguments."""

    def __init__(self, extras):
        self.extras = extras

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, gast.Name) and node.func.id in self.extras:
            node.args = node.args + [anno.name(n) for n in self.extras[node.func.id]]
        return node


def _compile(inner: gast.FunctionDef, namespace: dict, source):
    """A live function for ``inner``, carrying its parsed tree for ``prepare``."""
    module = gast.Module(body=[copy.deepcopy(inner)], type_ignores=[])
    tree = ast.fix_missing_locations(gast.gast_to_ast(module))
    for node in anno.walk(inner):
        if isinstance(node, (gast.Nonlocal, gast.Global)):  # not at the top
            what = "nonlocal" if isinstance(node, gast.Nonlocal) else "global"
            hint = "pass the value as an argument and return it"
            raise UnsupportedSyntaxError(
                [(f"{what} statement", source.location(node), hint)]
            )
    exec(compile(tree, source.filename, "exec"), namespace)  # noqa: S102 - the user's own code
    obj = namespace.pop(inner.name)
    setattr(obj, PARSED, (inner, source))
    return obj
