"""Compute an arithmetic expression once where a block computes it twice.

The product rule gives ``x * x`` the adjoint ``b * x`` twice, and templates often
repeat a product; a variant sums one gradient over the same broadcast axes for
two operands (``a + w`` and ``a - w`` of one ``w``):

before:
    def f(d, x, b_add, bx):
        bd = 3.0 * d
        bd = bd + 3.0 * d
        bx = bx + b_add * x
        bx += b_add * x
        bw = np.sum(b_add, axis=0)
        bv = -np.sum(b_add, axis=0)
        return bd, bx, bw, bv
after:
    def f(d, x, b_add, bx):
        bd = 3.0 * d
        bd = bd + bd
        _mul = b_add * x
        bx = bx + _mul
        bx += _mul
        bw = np.sum(b_add, axis=0)
        bv = -bw
        return bd, bx, bw, bv

Within one block, an operation of names and numbers (or ``np.sum`` of a name,
its options constants) is reused while none of its operands, nor the name that
holds it, is assigned or updated in between. The values are the same objects or
equal numbers, so this is exact.  A call of a pure NumPy function (a ufunc, a
reduction) counts as such an operation, so that what a line computes twice is
computed once, across the statements it normalized to:

before:
    def f(z, y):
        _exp = np.exp(z)
        _exp2 = np.exp(z)
        _sum = np.sum(_exp2)
        return _exp / _sum
after:
    def f(z, y):
        _exp = np.exp(z)
        _exp2 = _exp
        _sum = np.sum(_exp2)
        return _exp / _sum

A call assigned to a temporary is replaced by another temporary only (nothing
updates either in place), never by a user's name (``a = np.exp(z)``), which may
be; a call read by arithmetic takes any name that holds its value.
"""

from __future__ import annotations

import gast
import numpy

from .. import anno
from ..frontend.normalize import OP_NAMES
from ..naming import TEMP_PREFIX, Namer, names_in

# pure functions besides the ufuncs: the same arguments give equal results
PURE = frozenset(
    getattr(numpy, name)
    for name in "sum prod mean max min amax amin std var dot matmul".split()
)


def share_common(func: gast.FunctionDef) -> bool:
    """Reuse repeated operations in every block; whether anything changed."""
    namer = None
    changed = False
    for block in anno.blocks(func):
        k = 0
        available = _Available()
        while k < len(block):
            stmt = block[k]
            simple = _is_simple(stmt)
            operations, updated = _scan(stmt, simple)
            hit = next(
                (
                    (key, n)
                    for key, n, shared in operations
                    if shared
                    and key in available.entries
                    and (shared is True or _temporary(available.entries[key][0]))
                ),
                None,
            )
            if hit is not None:
                key, node = hit
                holder, at, first = available.entries[key]
                if holder is None:
                    namer = namer or Namer(names_in(func))
                    holder = namer.temp(_label(first))
                    block.insert(
                        at, anno.copy_location(anno.assign(holder, first), block[at])
                    )
                    _replace(block[at + 1], first, holder)
                    k += 1
                    available.shift(at)
                    available.add(key, holder, at, first)
                _replace(stmt, node, holder)
                changed = True
                continue  # look at the statement again
            available.forget(updated)
            if simple:
                _remember(stmt, k, operations, updated, available)
            k += 1
    return changed


class _Available:
    """The operations computed so far in a block, and which names each depends on."""

    def __init__(self):
        self.entries: dict = {}  # key -> (holder name or None, statement index, node)
        self.by_name: dict[str, set] = {}

    def add(self, key, holder, at, node) -> None:
        self.entries[key] = (holder, at, node)
        for name in _operands(key) | ({holder} if holder else set()):
            self.by_name.setdefault(name, set()).add(key)

    def forget(self, changed: set[str]) -> None:
        for name in changed:
            for key in self.by_name.pop(name, ()):
                self.entries.pop(key, None)

    def shift(self, at: int) -> None:
        self.entries = {
            key: (holder, k + 1 if k >= at else k, node)
            for key, (holder, k, node) in self.entries.items()
        }


def _is_simple(stmt) -> bool:
    return isinstance(stmt, (gast.Assign, gast.AugAssign, gast.Return, gast.Expr))


def _key(node):
    """A structural key for an operation on names and numbers, a pure NumPy
    call or a sum of a name; None otherwise."""
    if isinstance(node, gast.Call):
        return _call_key(node) or _sum_key(node)
    if not isinstance(node, gast.BinOp):
        return None
    parts = [_part(side) for side in (node.left, node.right)]
    return None if None in parts else (type(node.op).__name__, *parts)


