"""A derivative as a plain generated function with the user's signature, so that
it can be differentiated again (``grad(grad(f))``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from ..codegen import compile as compiler
from .arguments import Signature


def make_plain(derivative, extra: list[str]) -> Callable:
    """Compile ``def main_only(params, extra): return main(params, extra)[1]`` (a
    one-tuple of it for a gradient asked for with a one-element tuple ``wrt``)."""
    main = derivative.compiled("numpy")
    signature = Signature.of(derivative.func).signature
    params = list(signature.parameters) + extra
    name = f"{main.__name__}_only"
    args = ", ".join(params)
    one_tuple = getattr(derivative, "many", False) and len(derivative.positions) == 1
    part = "(_pair[1],)" if one_tuple else "_pair[1]"
    source = (
        f"def {name}({_parameters(signature, extra)}):\n"
        f"    _pair = {main.__name__}({args})\n    return {part}\n"
    )
    namespace = {main.__name__: main, "__name__": derivative.func.__module__}
    fn = compiler.load(source, namespace, f"{derivative.func.__module__}.{name}")[name]
    if not extra:
        fn.__defaults__ = getattr(derivative.func, "__defaults__", None)
        fn.__kwdefaults__ = getattr(derivative.func, "__kwdefaults__", None)
    return fn


def _parameters(signature: inspect.Signature, extra: list[str]) -> str:
    """The parameter list of ``signature`` (``*args``, keyword-only and
    ``**kwargs`` as they are, defaults set afterwards), then ``extra``; with
    ``extra``, every parameter plain."""
    if extra:
        return ", ".join(list(signature.parameters) + extra)
    out, star = [], False
    for p in signature.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            out.append(f"*{p.name}")
            star = True
        elif p.kind is p.KEYWORD_ONLY and not star:
            out += ["*", p.name]
            star = True
        elif p.kind is p.VAR_KEYWORD:
            out.append(f"**{p.name}")
        else:
            out.append(p.name)
    return ", ".join(out)
