"""Generated code read back, to be differentiated again (``grad(grad(f))``): calls
of runtime helpers get every argument in place, as the stages expect them
(``optimize/defaults.py`` leaves defaults out for readers).  (Its ``del``
statements, which free memory, are dropped as any ``del`` of a name is, by
``regions``.)

    bll = unreduce(g, ll)      ->   bll = unreduce(g, ll, None, False)
"""

from __future__ import annotations

import inspect

import gast

from .. import anno
from .. import runtime as helpers

_PLAIN = inspect.Parameter.POSITIONAL_OR_KEYWORD


def read_back(node: gast.FunctionDef, namespace: dict) -> None:
    """Rewrite ``node``, a generated function whose globals are ``namespace``."""
    for call in anno.walk(node):
        if isinstance(call, gast.Call) and isinstance(call.func, gast.Name):
            helper = getattr(helpers, call.func.id, None)
            if helper is not None and namespace.get(call.func.id) is helper:
                _in_full(call, helper)


def _in_full(call: gast.Call, helper) -> None:
    """Every parameter of ``helper`` passed by position, defaults included."""
    if not inspect.isfunction(helper):
        return
    params = list(inspect.signature(helper).parameters.values())
    given = {kw.arg: kw.value for kw in call.keywords}
    if any(p.kind is not _PLAIN for p in params) or not set(given) <= {
        p.name for p in params
    }:
        return
    args = list(call.args)
    for p in params[len(args) :]:
        if p.name in given:
            args.append(given[p.name])
        elif p.default is not p.empty and _literal(p.default):
            args.append(anno.const(p.default))
        else:
            return
    call.args, call.keywords = args, []


def _literal(value) -> bool:
    return value is None or type(value) in (bool, int, float, str)
