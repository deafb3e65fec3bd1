"""Which arguments to differentiate: ``wrt`` as positions, and functions with
arguments bound to them (partials, bound methods, callable objects).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import linecache
import types

import numpy

from ..call.arguments import Signature
from ..errors import ArgumentError, TangentlikeError
from ..made import MARK


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
    past the arguments bound to it (``self``, the partial's), and for a method the
    object's class, bound to the same arguments; None for anything else."""
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
    owner = type(f.__self__)  # its self.m(...) calls are its class's
    return types.MethodType(make(f.__func__, shifted(wrt, 1), owner), f.__self__)


def as_routine(f):
    """An object of a class defining ``__call__`` as its bound ``__call__`` method
    (the object is then a constant); anything else as it is."""
    call = getattr(type(f), "__call__", None)  # noqa: B004 (the method, not a callable test)
    if inspect.isfunction(call) and not hasattr(f, MARK):  # not made by tangentlike
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


_FROM_TEMPLATE: dict = {}


def from_template(f):
    """A function with a derivative template and no source of its own to read
    (``np.sin``, ``math.exp``, ``np.linalg.inv``) as a one-line ``def`` calling it,
    whose derivative is the template's; anything else as it is."""
    if inspect.isfunction(f):  # its own source is read
        return f
    from .. import template as tpl

    tpl.load_templates()
    found = tpl.lookup(tpl.ADJOINTS, f) or tpl.lookup(tpl.TANGENTS, f)
    if found is None:
        return f
    try:
        return _FROM_TEMPLATE[f]
    except (KeyError, TypeError):
        pass
    made = _calling(f, found)
    if made is not None:
        _FROM_TEMPLATE[f] = made
    return made or f


def _calling(f, template):
    """``def sin(x): return np.sin(x)``, the parameters the template's without a
    default, its source in linecache; None where ``f`` has no public path."""
    from ..transform.calls import describe

    path = describe(f)
    root, *parts = path.split(".")
    try:
        module = importlib.import_module(root)
    except ImportError:
        return None
    if functools.reduce(lambda v, a: getattr(v, a, None), parts, module) is not f:
        return None
    if root == "numpy":  # called as NumPy is imported
        root, path = "np", ".".join(["np", *parts])
    params = [
        p.name
        for p in template.signature.parameters.values()
        if p.default is p.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    name, args = parts[-1] if parts else root, ", ".join(params)
    source = f"def {name}({args}):\n    return {path}({args})\n"
    filename = f"<template {describe(f)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {root: module}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - made here
    return namespace[name]


def split_paths(wrt):
    """``wrt`` naming attributes of a parameter (``"self.W"``, ``("self.W",
    "x")``): the parameters to differentiate (``("self", "x")``) and a function
    taking their gradients (and the arguments) to the gradients asked for; None
    for a ``wrt`` of parameters only."""
    many = isinstance(wrt, (tuple, list))
    items = list(wrt) if many else [wrt]
    if not any(isinstance(w, str) and "." in w for w in items):
        return wrt, None
    roots: list = []
    picks = []
    for item in items:
        root, *path = item.split(".") if isinstance(item, str) else (item,)
        if root not in roots:
            roots.append(root)
        picks.append((roots.index(root), root, path))

    def pick(grads, values: dict):
        found = [_follow(grads[i], values.get(root), path) for i, root, path in picks]
        return tuple(found) if many else found[0]

    return tuple(roots), pick


def _follow(g, obj, path: list[str]):
    """The gradient of ``obj.a.b`` in ``g``, ``obj``'s (a dict by attribute name);
    zeros where the function never read the attribute."""
    for name in path:
        obj = getattr(obj, name)
        g = g.get(name) if isinstance(g, dict) else None
        if g is None:
            return numpy.zeros_like(obj) if hasattr(obj, "shape") else 0.0
    return g
