"""Compile: load printed source as a real module, registered with linecache so
that `inspect`, tracebacks and pdb show the generated lines."""

from __future__ import annotations

import hashlib
import linecache

from . import linemap


def load(source: str, namespace: dict, label: str, functions=(), files=()) -> dict:
    """Execute ``source`` under a stable pseudo file name registered with linecache,
    so ``inspect.getsource``, tracebacks and pdb show the generated lines."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:10]
    filename = f"<tangentlike {label} {digest}>"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    if functions:
        linemap.record(filename, source, functions, files)
    code = compile(source, filename, "exec")
    exec(code, namespace)
    return namespace
