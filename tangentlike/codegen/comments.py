"""Line comments: each block of a derivative sweep opens with the user's line it
differentiates, quoted.

    b_mean = -b_result                  # line 11: return -np.mean(ll)
    bll = unreduce(b_mean / 100, ll) -> b_mean = -b_result
    bp = b_ll * y                       bll = unreduce(b_mean / 100, ll)
                                        # line 10: ll = y * np.log(p)
                                        bp = b_ll * y

Comments are no nodes of the tree: they are put into the printed text, above the
statements ``linemap.pairs`` matches with the tree's, so every statement keeps its
line in the tree's order and the line map (built from the text) stays right.  The
sweep is what the transforms mark (``anno.SWEEP``): the reverse sweep of a
gradient, the whole body of a forward-mode derivative.
"""

from __future__ import annotations

import ast
import linecache
import os

import gast

from .. import anno
from .linemap import pairs


def with_comments(source: str, functions, files) -> str:
    """``source`` with the comments of ``functions`` (from user files ``files``)."""
    quotes = _quotes(functions, files)
    found = {}
    for printed, node, _ in pairs(ast.parse(source), functions):
        if id(node) in quotes:
            found[printed.lineno] = " " * printed.col_offset + quotes[id(node)]
    lines = source.split("\n")
    for lineno in sorted(found, reverse=True):
        lines.insert(lineno - 1, found[lineno])
    return "\n".join(lines)


def _quotes(functions, files) -> dict[int, str]:
    """``{id(statement): its comment}`` of the statements opening a block of a sweep."""
    main = files[-1] if files else ""
    found: dict[int, str] = {}
    for func, file in zip(functions, files):
        where = "" if file == main else f"{os.path.basename(file)}, "
        for block, outer in _sweep_blocks(func):
            found.update(_quote_block(block, outer, func.lineno, file, where))
    return found


def _sweep_blocks(func) -> list[tuple[list, int | None]]:
    """The statement lists of the sweep, each with the user line of the statement
    it is nested in (None at the top level): the top level from its first marked
    statement on, and every list nested in those statements."""
    body = func.body
    first = next((i for i, s in enumerate(body) if getattr(s, anno.SWEEP, 0)), None)
    if first is None:
        return []
    found, todo = [(body[first:], None)], list(body[first:])
    while todo:
        stmt = todo.pop(0)
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], gast.stmt):
                found.append((inner, getattr(stmt, "lineno", None)))
                todo.extend(inner)
    return found


def _quote_block(block, outer, def_line: int, file: str, where: str) -> dict[int, str]:
    """The comments of one block: above each statement from another user line than
    the one before it (or, first in a nested block, than the statement it is in);
    ``del`` and the function's own line quote nothing."""
    found, last = {}, outer
    for stmt in block:
        line = getattr(stmt, "lineno", None)
        if isinstance(stmt, gast.Delete) or line in (None, def_line, last):
            continue
        text = linecache.getline(file, line).strip()
        if text:
            spans = getattr(stmt, "end_lineno", line) > line
            more = " ..." if spans and not text.endswith(":") else ""
            found[id(stmt)] = f"# {where}line {line}: {text}{more}"
        last = line
    return found
