"""Calls of runtime helpers as a reader writes them: arguments at their default
values left out, the optional ones passed by name.

before:
    def f(x, b_sum=1.0):
        m = np.sum(x, axis=1, keepdims=True)
        _sum = np.sum(m)
        bm = unreduce(b_sum / reduced_size(m, None), m, None, False)
        bx = unreduce(bm, x, 1, True)
        return _sum, bx
after:
    def f(x, b_sum=1.0):
        m = np.sum(x, axis=1, keepdims=True)
        _sum = np.sum(m)
        bm = unreduce(b_sum / reduced_size(m), m)
        bx = unreduce(bm, x, axis=1, keepdims=True)
        return _sum, bx

Last of the passes: the others read helper calls with every argument in place
(and generated code differentiated again is read back so, ``frontend/generated.py``).
"""

from __future__ import annotations

import inspect

import gast

from .. import anno
from .. import runtime as helpers

_OPTIONAL = inspect.Parameter.POSITIONAL_OR_KEYWORD


def name_defaults(func: gast.FunctionDef) -> bool:
    """Rewrite the calls of runtime helpers; whether anything changed."""
    bound = anno.store_names(func) | {a.id for a in func.args.args}
    changed = False
    for node in anno.walk(func):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
            params = optional_parameters(node.func.id, bound)
            if params:
                changed |= _rewrite(node, params)
    return changed


def optional_parameters(name: str, bound=()) -> list[inspect.Parameter]:
    """The parameters of helper ``name`` (unless the function binds that name)
    with a default that can be passed by name, from the first such one on; empty
    for anything else."""
    helper = getattr(helpers, name, None)
    if name in bound or not inspect.isfunction(helper):
        return []
    params = list(inspect.signature(helper).parameters.values())
    first = next((i for i, p in enumerate(params) if p.default is not p.empty), None)
    if first is None or any(p.kind is not _OPTIONAL for p in params):
        return []
    return [None] * first + params[first:]


def _rewrite(call: gast.Call, params) -> bool:
    first = params.count(None)
    before = gast.dump(call)
    named = [
        gast.keyword(arg=p.name, value=arg)
        for p, arg in zip(params[first:], call.args[first:])
    ]
    call.args = call.args[:first]
    optional = {p.name: p for p in params[first:]}
    call.keywords = [
        kw for kw in named + call.keywords if not _is_default(kw, optional)
    ]
    return gast.dump(call) != before


def _is_default(keyword: gast.keyword, optional: dict) -> bool:
    param, value = optional.get(keyword.arg), keyword.value
    return (
        param is not None
        and isinstance(value, gast.Constant)
        and type(value.value) is type(param.default)
        and value.value == param.default
    )
