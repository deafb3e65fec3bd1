"""A user function prepared for transformation: parsed, fenced, resolved, normalized."""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field

import gast

from . import aliases, anno, closures, fence, lower
from .errors import NoDerivativeError, TangentlikeError
from .naming import Namer, names_in
from .normalize import Normalizer
from .parse import Source, parse_function
from .resolve import Scope, assigned_names

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


def prepare(func, helper: bool = False) -> FunctionInfo:
    """Parse, fence, resolve and normalize ``func``; the body ends in one return.
    A ``helper`` is called from differentiated code, whose arrays it must not update."""
    func = inspect.unwrap(func)
    node, source = _parse(func)
    # positional-only parameters are plain parameters of the generated code
    node.args.args[:0], node.args.posonlyargs = node.args.posonlyargs, []
    inner = closures.lift(node, func, source)
    fence.check(node, source)
    scope = Scope(func, assigned_names(node))
    scope.closure.update(inner)
    aliases.check(node, source, scope, scope.locals, helper)
    namer = Namer(names_in(node))
    np_alias = scope.numpy_alias() or "np"
    namer.reserve([np_alias])
    params = [a.id for a in node.args.args + node.args.kwonlyargs]
    body = lower.lower_jumps(_single_exit(node.body, namer), namer)
    node.body = Normalizer(namer, scope, np_alias).block(body)
    primal = names_in(node) - {np_alias}
    result = node.body[-1].value
    return FunctionInfo(func, node, source, scope, namer, np_alias, params, result, primal)


def parse_for_check(func):
    """The function's tree, source and scope, for an analysis before ``prepare``."""
    node, source = _parse(func)
    scope = Scope(func, assigned_names(node))
    scope.closure.update(closures.lift(node, func, source))
    return node, source, scope


def _parse(func):
    """The function's tree: parsed from its source, or kept by ``closures`` for a
    function lifted out of another."""
    parsed = getattr(func, closures.PARSED, None)
    if parsed:
        return copy.deepcopy(parsed[0]), parsed[1]
    return parse_function(func)


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
