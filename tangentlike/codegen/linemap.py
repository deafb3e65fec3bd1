"""Errors raised inside generated code name the generated line and the user's line
it came from, as a note on the exception (PEP 678)."""

from __future__ import annotations

import ast

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
    """Pair the statements of the printed source with the gast statements they came
    from (same structure, same walk order) to map generated lines to user lines."""
    printed = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.stmt)]
    printed = [n for n in printed if not isinstance(n, (ast.Import, ast.ImportFrom))]
    origin: dict[int, tuple[str, int]] = {}
    mine = []
    for func, file in zip(functions, files):
        mine += [(n, file) for n in anno.walk(func) if isinstance(n, gast.stmt)]
    mine_by_walk = {id(n): f for n, f in mine}
    tree = gast.Module(body=list(functions), type_ignores=[])
    ordered = [n for n in anno.walk(tree) if isinstance(n, gast.stmt)]
    for gen, node in zip(printed, ordered):
        line = getattr(node, "lineno", None)
        if line:
            origin[gen.lineno] = (mine_by_walk.get(id(node), ""), line)
    return origin
