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
stays even when nothing reads it: its push would be left unpaired.  A pop whose
value nothing takes off a list the function made (``_genexp.pop()``, the
reverse sweep undoing an append) goes where nothing but such pops reads the
list from the first of them on.
"""

from __future__ import annotations

import gast

from .. import anno
from ..naming import STACK_NAME, is_stack_name


def remove_dead(func) -> bool:
    """Remove assignments to names that nothing reads, and pops nothing sees;
    whether any was removed."""
    loads = anno.load_names(func) | {STACK_NAME}
    removed: list = []
    func.body = _prune(func.body, loads, removed, _unseen_pops(func))
    return bool(removed)


def _unseen_pops(func) -> set[int]:
    """The statements ``lst.pop()`` of a list the function makes (not a save
    stack) that no read of ``lst`` but such pops follows (from the first
    top-level statement holding one of them on)."""
    pops: dict[str, list] = {}
    for node in anno.walk(func):
        if isinstance(node, gast.Expr) and _pops(node.value) and not node.value.args:
            receiver = node.value.func.value
            if isinstance(receiver, gast.Name):
                pops.setdefault(receiver.id, []).append(node)
    params = {a.id for a in func.args.args + func.args.kwonlyargs}
    stored = anno.store_names(gast.Module(body=func.body, type_ignores=[]))
    found: set[int] = set()
    for name, stmts in sorted(pops.items()):
        if name in params or name not in stored or is_stack_name(name):
            continue
        start = next(i for i, s in enumerate(func.body) if _holds(s, stmts))
        later = gast.Module(body=func.body[start:], type_ignores=[])
        reads = [
            n
            for n in anno.walk(later)
            if isinstance(n, gast.Name) and n.id == name and _loads(n)
        ]
        if len(reads) == len(stmts):  # each read is one of the pops
            found.update(id(s) for s in stmts)
    return found


def _holds(stmt, stmts) -> bool:
    inner = {id(n) for n in anno.walk(stmt)}
    return any(id(s) in inner for s in stmts)


def _loads(name: gast.Name) -> bool:
    return isinstance(name.ctx, gast.Load)


def _prune(block, loads, removed, unseen=frozenset()):
    out = []
    for stmt in block:
        if id(stmt) in unseen:
            removed.append(stmt)
            continue
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
                kept = _prune(inner, loads, removed, unseen)
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
