"""Spot item assignments into an array nothing has seen since it was made.

``x[i] = v`` overwrites values, so the reverse sweep keeps a copy of ``x[i]`` and
puts it back, for the derivatives that read ``x`` before the assignment.  Where
``x`` was made in the same block by a function that returns a new array
(``np.copy``, ``np.zeros``, ...) and nothing read it between, no derivative reads
what the assignment overwrote: the derivative of the array's making reads no
value of it, and no other name holds it.  Marked here, such an assignment keeps
no copy and restores nothing (a stencil's ``u_new = u.copy()``, ``u_new[1:-1] =
...`` keeps no slice of every step).
"""

from __future__ import annotations

import gast
import numpy

from .. import anno

FRESH = "tl_fresh"  # on an item assignment: what it overwrites needs no restoring
MAKERS = (
    numpy.copy,
    numpy.zeros,
    numpy.zeros_like,
    numpy.ones,
    numpy.ones_like,
    numpy.empty,
    numpy.empty_like,
    numpy.full,
    numpy.full_like,
)


def mark(body: list) -> None:
    """Mark the item assignments of ``body`` (and of its blocks) into arrays made
    fresh earlier in the same block and not read since."""
    for block in anno.blocks(gast.Module(body=body, type_ignores=[])):
        unread: set[str] = set()
        for stmt in block:
            x = _assigned_item_of(stmt)
            if x in unread and x not in anno.load_names(stmt.value):
                if x not in anno.load_names(stmt.targets[0].slice):
                    anno.set_(stmt, FRESH, True)
            unread -= anno.load_names(stmt) | anno.updated_names(stmt)
            if _makes_fresh(stmt):
                unread.add(stmt.targets[0].id)


def _assigned_item_of(stmt) -> str | None:
    """``x`` of ``x[i] = v``."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
            return target.value.id
    return None


def _makes_fresh(stmt) -> bool:
    if not (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Call)
    ):
        return False
    callee = anno.get(stmt.value, anno.CALLEE)
    return any(callee is maker for maker in MAKERS)
