"""Saved values the backward half of a user's function no longer reads, not saved.

The forward half of a user's function returns the values its backward half
reads, as a tuple the backward half unpacks; the transform chooses them before
the optimizer runs, and the optimizer then drops reads (a save read only for a
shape, a temporary forwarded into its reader).  In a variant, a value the
backward half no longer reads leaves both tuples:

before:
    def _fwd_f(x, k):
        _mul = k * x
        _item = k[0]
        return _mul, (_item, _mul, x)


    def _bwd_f(saved, b_result):
        _item, _mul, x = saved
        bx = b_result * _item
        return bx, None
after:
    def _fwd_f(x, k):
        _mul = k * x
        _item = k[0]
        return _mul, (_item,)


    def _bwd_f(saved, b_result):
        _item, = saved
        bx = b_result * _item
        return bx, None

The halves are paired by name (``_fwd_f`` and ``_bwd_f``), the tuples by
length; the caller only keeps the tuple and hands it back, so no position is
read anywhere else.
"""

from __future__ import annotations

import gast

from .. import anno
from .dead import remove_dead

FWD, BWD = "_fwd_", "_bwd_"


def prune_saved(functions: list) -> bool:
    """Drop from each pair of halves among ``functions`` the saved values the
    backward half does not read; whether any was."""
    by_name = {f.name: f for f in functions}
    changed = False
    for bwd in functions:
        fwd = (
            by_name.get(FWD + bwd.name[len(BWD) :])
            if bwd.name.startswith(BWD)
            else None
        )
        if fwd is not None:
            changed |= _prune(fwd, bwd)
    return changed


def _prune(fwd, bwd) -> bool:
    saved = _saved_tuple(fwd)
    unpack = _unpacking(bwd)
    if saved is None or unpack is None or len(saved.elts) != len(unpack.elts):
        return False
    loads = anno.name_counts(gast.Module(body=bwd.body[1:], type_ignores=[]))
    unread = [i for i, t in enumerate(unpack.elts) if not loads.get(t.id)]
    if not unread or len(unread) == len(unpack.elts):
        return False  # all unread: the caller's tuple may be empty; left as it is
    names = {unpack.elts[i].id for i in unread}
    saved.elts = [e for i, e in enumerate(saved.elts) if i not in unread]
    unpack.elts = [e for i, e in enumerate(unpack.elts) if i not in unread]
    bwd.body[1:] = _without_deletes(bwd.body[1:], names)
    remove_dead(fwd)
    return True


def _saved_tuple(fwd):
    """The tuple of ``return value, (a, b, ...)``, the last statement."""
    last = fwd.body[-1] if fwd.body else None
    if not (isinstance(last, gast.Return) and isinstance(last.value, gast.Tuple)):
        return None
    parts = last.value.elts
    if len(parts) != 2 or not isinstance(parts[1], gast.Tuple):
        return None
    return parts[1] if all(isinstance(e, gast.Name) for e in parts[1].elts) else None


def _unpacking(bwd):
    """The target of ``a, b, ... = saved``, the first statement, ``saved`` the
    first parameter."""
    params = bwd.args.args
    first = bwd.body[0] if bwd.body else None
    if not (params and isinstance(first, gast.Assign) and len(first.targets) == 1):
        return None
    target, value = first.targets[0], first.value
    if not (isinstance(value, gast.Name) and value.id == params[0].id):
        return None
    if not isinstance(target, gast.Tuple):
        return None
    return target if all(isinstance(e, gast.Name) for e in target.elts) else None


def _without_deletes(body, names: set) -> list:
    """``body`` with ``names`` taken out of its ``del`` statements, in the blocks
    inside it too (the release pass deletes what it unpacked)."""
    for node in anno.walk(gast.Module(body=body, type_ignores=[])):
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(node, field, None)
            if isinstance(inner, list) and node is not body:
                setattr(node, field, _deletes_kept(inner, names))
    return _deletes_kept(body, names)


def _deletes_kept(body, names: set) -> list:
    out = []
    for stmt in body:
        if isinstance(stmt, gast.Delete):
            kept = [
                t
                for t in stmt.targets
                if not (isinstance(t, gast.Name) and t.id in names)
            ]
            if not kept:
                continue
            stmt.targets = kept
        out.append(stmt)
    return out
