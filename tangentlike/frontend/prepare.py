"""A user function prepared for transformation: parsed, fenced, resolved, normalized."""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass, field

import gast

from .. import anno
from ..analysis import custom_items
from ..analysis.callees import is_library
from ..analysis.scope import Scope, assigned_names, parameter_names
from ..errors import NoDerivativeError, TangentlikeError
from ..naming import TEMP_PREFIX, Namer, names_in
from . import (
    aliases,
    closures,
    comprehensions,
    dispatch,
    fence,
    generated,
    hoist,
    in_place_calls,
    iterables,
    keywords,
    library,
    literal_spreads,
    lower,
    methods,
    regions,
    specialize,
    ufunc_methods,
)
from .normalize import Normalizer
from .parse import Source

RESULT = "result"


@dataclass
class FunctionInfo:
    """Everything the transforms need to know about one user function."""

    func: object
    node: gast.FunctionDef
    source: Source
    scope: Scope
    namer: Namer
    np_alias: str
    params: list[str]
    result: gast.expr
    primal_names: set[str] = field(default_factory=set)
    helpers: dict = field(default_factory=dict)
    returns_many: gast.Return | None = None  # a return of a tuple, list or dict
    methods: tuple = ()  # self.m(...) calls made direct (methods.Method)
    defaults: tuple = ()  # the parameters' literal defaults (k=2.0), or none

    @property
    def name(self) -> str:
        return self.node.name

    def error(self, stmt, message: str, hint: str = "") -> TangentlikeError:
        return TangentlikeError(message, self.source.location(stmt), hint)

    def no_derivative(self, stmt, what: str) -> NoDerivativeError:
        return NoDerivativeError(
            f"no derivative template for {what}",
            self.source.location(stmt),
            f"register one with @tangentlike.adjoint({what.split()[-1].strip(chr(39))}) "
            "(and @tangentlike.tangent for forward mode), or wrap the value in "
            "tangentlike.stop_gradient if it should be a constant",
        )


def prepare(
    func,
    helper: bool = False,
    show=None,
    constants=None,
    owner=None,
    bound=None,
    owners=None,
) -> FunctionInfo:
    """The front end's stages in order: parse, lift closures, fence, resolve,
    regions (``try``, ``with``), the alias gate, lower, normalize; the body ends in
    one return.  A ``helper`` is
    called from differentiated code, whose arrays it must not update.  ``show(stage,
    node)``, if given, sees the tree after each stage that changes it.  A library
    function is first bound to the ``constants`` of its call (parameter -> literal,
    or None for its default) and reads NumPy by its public names.  In a method,
    ``self.m(...)`` calls the function ``m`` of ``owner`` (the object's class, else
    the class defining the method); ``p.m(...)``, that of ``owners[p]``.
    ``bound``: parameter -> the function passed to it, called in its place."""
    show = show or (lambda stage, node: None)
    func = inspect.unwrap(func)
    node, source = closures.tree_of(func)
    if source.filename.startswith("<tangentlike"):
        generated.read_back(node, getattr(func, "__globals__", {}))
    show("parse", node)
    inner = closures.lift(node, func, source)
    show("closures", node)
    scope = Scope(func, assigned_names(node))
    scope.closure.update(inner)
    bound = dict(bound or {})
    spaces = {p for p, held in bound.items() if library.is_array_namespace(held)}
    scope.closure.update(
        _bind_functions(node, {p: bound[p] for p in bound.keys() - spaces})
    )
    np_alias = scope.numpy_alias() or "np"
    if is_library(func):
        _as_library(node, scope, np_alias, constants or {})
    library.resolve_namespaces(node, scope, np_alias, spaces)
    fence.check(node, source)
    literal_spreads.write_out(node)
    helpers = keywords.write_out(node, scope, np_alias)
    namer = Namer(names_in(node))
    iterables.write_out(node, scope, namer)
    in_place_calls.write_out(node, scope, np_alias)
    ufunc_methods.write_out(node, scope, np_alias)
    comprehensions.own_scopes(node, namer)
    owners = dict(owners or {})
    first = parameter_names(node.args)[:1]
    if first and first[0] not in owners:
        owners[first[0]] = owner or methods.defining_class(func)
    made = methods.made_here(node, scope)
    called = methods.direct(node, owners, scope, namer, made)
    node.body = lower.lower_loop_else(node.body, namer)
    regions.lower_regions(node, source, scope, namer)
    scope.locals |= assigned_names(node)
    show("regions", node)
    aliases.check(node, source, scope, scope.locals, helper)
    namer.reserve([np_alias])
    defaults = _literal_defaults(node.args)
    params = _plain_parameters(node.args)
    many = _returns_many(node)
    node.body = lower.lower_jumps(_single_exit(node.body, namer), namer)
    show("lower", node)
    normalizer = Normalizer(namer, scope, np_alias)
    node.body = normalizer.block(node.body)
    custom_items.mark(node, scope)
    helpers.update(normalizer.helpers)
    node.body = dispatch.direct_calls(node.body, params, scope, namer)
    node.body = hoist.hoist_invariants(node.body)
    _name_result(node, namer)
    show("normalize", node)
    primal = names_in(node) - {np_alias}
    result = node.body[-1].value
    return FunctionInfo(
        func,
        node,
        source,
        scope,
        namer,
        np_alias,
        params,
        result,
        primal,
        helpers,
        many,
        called,
        defaults,
    )


