"""Write an elementwise result into an array read there for the last time.

At the function's top level, where a last read is the last, an elementwise
operation can write into a float array made there (by an operation returning a
new array, no other name holding it since) that it reads for the last time,
where ``inplace`` writes only into one read once.  Temporaries and adjoints
qualify, never a name of the user's own.  Another read of the name in the
statement is allowed only as ``add_at``'s second argument, which it reads for
its kind alone when it is given an array to add into:

given: shapes={"y": (5, 4), "t": (5, 1), "g": (5,)}
before:
    def f(y, t, g):
        _sub = 1.0 - y
        b_log = -0.5 * y
        bz = add_at(_sub * -t, _sub, (np.arange(5), 0), g)
        out = bz + b_log * y
        return out
after:
    def f(y, t, g):
        _sub = 1.0 - y
        b_log = -0.5 * y
        bz = add_at(np.multiply(_sub, -t, out=_sub), _sub, (np.arange(5), 0), g)
        out = bz + np.multiply(b_log, y, out=b_log)
        return out
"""

from __future__ import annotations

import gast

from .. import anno
from .inplace import (
    UFUNC_OPS,
    _escaping,
    _makes_new_array,
    _same_buffer_ok,
    _target,
    _with_out,
)


def write_last_reads(func, shapes, kinds, np_alias: str, keep=frozenset()) -> bool:
    """Write elementwise results into the arrays the top level reads there for
    the last time, never the user's own names (``keep``); whether any was.
    ``shapes`` and ``kinds``: the analyses."""
    return _last_reads_in_place(func.body, shapes, kinds, np_alias, keep)


def _last_reads_in_place(body, shapes, kinds, np_alias, keep) -> bool:
    """``add_at(p * -t, p, i, g)`` -> ``add_at(np.multiply(p, -t, out=p), p, i,
    g)`` where ``p`` is a float array made by an operation at the top level, not
    held by another name since, and read there for the last time."""
    later = _later_counts(body)
    fresh, changed = set(), False
    for k, stmt in enumerate(body):
        after = later[k + 1] if k + 1 < len(body) else {}
        if isinstance(stmt, gast.Assign):
            into = _LastRead(fresh, after, anno.name_counts(stmt), shapes, kinds)
            stmt.value = into.rewrite(stmt.value, np_alias)
            changed |= into.done
        target = _target(stmt)
        # written into another's array (e = np.exp(s, out=s)): not its own
        own = target and not anno.out_names(stmt.value)
        new = own and _makes_new_array(shapes, stmt.value)
        fresh -= anno.updated_names(stmt) | _escaping(stmt, np_alias)
        if new and target not in keep:
            fresh.add(target)
    return changed


def _later_counts(body) -> list:
    """For each statement, how often each name is read in it and after it."""
    later = [anno.name_counts(s) for s in body]
    for k in range(len(body) - 2, -1, -1):
        for name, n in later[k + 1].items():
            later[k][name] = later[k].get(name, 0) + n
    return later


class _LastRead:
    """Finds the first elementwise operation of a statement that may write into
    an operand read there for the last time."""

    def __init__(self, fresh, after, here, shapes, kinds):
        self.fresh, self.after, self.here = fresh, after, here
        self.shapes, self.kinds = shapes, kinds
        self.done = False

    def rewrite(self, value, np_alias):
        for node in anno.walk(value):
            if not (isinstance(node, gast.BinOp) and type(node.op) in UFUNC_OPS):
                continue
            for side in (node.left, node.right):
                name = side.id if isinstance(side, gast.Name) else None
                if name is not None and self._last_read(name, node, value):
                    new = _with_out(node, name, np_alias)
                    self.done = True
                    return new if node is value else _replaced(value, node, new)
        return value

    def _last_read(self, name, node, value) -> bool:
        if name not in self.fresh or self.after.get(name):
            return False
        structural = sum(
            1
            for call in anno.walk(value)
            if _is_add_at(call)
            and isinstance(call.args[1], gast.Name)
            and call.args[1].id == name
        )
        reads = 2 if _same_sides(node) else 1
        if self.here.get(name, 0) != reads + structural:
            return False
        return _same_buffer_ok(self.shapes, self.kinds, name, node)


def _same_sides(node) -> bool:
    return (
        isinstance(node.left, gast.Name)
        and isinstance(node.right, gast.Name)
        and node.left.id == node.right.id
    )


def _is_add_at(node) -> bool:
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Name)
        and node.func.id == "add_at"
        and len(node.args) == 4
        and not node.keywords
    )


def _replaced(value, old, new):
    """``value`` with its node ``old`` replaced by ``new``."""
    for parent in anno.walk(value):
        for field, child in gast.iter_fields(parent):
            if child is old:
                setattr(parent, field, new)
                return value
            if isinstance(child, list) and any(c is old for c in child):
                setattr(parent, field, [new if c is old else c for c in child])
                return value
    return value