def _part(node):
    if isinstance(node, gast.Name):
        return ("name", node.id)
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return ("number", type(node.value).__name__, repr(node.value))
    return None


NUMPY_NAMES = ("np", "numpy")  # what generated code calls NumPy by


def _sum_key(node):
    """``np.sum(b, axis=0)`` (as a variant sums a gradient over broadcast axes): a
    new array of the same numbers wherever it runs, while ``b`` is unchanged."""
    func, options = node.func, []
    if not (
        isinstance(func, gast.Attribute)
        and func.attr == "sum"
        and isinstance(func.value, gast.Name)
        and func.value.id in NUMPY_NAMES
        and len(node.args) == 1
        and isinstance(node.args[0], gast.Name)
    ):
        return None
    for k in node.keywords:
        if not isinstance(k.value, gast.Constant):
            return None
        options.append(("option", k.arg, repr(k.value.value)))
    return ("sum", ("module", func.value.id), ("name", node.args[0].id), *options)


def _label(node) -> str:
    """What a temporary holding ``node`` is named after."""
    if isinstance(node, gast.Call):
        return getattr(node.func, "attr", "call")
    return OP_NAMES.get(type(node.op), "op")


def _call_key(node):
    """The key of a pure NumPy function's call on names and numbers, with literal
    keywords (``np.sum(e, axis=1, keepdims=True)``); None for any other call."""
    callee = anno.get(node, anno.CALLEE)
    pure = isinstance(callee, numpy.ufunc) or any(callee is f for f in PURE)
    if not pure:
        return None
    parts = [_part(a) for a in node.args]
    for kw in node.keywords:
        literal = isinstance(kw.value, gast.Constant) and kw.arg not in (None, "out")
        parts.append(("keyword", kw.arg, repr(kw.value.value)) if literal else None)
    if None in parts:
        return None
    return ("call", ("callee", id(callee)), *parts)


def _scan(stmt, simple: bool):
    """The operations on names and numbers of a simple statement's value, in
    order, each with whether another operation (or ``+=``) consumes its result;
    and the names the statement binds or may update in place.

    Only a consumed result is shared.  ``z = a * b`` after ``y = a * b`` stays as
    it is: ``z = y`` would make them one array, and an update of one in place
    (``y[0] = c``) would change the other."""
    value = getattr(stmt, "value", None) if simple else None
    operations = []
    if value is not None:
        consumed = {id(value)} if isinstance(stmt, gast.AugAssign) else set()
        for node in anno.walk(value):
            if isinstance(node, (gast.BinOp, gast.UnaryOp, gast.Compare)):
                consumed.update(id(child) for child in gast.iter_child_nodes(node))
            key = _key(node)
            if key is not None:
                shared = id(node) in consumed or _held_by_temporary(stmt, node)
                operations.append((key, node, shared))
    return operations, anno.updated_names(stmt)


def _held_by_temporary(stmt, node):
    """``"temporary"`` for ``_t = f(...)``, a call whose result only a temporary
    holds: it may be shared with another temporary (nothing updates either in
    place), never with a user's name; else False."""
    if not (isinstance(stmt, gast.Assign) and stmt.value is node):
        return False
    target = stmt.targets[0]
    held = isinstance(node, gast.Call) and isinstance(target, gast.Name)
    return "temporary" if held and _temporary(target.id) else False


def _temporary(name) -> bool:
    """A temporary's name, or None: one to be made (a temporary too)."""
    return name is None or name.startswith(TEMP_PREFIX)


def _remember(stmt, k, operations, changes, available) -> None:
    target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
    held = isinstance(target, gast.Name) and _key(stmt.value) is not None
    if held and target.id in _operands(_key(stmt.value)):
        held = False  # ``x = x * 2``: x no longer holds what the value reads
    for key, node, consumed in operations:
        if key in available.entries:
            continue
        if held and node is stmt.value:
            available.add(key, target.id, k, node)
        elif consumed and not changes & _operands(key):
            available.add(key, None, k, node)


def _operands(key) -> set[str]:
    return {part[1] for part in key[1:] if part[0] == "name"}


def _replace(stmt, node, holder: str) -> None:
    """Put the name ``holder`` where ``stmt`` has ``node``."""
    for parent in anno.walk(stmt):
        for field, value in gast.iter_fields(parent):
            if value is node:
                setattr(parent, field, anno.name(holder))
                return
            if isinstance(value, list) and any(v is node for v in value):
                setattr(
                    parent,
                    field,
                    [anno.name(holder) if v is node else v for v in value],
                )
                return
