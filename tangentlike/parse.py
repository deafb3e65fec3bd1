"""Parse: a live function to a gast tree that keeps the real file and line numbers."""

from __future__ import annotations

import inspect
import linecache
import textwrap
from dataclasses import dataclass, field

import gast

from .errors import Location, NoSourceError


@dataclass
class Source:
    """Where a function's source came from, to point errors at the user's lines."""

    filename: str
    firstlineno: int
    lines: list[str] = field(default_factory=list)

    def location(self, node) -> Location:
        lineno = getattr(node, "lineno", None) or self.firstlineno
        col = getattr(node, "col_offset", 0) or 0
        text = linecache.getline(self.filename, lineno)
        if not text and 0 < lineno - self.firstlineno + 1 <= len(self.lines):
            text = self.lines[lineno - self.firstlineno]
        indent = len(text) - len(text.lstrip())
        return Location(self.filename, lineno, max(col - indent, 0), text.strip())


def parse_function(func) -> tuple[gast.FunctionDef, Source]:
    """Return the FunctionDef of ``func`` with line numbers of its real file."""
    try:
        lines, firstlineno = inspect.getsourcelines(func)
        filename = inspect.getsourcefile(func) or inspect.getfile(func)
    except (OSError, TypeError) as exc:
        name = getattr(func, "__qualname__", repr(func))
        raise NoSourceError(
            f"no Python source is available for {name!r}",
            None,
            "tangentlike reads source code: define the function in a .py file, "
            "a notebook cell or IPython, or register a derivative for it with "
            "tl.adjoint / tl.tangent",
        ) from exc
    text = textwrap.dedent("".join(lines))
    module = gast.parse(text)
    gast.increment_lineno(module, firstlineno - 1)
    node = module.body[0]
    if isinstance(node, gast.AsyncFunctionDef) or not isinstance(node, gast.FunctionDef):
        raise NoSourceError(
            f"{func!r} is not defined by a plain def statement",
            Location(filename, firstlineno, 0, lines[0].strip()),
            "write the function with def; lambdas can be differentiated when assigned "
            "inside a function that is differentiated",
        )
    node.decorator_list = []
    return node, Source(filename, firstlineno, lines)
