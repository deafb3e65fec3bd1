"""Binding a call to a function transformed from its source: the value of each of
its parameters, in their order, as the generated forward and jvp functions take
them (``*args`` one tuple, ``**kwargs`` one dict).

    def total(*arrays): ...
    s = total(x, _mul)          ->      s, _total_saved = _fwd_total((x, _mul))

A parameter that a spread ``*xs`` or ``**opts`` fills, or a default that is not a
literal, is known only when the call runs: ``call_arguments`` binds the call
then, and those parameters are read from its tuple (the arguments written out
stand in it as ``None``).  They are constants; a value to differentiate spread
into named parameters is refused by name.
"""

from __future__ import annotations

import inspect

import gast

from .. import anno, runtime
from .. import template as tpl

_VAR_POSITIONAL = inspect.Parameter.VAR_POSITIONAL
_VAR_KEYWORD = inspect.Parameter.VAR_KEYWORD
_POSITIONAL = (
    inspect.Parameter.POSITIONAL_ONLY,
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
)
LITERALS = (int, float, str, bool, type(None))


# Python binds a call's arguments to parameters in more ways than one: each
# parameter kind needs its own atom (``*args`` a tuple, or the caller's own
# ``*xs`` when it is all of them; ``**kwargs`` a dict, or the caller's ``**kw``;
# a passed value; for a library function a default that is no literal, None;
# else the default as a constant).  Spread arguments, and a parameter left out
# whose default is no literal, are bound only when the call runs.
def bind_atoms(
    fn, func, call, stmt, active=frozenset(), library=False
) -> tuple[list, list]:
    """The call's atoms in the order of ``func``'s parameters, and the statements
    that must run before the call (a binding when it runs, if one is needed); for
    a ``library`` function, None for a default that is not a literal (the
    function is made for its defaults)."""
    sig = inspect.signature(func)
    star, spread = _whole(sig, call)
    args = [a for a in call.args if a is not star]
    keywords = [k for k in call.keywords if k.value is not spread]
    late = not library and _late_defaults(sig, args, keywords)
    if _spreads(args, keywords) or late:
        return _bound_when_run(fn, sig, call, stmt, active)
    try:
        bound = sig.bind(*args, **{k.arg: k.value for k in keywords})
    except TypeError as exc:
        raise fn.error(stmt, f"bad call to {func.__name__}: {exc}") from None
    atoms = []
    for name, param in sig.parameters.items():
        value = bound.arguments.get(name)
        if param.kind is _VAR_POSITIONAL:
            tup = gast.Tuple(elts=list(value or ()), ctx=gast.Load())
            atoms.append(tup if star is None else star.value)
        elif param.kind is _VAR_KEYWORD:
            value = value or {}
            keys = [anno.const(k) for k in value]
            literal = gast.Dict(keys=keys, values=list(value.values()))
            atoms.append(literal if spread is None else spread)
        elif value is not None:
            atoms.append(value)
        elif library and not isinstance(param.default, LITERALS):
            atoms.append(None)
        else:
            atoms.append(anno.const(param.default))
    return atoms, []


def _whole(sig, call):
    """A ``*xs`` that is all of ``*args`` (it follows an argument for each named
    positional parameter), and a ``**kw`` that is all of ``**kwargs`` (every
    parameter it could fill is written out); None for each that is not."""
    params = list(sig.parameters.values())
    kinds = {p.kind for p in params}
    named = [p for p in params if p.kind in _POSITIONAL]
    stars = [a for a in call.args if isinstance(a, gast.Starred)]
    star = None
    if (
        _VAR_POSITIONAL in kinds
        and len(stars) == 1
        and call.args[-1] is stars[0]
        and len(call.args) - 1 == len(named)
    ):
        star = stars[0]
    spreads = [k.value for k in call.keywords if k.arg is None]
    by_name = {k.arg for k in call.keywords if k.arg}
    left = named[len(call.args) - len(stars) :]
    fillable = {p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}
    fillable |= {
        p.name for p in left if p.kind is not inspect.Parameter.POSITIONAL_ONLY
    }
    spread = None
    if _VAR_KEYWORD in kinds and len(spreads) == 1 and fillable <= by_name:
        spread = spreads[0]
    return star, spread


def _spreads(args, keywords) -> bool:
    return any(isinstance(a, gast.Starred) for a in args) or any(
        k.arg is None for k in keywords
    )


