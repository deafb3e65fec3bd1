"""A user function prepared for transformation: parsed, fenced, resolved, normalized."""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field

import gast

from . import anno, closures, fence, lower
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


def prepare(func) -> FunctionInfo:
    """Parse, fence, resolve and normalize ``func``; the body ends in one return."""
    func = inspect.unwrap(func)
    parsed = getattr(func, closures.PARSED, None)
    node, source = (copy.deepcopy(parsed[0]), parsed[1]) if parsed else parse_function(func)
    inner = closures.lift(node, func, source)
    fence.check(node, source)
    scope = Scope(func, assigned_names(node))
    scope.closure.update(inner)
    namer = Namer(names_in(node))
    np_alias = scope.numpy_alias() or "np"
    namer.reserve([np_alias])
    params = [a.id for a in node.args.args + node.args.kwonlyargs]
    body = node.body
    if lower.has_loop_return(body):
        result = namer.fresh(RESULT)
        body = lower.lower_flagged_returns(body, result, namer)
        body = body + [gast.Return(value=anno.name(result))]
    elif lower.has_return(body) and not (body and isinstance(body[-1], gast.Return)
                                       and not lower.has_return(body[:-1])):  # fmt: skip
        result = namer.fresh(RESULT)
        body = lower.lower_returns(body, result) + [gast.Return(value=anno.name(result))]
    elif not lower.has_return(body):
        body = body + [gast.Return(value=anno.const(None))]
    body = lower.lower_jumps(body, namer)
    normalized = Normalizer(namer, scope, np_alias).block(body)
    node.body = normalized
    primal = names_in(node) - {np_alias}
    ret = normalized[-1]
    return FunctionInfo(func, node, source, scope, namer, np_alias, params, ret.value, primal)
