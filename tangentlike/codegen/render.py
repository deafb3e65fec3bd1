"""Render: print generated gast as deterministic Python source."""

from __future__ import annotations

import ast
import math

import astor
import gast


def to_source(functions, imports: list[str], tail: str = "") -> str:
    """Deterministic source text for generated functions and their imports (and
    ``tail``, source printed after the functions)."""
    module = gast.Module(body=list(functions), type_ignores=[])
    tree = _negative_numbers(gast.gast_to_ast(module))
    body = astor.to_source(tree, indent_with="    ", pretty_source="".join)
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
