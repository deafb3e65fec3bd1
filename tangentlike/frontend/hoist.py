"""Hoist: loop-invariant arithmetic moved out of the loops that surely run.

A temporary the normalizer made inside a loop body (``_neg = -a``) whose operands
the loop never changes holds the same value on every pass.  Computed once,
before the loop, it is also saved once: the reverse sweep reads the one value
instead of a list of copies, and its adjoint sums over the passes before it is
handed on (``ba = -b_neg`` once, not ``ba += -b_neg`` a pass).

Only loops that surely run are touched (``for t in range(N)`` with a literal
``N > 0``), so a hoisted operation runs only where it ran before, and only plain
arithmetic of names and numbers moves, which reads nothing else and writes
nothing.
"""

from __future__ import annotations

import gast

from .. import anno
from ..naming import TEMP_PREFIX

PURE = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, gast.USub, gast.UAdd)


def hoist_invariants(body: list) -> list:
    """``body`` with loop-invariant temporaries computed before their loops."""
    tree = gast.Module(body=body, type_ignores=[])
    once = {n for n, k in anno.name_counts(tree, load=False).items() if k == 1}
    return _block(body, once)


def _block(body: list, once: set[str]) -> list:
    out = []
    for stmt in body:
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], gast.stmt):
                setattr(stmt, field, _block(inner, once))
        if isinstance(stmt, gast.For) and _surely_runs(stmt):
            out.extend(_take_invariants(stmt, once))
        out.append(stmt)
    return out


def _take_invariants(loop: gast.For, once: set[str]) -> list:
    """The statements of ``loop``'s body that move before it, taken out of it."""
    moved = []
    changed = True
    while changed:
        changed = False
        written = _written(loop)
        for stmt in list(loop.body):
            if _invariant(stmt, written, once):
                loop.body.remove(stmt)
                moved.append(stmt)
                changed = True
                break
    if not loop.body:
        loop.body = [gast.Pass()]
    return moved


def _invariant(stmt, written: set[str], once: set[str]) -> bool:
    if not (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
    ):
        return False
    target = stmt.targets[0].id
    return (
        target.startswith(TEMP_PREFIX)
        and target in once
        and _arithmetic(stmt.value)
        and not anno.load_names(stmt.value) & written
    )


def _arithmetic(node) -> bool:
    """Arithmetic of names and numbers, nothing else: ``-a``, ``0.5 * dt``."""
    if isinstance(node, gast.UnaryOp):
        return isinstance(node.op, PURE) and _operand(node.operand)
    if isinstance(node, gast.BinOp):
        return (
            isinstance(node.op, PURE) and _operand(node.left) and _operand(node.right)
        )
    return False


def _operand(node) -> bool:
    if isinstance(node, gast.Constant):
        return type(node.value) in (int, float)
    return isinstance(node, gast.Name)


def _written(loop: gast.For) -> set[str]:
    """Every name the loop binds or may update in place (its target too)."""
    names = anno.store_names(loop.target)
    for stmt in loop.body:
        names |= anno.updated_names(stmt)
    return names


def _surely_runs(loop: gast.For) -> bool:
    """``for t in range(N)`` (or ``range(a, b)``) with literal bounds: N > 0."""
    it = loop.iter
    if not (anno.is_call_to(it, "range") and not it.keywords and not loop.orelse):
        return False
    bounds = [a.value if isinstance(a, gast.Constant) else None for a in it.args]
    if not 1 <= len(bounds) <= 2 or any(type(b) is not int for b in bounds):
        return False
    start, stop = (0, bounds[0]) if len(bounds) == 1 else bounds
    return stop > start