def _bind_functions(node, bound: dict) -> dict:
    """Calls of a parameter holding a function made calls of that function, under
    its own name (``f(x)`` -> ``square(x)``); of a method of an object (or an
    object with ``__call__``), calls of its class's function with the object,
    a constant, first (``f(x)`` -> ``Model.predict(f_self, x)``).  The names
    and what they hold."""
    used = set(names_in(node))
    found = {}
    for param, function in sorted(bound.items()):
        method = methods.of_object(function)
        name = methods.fresh_name(function, param, used)
        found[name] = function if method is None else type(method.__self__)
        args = []
        if method is not None:
            found[f"{param}_self"] = method.__self__
            args = [anno.name(f"{param}_self")]
        for n in anno.walk(gast.Module(body=node.body, type_ignores=[])):
            if isinstance(n, gast.Call) and isinstance(n.func, gast.Name):
                if n.func.id == param and method is not None:
                    n.func = anno.attr(anno.name(name), method.__name__)
                    n.args[:0] = [anno.clone(a) for a in args]
            if isinstance(n, gast.Name) and n.id == param:
                n.id = name
    return found


def _returns_many(node) -> gast.Return | None:
    """The first ``return a, b`` (of a tuple, list or dict literal) of the
    function, which ``grad`` refuses: it needs one scalar."""
    todo, found = list(node.body), []
    while todo:
        stmt = todo.pop()
        if isinstance(stmt, gast.Return) and isinstance(
            stmt.value, (gast.Tuple, gast.List, gast.Dict)
        ):
            found.append(stmt)
        elif not isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                todo += getattr(stmt, field, None) or []
    return min(found, key=lambda n: n.lineno, default=None)


def _as_library(node, scope, np_alias: str, constants: dict) -> None:
    """Library code bound to its call's constants, NumPy read by public names."""
    values = {
        p: specialize.default_of(node, p) if v is None else v
        for p, v in constants.items()
    }
    specialize.bind_constants(node, values, scope)
    library.canonical_numpy(node, scope, np_alias)


def _literal_defaults(args) -> tuple:
    """The defaults of the trailing positional parameters where every one is a
    literal (``k=2.0``) and nothing but positional parameters is taken, so that a
    gradient pasted into a file is called as the function is; else none."""
    if args.vararg or args.kwonlyargs or args.kwarg or args.posonlyargs:
        return ()
    for default in args.defaults:
        try:
            ast.literal_eval(gast.gast_to_ast(default))
        except (ValueError, TypeError, SyntaxError):
            return ()
    return tuple(anno.clone(d) for d in args.defaults)


def _plain_parameters(args) -> list[str]:
    """Every parameter a plain one of the generated code, in the order a call's
    arguments are bound (``*args`` a tuple, ``**kwargs`` a dict); their names."""
    names = parameter_names(args)
    args.args = [
        gast.Name(id=n, ctx=gast.Param(), annotation=None, type_comment=None)
        for n in names
    ]
    args.posonlyargs, args.kwonlyargs, args.vararg, args.kwarg = [], [], None, None
    args.defaults, args.kw_defaults = [], []
    return names


def _name_result(node, namer) -> None:
    """A returned expression's temporary (``_neg2 = -_mean; return _neg2``) is
    named ``_result``, so that its adjoint, the seed, is ``b_result``."""
    value = node.body[-1].value
    if not isinstance(value, gast.Name) or not value.id.startswith(TEMP_PREFIX):
        return
    tree = gast.Module(body=node.body, type_ignores=[])
    if anno.name_counts(tree, load=False).get(value.id) != 1:
        return
    new = namer.temp(RESULT)
    for n in anno.walk(tree):
        if isinstance(n, gast.Name) and n.id == value.id:
            n.id = new


def _single_exit(body, namer) -> list:
    """The body with one ``return`` at its end (returns elsewhere assign a result)."""
    if lower.has_loop_return(body):
        result = namer.fresh(RESULT)
        body = lower.lower_flagged_returns(body, result, namer)
        return body + [gast.Return(value=anno.name(result))]
    if not lower.has_return(body):
        return body + [gast.Return(value=anno.const(None))]
    if isinstance(body[-1], gast.Return) and not lower.has_return(body[:-1]):
        return body
    result = namer.fresh(RESULT)
    return lower.lower_returns(body, result) + [gast.Return(value=anno.name(result))]
