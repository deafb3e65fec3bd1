"""Compile: load printed source as a real module, registered with linecache so
that `inspect`, tracebacks and pdb show the generated lines."""

from __future__ import annotations

import hashlib
import linecache
import types
import warnings

from . import linemap


def load(
    source: str, namespace: dict, label: str, functions=(), files=(), origins=None
) -> dict:
    """Execute ``source`` under a stable pseudo file name registered with linecache,
    so ``inspect.getsource``, tracebacks and pdb show the generated lines; the map
    to the user's lines is worked out from ``functions`` (or given: ``origins``)."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:10]
    filename = f"<tangentlike {label} {digest}>"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    if functions:
        linemap.record(filename, source, functions, files)
    elif origins is not None:
        linemap.ORIGINS[filename] = origins
    with warnings.catch_warnings():  # ``(1.0)[0]`` of a seed: the call says why
        warnings.simplefilter("ignore", SyntaxWarning)
        code = compile(source, filename, "exec")
    exec(code, namespace)
    return namespace


def rebound(fn, values: dict):
    """``fn``, a loaded generated function, and the generated functions beside it, in
    a copy of their namespace with ``values`` written in (a closure's own data)."""
    shared = fn.__globals__
    namespace = {**shared, **values}
    for name, value in shared.items():
        if isinstance(value, types.FunctionType) and value.__globals__ is shared:
            namespace[name] = _moved(value, namespace)
    found = namespace.get(fn.__name__)
    return found if shared.get(fn.__name__) is fn else _moved(fn, namespace)


def _moved(fn, namespace: dict):
    moved = types.FunctionType(
        fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__
    )
    moved.__kwdefaults__ = fn.__kwdefaults__
    moved.__qualname__ = fn.__qualname__
    moved.__dict__.update(fn.__dict__)
    return moved