def _late_defaults(sig, args, keywords) -> bool:
    """A parameter the call leaves out whose default is not a literal."""
    given = {k.arg for k in keywords}
    for i, p in enumerate(sig.parameters.values()):
        if p.kind in (_VAR_POSITIONAL, _VAR_KEYWORD) or p.default is p.empty:
            continue
        if p.name in given or (p.kind in _POSITIONAL and i < len(args)):
            continue
        if not isinstance(p.default, LITERALS):
            return True
    return False


def _bound_when_run(fn, sig, call, stmt, active) -> tuple[list, list]:
    """``_f_args = call_arguments(f, ...)``, and each parameter not written out
    read from it."""
    spread = [a.value for a in call.args if isinstance(a, gast.Starred)]
    spread += [k.value for k in call.keywords if k.arg is None]
    hot = sorted(anno.load_names(gast.Tuple(elts=spread, ctx=gast.Load())) & active)
    if hot:
        raise fn.error(
            stmt,
            f"`{hot[0]}`, a value to differentiate, spread into the parameters of "
            f"{getattr(anno.get(call, anno.CALLEE), '__name__', 'a function')}",
            "pass each value to differentiate by position or by name",
        )
    params = list(sig.parameters.values())
    written, count = _written_out(call, params)
    args = [anno.const(None) if i < count else a for i, a in enumerate(call.args)]
    keywords = [
        gast.keyword(arg=k.arg, value=anno.const(None)) if k.arg in written else k
        for k in call.keywords
    ]
    fn.helpers["call_arguments"] = runtime.call_arguments
    label = getattr(anno.get(call, anno.CALLEE), "__name__", "call")
    held = fn.namer.temp(f"{label if label.isidentifier() else 'call'}_args")
    binding = anno.call(anno.name("call_arguments"), [anno.clone(call.func)] + args)
    binding.keywords = keywords
    atoms = []
    for i, p in enumerate(params):
        item = gast.Subscript(
            value=anno.name(held), slice=anno.const(i), ctx=gast.Load()
        )
        atoms.append(written.get(p.name, item))
    return atoms, [anno.copy_location(anno.assign(held, binding), stmt)]


def _written_out(call, params) -> tuple[dict, int]:
    """Parameter name -> atom for the arguments whose parameter is known before
    the call runs: positional ones before any ``*``, onto named positional
    parameters, then keywords naming one; and how many positional ones."""
    out = {}
    named = [p for p in params if p.kind in _POSITIONAL]
    for i, a in enumerate(call.args):
        if isinstance(a, gast.Starred) or i >= len(named):
            break
        out[named[i].name] = a
    count = len(out)
    by_name = {
        p.name
        for p in params
        if p.kind
        not in (inspect.Parameter.POSITIONAL_ONLY, _VAR_POSITIONAL, _VAR_KEYWORD)
    }
    for k in call.keywords:
        if k.arg in by_name and k.arg not in out:
            out[k.arg] = k.value
    return out, count


def is_active(atom, active) -> bool:
    """A name to differentiate, or a tuple or dict of atoms holding one."""
    return bool(_names(atom) & active)


def _names(atom) -> set[str]:
    if isinstance(atom, gast.Name):
        return {atom.id}
    parts = atom.elts if isinstance(atom, gast.Tuple) else getattr(atom, "values", [])
    return {p.id for p in parts if isinstance(p, gast.Name)}


def contributions(atom, grad, active) -> list:
    """``d[x] = grad`` for a name; ``d[x] = grad[k]`` for the k-th item of a tuple
    (or the item of a dict under its key)."""
    if isinstance(atom, gast.Name):
        return [tpl.Contribution(atom.id, grad)]
    keys = (
        [anno.const(k) for k in range(len(atom.elts))]
        if isinstance(atom, gast.Tuple)
        else atom.keys
    )
    parts = atom.elts if isinstance(atom, gast.Tuple) else atom.values
    out = []
    for key, part in zip(keys, parts):
        if isinstance(part, gast.Name) and part.id in active:
            item = gast.Subscript(
                value=anno.clone(grad), slice=anno.clone(key), ctx=gast.Load()
            )
            out.append(tpl.Contribution(part.id, item))
    return out


def tangent_of(atom, part):
    """The tangent of an atom passed to a jvp: ``part(x)`` for a name, a tuple or
    dict of them for the items of one."""
    if isinstance(atom, gast.Tuple):
        return gast.Tuple(elts=[part(e) for e in atom.elts], ctx=gast.Load())
    if isinstance(atom, gast.Dict):
        return gast.Dict(
            keys=[anno.clone(k) for k in atom.keys],
            values=[part(v) for v in atom.values],
        )
    return part(atom)


def label_of(atom, param: str) -> str:
    """A name to build the gradient's name from: the atom's, else the parameter's."""
    return atom.id if isinstance(atom, gast.Name) else param
