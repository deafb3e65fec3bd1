"""Fold constant arithmetic and trivial powers.

before:
    def f(x, b):
        bx = b * 2 * x ** (2 - 1)
        g = -(3.0) * (1.0 / 4)
        return bx, g
after:
    def f(x, b):
        bx = b * 2 * x
        g = -0.75
        return bx, g

Only Python ints and floats fold, with + - * / (no division by zero) and unary
minus; ``x ** 1`` becomes ``x`` (an int exponent keeps ``x``'s dtype).
"""

from __future__ import annotations

import math
import operator

import gast

OPS = {
    gast.Add: operator.add,
    gast.Sub: operator.sub,
    gast.Mult: operator.mul,
    gast.Div: operator.truediv,
}


class Fold(gast.NodeTransformer):
    """Bottom-up: children fold first, so ``x ** (2 - 1)`` sees ``x ** 1``."""

    changed = False

    def visit(self, node):
        new = super().visit(node)
        self.changed |= new is not node
        return new

    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right = number(node.left), number(node.right)
        if left is not None and right is not None and type(node.op) in OPS:
            if isinstance(node.op, gast.Div) and right == 0:
                return node
            value = OPS[type(node.op)](left, right)
            if isinstance(value, float) and not math.isfinite(value):
                return node
            return gast.copy_location(_const(value), node)
        if isinstance(node.op, gast.Pow) and right == 1 and type(right) is int:
            return node.left
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        value = number(node.operand)
        if isinstance(node.op, gast.USub) and value is not None:
            return gast.copy_location(_const(-value), node)
        return node


def number(node):
    """The value of an int or float literal, else None."""
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def _const(value):
    return gast.Constant(value=value, kind=None)


def fold_constants(func: gast.FunctionDef) -> bool:
    """Fold constant expressions in ``func`` in place; whether anything folded."""
    fold = Fold()
    fold.visit(func)
    return fold.changed
