"""Drop assignments to names that nothing reads.

before:
    def f(x, by):
        y = x * 2.0
        z = np.sin(x)
        bz = by * 2.0
        bx = by * 2.0
        bx += bz * np.cos(x)
        return y, by
after:
    def f(x, by):
        y = x * 2.0
        bz = by * 2.0
        return y, by

``bz`` goes on the next run, now that the update that read it has gone (the
optimizer runs its passes until none changes the tree).  A pop off a save stack
stays even when nothing reads it: its push would be left unpaired.
"""

from __future__ import annotations

import gast

from .. import anno
from ..naming import STACK_NAME


def remove_dead(func) -> bool:
    """Remove assignments to names that nothing reads; whether any was removed."""
    loads = anno.load_names(func) | {STACK_NAME}
    removed: list = []
    func.body = _prune(func.body, loads, removed)
    return bool(removed)


def _prune(block, loads, removed):
    out = []
    for stmt in block:
        if (
            isinstance(stmt, gast.Assign)
            and isinstance(stmt.targets[0], gast.Name)
            and not _pops(stmt.value)
        ):
            target = stmt.targets[0].id
            if target not in loads or (
                isinstance(stmt.value, gast.Name) and target == stmt.value.id
            ):
                removed.append(stmt)
                continue
        # ``bx += g`` into a gradient nothing reads: dead, like its first assignment
        if (
            isinstance(stmt, gast.AugAssign)
            and isinstance(stmt.target, gast.Name)
            and stmt.target.id not in loads
        ):
            removed.append(stmt)
            continue
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if inner:
                kept = _prune(inner, loads, removed)
                # an ``else`` left empty goes; a body needs a statement
                setattr(stmt, field, kept or ([gast.Pass()] if field == "body" else []))
        out.append(stmt)
    return out


def _pops(value) -> bool:
    """``x.pop()``: removing it would unbalance a save stack, even if x is unused."""
    return (
        isinstance(value, gast.Call)
        and isinstance(value.func, gast.Attribute)
        and value.func.attr == "pop"
    )
