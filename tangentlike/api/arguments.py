"""Which arguments to differentiate: ``wrt`` as positions, and functions with
arguments bound to them (partials, bound methods, callable objects).
"""

from __future__ import annotations

import functools
import inspect
import types

from ..call.arguments import Signature
from ..errors import ArgumentError, TangentlikeError


def _params(func) -> list[str]:
    try:
        return list(Signature.of(func).names)
    except (TypeError, ValueError) as exc:
        raise TangentlikeError(f"cannot read the signature of {func!r}") from exc


def normalize_wrt(func, wrt) -> tuple[tuple[int, ...], bool]:
    """``wrt`` as positions, and whether the caller asked for a tuple of results."""
    params = _params(func)
    many = isinstance(wrt, (tuple, list))
    items = list(wrt) if many else [wrt]
    positions = []
    for item in items:
        if isinstance(item, str):
            if item not in params:
                raise ArgumentError(
                    f"wrt={item!r} names no parameter of {func.__qualname__}; "
                    f"its parameters are {', '.join(params)}"
                )
            positions.append(params.index(item))
        elif isinstance(item, int) and not isinstance(item, bool):
            if not -len(params) <= item < len(params):
                raise ArgumentError(
                    f"wrt={item} is out of range: {func.__qualname__} has "
                    f"{len(params)} parameter(s): {', '.join(params)}"
                )
            positions.append(item % len(params))
        else:
            raise ArgumentError(
                f"wrt must be an int, a str or a tuple of them, not {item!r}"
            )
    return tuple(positions), many


def for_bound(f, wrt, make):
    """For a ``functools.partial``, a bound method, or an object whose class defines
    ``__call__``: ``make`` applied to the function underneath, with ``wrt`` moved
    past the arguments bound to it (``self``, the partial's), bound to the same
    arguments (constants); None for anything else."""
    if isinstance(f, functools.partial):
        for w in wrt if isinstance(wrt, (tuple, list)) else (wrt,):
            if isinstance(w, str) and w in f.keywords:
                raise ArgumentError(
                    f"wrt={w!r} names an argument the partial binds, a constant; "
                    "differentiate the function itself, or leave it out of the partial"
                )
        made = make(f.func, shifted(wrt, len(f.args)))
        return functools.partial(made, *f.args, **f.keywords)
    f = as_routine(f)
    if not inspect.ismethod(f):
        return None
    return types.MethodType(make(f.__func__, shifted(wrt, 1)), f.__self__)


def as_routine(f):
    """An object of a class defining ``__call__`` as its bound ``__call__`` method
    (the object is then a constant); anything else as it is."""
    call = getattr(type(f), "__call__", None)  # noqa: B004 (the method, not a callable test)
    if inspect.isfunction(call) and not hasattr(f, "tangentlike_source"):  # not a Jvp
        return f.__call__
    return f


def shifted(wrt, by: int):
    """``wrt`` of a function called with ``by`` positional arguments bound before
    the caller's: positions moved past them (names and negative positions kept)."""
    if isinstance(wrt, (tuple, list)):
        return tuple(shifted(w, by) for w in wrt)
    return (
        wrt + by
        if isinstance(wrt, int) and not isinstance(wrt, bool) and wrt >= 0
        else wrt
    )
