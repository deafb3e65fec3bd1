"""Render: print generated gast as deterministic Python source.

astor prints it; where astor cannot (Python 3.14 removed the ``ast`` node classes
it reads), the standard library's ``ast.unparse`` does, its tuples written as
astor writes them (``return value, bx``).  ``TANGENTLIKE_PRINTER=astor`` or
``=unparse`` forces one printer, so that the tests can run with each.
"""

from __future__ import annotations

import ast
import math
import os
import sys

import gast

PRINTERS = ("astor", "unparse")


def to_source(functions, imports: list[str], tail: str = "") -> str:
    """Deterministic source text for generated functions and their imports (and
    ``tail``, source printed after the functions)."""
    module = gast.Module(body=list(functions), type_ignores=[])
    tree = _negative_numbers(gast.gast_to_ast(module))
    body = _print(tree)
    header = "\n".join(imports)
    if tail:
        body = f"{body}\n\n{tail}\n"
    return f"{header}\n\n\n{body}" if header else body


def _negative_numbers(tree: ast.AST) -> ast.AST:
    """Each ``-0.5`` as a negated literal, as Python parses it, so the printer
    brackets it where precedence needs (``(-0.5) ** 2``, not ``-0.5 ** 2`` = -0.25)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, ast.AST):
                setattr(node, field, _negated(value))
                todo.append(value)
            elif isinstance(value, list):
                value[:] = [_negated(v) if isinstance(v, ast.AST) else v for v in value]
                todo.extend(v for v in value if isinstance(v, ast.AST))
    return tree


def _negated(node: ast.AST) -> ast.AST:
    if node.__class__ is ast.Constant:
        value = node.value
        if type(value) in (int, float) and (value < 0 or math.copysign(1.0, value) < 0):
            return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-value))
    return node


def printer() -> str:
    """The printer to use: the one ``TANGENTLIKE_PRINTER`` names, else astor
    before Python 3.14, ``ast.unparse`` from then on."""
    forced = os.environ.get("TANGENTLIKE_PRINTER", "")
    if forced in PRINTERS:
        return forced
    return "astor" if sys.version_info < (3, 14) else "unparse"


def _print(tree: ast.Module) -> str:
    if printer() == "astor":
        try:
            import astor

            return astor.to_source(tree, indent_with="    ", pretty_source="".join)
        except (AttributeError, ImportError):  # an ast astor does not know
            if os.environ.get("TANGENTLIKE_PRINTER") == "astor":
                raise
    return unparse(tree)


def unparse(tree: ast.Module) -> str:
    """``ast.unparse`` of ``tree`` as astor prints it: two blank lines between
    functions, a tuple that is a statement's whole value unbracketed (``return
    value, bx``, ``return bx,``)."""
    tree = ast.fix_missing_locations(tree)
    tuples: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Return | ast.Assign) and _bare_tuple(node.value):
            marker = f"_tl_tuple{len(tuples)}_"
            items = [ast.unparse(e) for e in node.value.elts]
            tuples[marker] = ", ".join(items) + ("," if len(items) == 1 else "")
            node.value = ast.Name(id=marker, ctx=ast.Load())
    text = "\n\n\n".join(ast.unparse(f) for f in tree.body) + "\n"
    for marker, items in tuples.items():
        text = text.replace(marker, items, 1)
    return text


def _bare_tuple(value) -> bool:
    return isinstance(value, ast.Tuple) and len(value.elts) > 0
