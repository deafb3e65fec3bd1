"""Errors raised inside generated code name the generated line and the user's line
it came from, as a note on the exception (PEP 678)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import gast

from .. import anno

# generated file name -> {generated line: (user file, user line)}, or until an
# error needs it, (source, functions, files) to work it out from
ORIGINS: dict[str, dict[int, tuple[str, int]] | tuple] = {}


def record(filename: str, source: str, functions, files) -> None:
    """Keep what maps the lines of a generated file to the user's lines; the map
    itself is worked out when an error first needs it."""
    ORIGINS[filename] = (source, list(functions), list(files))


def origins(filename: str) -> dict[int, tuple[str, int]]:
    """{generated line: (user file, user line)} for a file ``record`` was given."""
    found = ORIGINS[filename]
    if isinstance(found, tuple):
        found = ORIGINS[filename] = _line_map(*found)
    return found


def _line_map(source: str, functions, files) -> dict[int, tuple[str, int]]:
    """Generated line -> user line, from the statements ``pairs`` matches."""
    origin: dict[int, tuple[str, int]] = {}
    for printed, node, k in pairs(ast.parse(source), functions):
        line = getattr(node, "lineno", None)
        if line:
            origin[printed.lineno] = (files[k], line)
    return origin


def pairs(tree: ast.Module, functions) -> Iterator[tuple[ast.stmt, gast.stmt, int]]:
    """Each statement of the printed generated functions (``tree``, the parsed
    source) with the gast statement it was printed from, and its function's index
    in ``functions``: a printed function has the structure, and so the walk
    order, of its tree."""
    printed = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for k, func in enumerate(functions):
        node = printed.get(func.name)
        if node is None:
            continue
        mine = [n for n in anno.walk(func) if isinstance(n, gast.stmt)]
        theirs = [n for n in ast.walk(node) if isinstance(n, ast.stmt)]
        for a, b in zip(theirs, mine):
            yield a, b, k
