"""Compile: print generated gast with astor and load it as a real, inspectable module."""

from __future__ import annotations

import ast
import hashlib
import linecache

import astor
import gast

from . import tracebacks


def to_source(functions, imports: list[str]) -> str:
    """Deterministic source text for generated functions and their imports."""
    module = gast.Module(body=list(functions), type_ignores=[])
    tree = gast.gast_to_ast(module)
    ast.fix_missing_locations(tree)
    body = astor.to_source(tree, indent_with="    ", pretty_source="".join)
    header = "\n".join(imports)
    return f"{header}\n\n\n{body}" if header else body


def load(source: str, namespace: dict, label: str, functions=(), files=()) -> dict:
    """Execute ``source`` under a stable pseudo file name registered with linecache,
    so ``inspect.getsource``, tracebacks and pdb show the generated lines."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:10]
    filename = f"<tangentlike {label} {digest}>"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    if functions:
        tracebacks.record(filename, source, functions, files)
    code = compile(source, filename, "exec")
    exec(code, namespace)
    return namespace
