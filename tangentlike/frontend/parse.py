"""Parse: a live function to a gast tree that keeps the real file and line numbers."""

from __future__ import annotations

import inspect
import linecache
import textwrap
from dataclasses import dataclass, field

import gast

from .. import anno
from ..errors import Location, NoSourceError
from .stale import check_first_line, check_fresh


@dataclass
class Source:
    """Where a function's source came from, to point errors at the user's lines."""

    filename: str
    firstlineno: int
    lines: list[str] = field(default_factory=list)
    shift: int = (
        0  # the indentation dedent removed: columns of the parsed code are short of it
    )

    def location(self, node) -> Location:
        lineno = getattr(node, "lineno", None) or self.firstlineno
        col = getattr(node, "col_offset", 0) or 0
        text = linecache.getline(self.filename, lineno)
        if not text and 0 < lineno - self.firstlineno + 1 <= len(self.lines):
            text = self.lines[lineno - self.firstlineno]
        indent = len(text) - len(text.lstrip())
        return Location(
            self.filename, lineno, max(col + self.shift - indent, 0), text.strip()
        )


def parse_function(func) -> tuple[gast.FunctionDef, Source]:
    """Return the FunctionDef of ``func`` with line numbers of its real file (of the
    function a ``functools.wraps`` wrapper wraps, whose lines ``inspect`` reads)."""
    try:
        func = inspect.unwrap(func)
        lines, firstlineno = inspect.getsourcelines(func)
        filename = inspect.getsourcefile(func) or inspect.getfile(func)
    except (OSError, TypeError, ValueError) as exc:
        name = getattr(func, "__qualname__", repr(func))
        raise NoSourceError(
            f"no Python source is available for {name!r}",
            None,
            "tangentlike reads source code: define the function in a .py file, "
            "a notebook cell or IPython, or register a derivative for it with "
            "tl.adjoint / tl.tangent",
        ) from exc
    text = textwrap.dedent("".join(lines))
    where = Location(filename, firstlineno, 0, lines[0].strip())
    try:
        module = gast.parse(text)
    except SyntaxError:
        module = None
    if module is not None:
        gast.increment_lineno(module, firstlineno - 1)
    check_first_line(func, firstlineno, where)
    node = _definition(module, func)
    if node is None:
        raise NoSourceError(
            f"{func!r} is not defined by a def statement or a lambda tangentlike can find",
            where,
            "write the function with def (or as the only lambda on its lines)",
        )
    at = (node.lineno - firstlineno + 1, node.col_offset)
    check_fresh(func, text, at, where)
    node.decorator_list = []
    shift = _indent(lines[0]) - _indent(text.splitlines()[0]) if text else 0
    return node, Source(filename, firstlineno, lines, shift)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _definition(module, func):
    """The ``def`` of ``func``, or its lambda as a ``def`` returning its body."""
    if module is None:
        return None
    first = module.body[0] if module.body else None
    if isinstance(first, gast.FunctionDef):
        return first
    if func.__name__ != "<lambda>":
        return None
    params = list(func.__code__.co_varnames[: func.__code__.co_argcount])
    lambdas = [
        n
        for n in anno.walk(module)
        if isinstance(n, gast.Lambda) and [a.id for a in n.args.args] == params
    ]
    if len(lambdas) != 1:
        return None
    lam = lambdas[0]
    ret = gast.copy_location(gast.Return(value=lam.body), lam)
    node = gast.FunctionDef(
        name="lambda",
        args=lam.args,
        body=[ret],
        decorator_list=[],
        returns=None,
        type_comment=None,
        type_params=[],
    )
    return gast.copy_location(node, lam)
