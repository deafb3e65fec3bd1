"""``f(*xs)`` where the count of ``xs`` is fixed by ``f``'s parameters.

A spread onto named parameters, ``energy(*args)`` for ``def energy(a, b, c)``,
binds each item to a parameter: normalize writes it as ``_a, _b, _c = args`` and
``energy(_a, _b, _c)``, so that each item's derivative reaches the item it came
from (the unpacking raises, as the call would, when ``args`` has another length).
The count is fixed where the items fill positional parameters without defaults
and the function takes no ``*args`` of its own; elsewhere the call is left as it
is (the transform refuses a spread of a value to differentiate there).
"""

from __future__ import annotations

import inspect
import types

import gast

_POSITIONAL = (
    inspect.Parameter.POSITIONAL_ONLY,
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
)


def filled(callee, call) -> list[str] | None:
    """The names of the parameters ``call``'s one ``*xs`` fills, in order, or None
    where that is not fixed before the call runs."""
    stars = [i for i, a in enumerate(call.args) if isinstance(a, gast.Starred)]
    if len(stars) != 1 or any(k.arg is None for k in call.keywords):
        return None
    if not isinstance(callee, types.FunctionType):
        return None
    try:
        params = list(inspect.signature(callee).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        return None
    positional = [p for p in params if p.kind in _POSITIONAL]
    by_name = {k.arg for k in call.keywords}
    left = positional[len(call.args) - 1 :]
    # the star fills the positional parameters after the written-out ones, up to
    # the first one the call names by keyword
    names = []
    for p in left:
        if p.name in by_name:
            break
        if p.default is not p.empty:
            return None  # the count decides whether the default is taken
        names.append(p.name)
    if any(p.name not in by_name for p in left[len(names) :]):
        return None  # a keyword in the middle: Python would refuse the call
    return names if names else None
