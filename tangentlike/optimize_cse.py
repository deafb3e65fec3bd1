"""Compute an arithmetic expression once where a block computes it twice.

The product rule gives ``x * x`` the adjoint ``b * x`` twice, and templates often
repeat a product:

    bd = 3.0 * d                      bd = 3.0 * d
    bd = bd + 3.0 * d          ->     bd = bd + bd
    bx = bx + b_add * x               _mul = b_add * x
    bx += b_add * x                   bx = bx + _mul
                                      bx += _mul

Within one block, an operation of names and numbers is reused while none of its
operands, nor the name that holds it, is assigned or updated in between. The
values are the same objects or equal numbers, so this is exact.
"""

from __future__ import annotations

import gast

from . import anno
from .naming import Namer, names_in
from .normalize import OP_NAMES


def share_common(func: gast.FunctionDef) -> bool:
    """Reuse repeated operations in every block; whether anything changed."""
    namer = None
    changed = False
    for block in anno.blocks(func):
        k = 0
        available: dict = {}  # key -> (holder name or None, index of the statement, node)
        while k < len(block):
            stmt = block[k]
            if _is_simple(stmt):
                hit = _first_repeat(stmt, available)
                if hit is not None:
                    key, node = hit
                    holder, at, first = available[key]
                    if holder is None:
                        namer = namer or Namer(names_in(func))
                        holder = namer.temp(OP_NAMES.get(type(first.op), "op"))
                        block.insert(at, anno.copy_location(anno.assign(holder, first), block[at]))
                        _replace(block[at + 1], first, holder)
                        k += 1
                        available = _shift(available, at)
                        available[key] = (holder, at, first)
                    _replace(stmt, node, holder)
                    changed = True
                    continue  # look at the statement again
            _forget(available, anno.updated_names(stmt))
            if _is_simple(stmt):
                _remember(stmt, k, available)
            k += 1
    return changed


def _is_simple(stmt) -> bool:
    return isinstance(stmt, (gast.Assign, gast.AugAssign, gast.Return, gast.Expr))


def _key(node):
    """A structural key for an operation on names and numbers; None otherwise."""
    if not isinstance(node, gast.BinOp):
        return None
    parts = []
    for side in (node.left, node.right):
        if isinstance(side, gast.Name):
            parts.append(("name", side.id))
        elif isinstance(side, gast.Constant) and type(side.value) in (int, float):
            parts.append(("number", type(side.value).__name__, repr(side.value)))
        else:
            return None
    return (type(node.op).__name__, *parts)


def _operations(stmt):
    """The operations on names and numbers the statement evaluates, in order."""
    value = getattr(stmt, "value", None)
    if value is None:
        return []
    return [(k, n) for n in gast.walk(value) if (k := _key(n)) is not None]


def _first_repeat(stmt, available):
    for key, node in _operations(stmt):
        if key in available:
            return key, node
    return None


def _remember(stmt, k, available) -> None:
    target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
    held = isinstance(target, gast.Name) and _key(stmt.value) is not None
    if held and target.id in _operands(_key(stmt.value)):
        held = False  # ``x = x * 2``: x no longer holds what the value reads
    for key, node in _operations(stmt):
        if key in available:
            continue
        if held and node is stmt.value:
            available[key] = (target.id, k, node)
        elif not _stores_operand(stmt, key):
            available[key] = (None, k, node)


def _stores_operand(stmt, key) -> bool:
    return bool(anno.updated_names(stmt) & _operands(key))


def _operands(key) -> set[str]:
    return {part[1] for part in key[1:] if part[0] == "name"}


def _forget(available, changed: set[str]) -> None:
    for key in [k for k, (holder, _, _) in available.items()
                if holder in changed or _operands(k) & changed]:  # fmt: skip
        del available[key]


def _shift(available, at) -> dict:
    return {
        key: (holder, k + 1 if k >= at else k, node) for key, (holder, k, node) in available.items()
    }


def _replace(stmt, node, holder: str) -> None:
    """Put the name ``holder`` where ``stmt`` has ``node``."""
    for parent in gast.walk(stmt):
        for field, value in gast.iter_fields(parent):
            if value is node:
                setattr(parent, field, anno.name(holder))
                return
            if isinstance(value, list) and any(v is node for v in value):
                setattr(parent, field, [anno.name(holder) if v is node else v for v in value])
                return
