"""The gradient through a copy whose slice is overwritten by its own slice's update.

``u_new = u.copy(); u_new[1:-1] = u[1:-1] + k * lap`` (a stencil's step) gives
``u`` its gradient twice: through the copy, ``bu`` with the overwritten slice
zeroed, and through the slice read on the right, the slice of ``bu``.  A variant
writes that as five statements and three new arrays a step:

given: shapes={"bu": (6,)}
before:
    def f(bu, kappa):
        b_add = np.copy(bu[1:-1])
        bu_new = bu + np.zeros((6,))
        bu_new[1:-1] = 0.0
        blap = b_add * kappa
        bu = np.zeros((6,))
        bu[1:-1] += b_add
        bu += bu_new
        return bu, blap
after:
    def f(bu, kappa):
        b_add = np.copy(bu[1:-1])
        bu_new = bu + np.zeros((6,))
        blap = b_add * kappa
        bu = bu_new
        return bu, blap

The two parts add up to ``bu + 0.0`` itself, bit for bit: inside the slice
``(0.0 + b) + 0.0``, outside it ``0.0 + (b + 0.0)``, each ``b + 0.0`` (which
turns ``-0.0`` into ``0.0``, as both do), in the dtype the zeros give.  So the
new gradient is ``bu_new`` before its slice is zeroed.  It holds where the
slice is basic (no index array names a place twice), the copy of the slice
(``b_add``) is not changed before it is added back, ``bu_new`` is read nowhere
else, and both zeros have one literal shape, the gradient's own.
"""

from __future__ import annotations

import gast

from .. import anno
from ..analysis.shapes import ConcreteShapes


def merge_copied_slices(func: gast.FunctionDef, shapes: dict) -> bool:
    """Write each copy's gradient with its overwritten slice added back as the
    gradient before the slice was zeroed; whether any was."""
    known = ConcreteShapes(func, shapes)
    loads = anno.name_counts(func)
    changed = False
    for block in anno.blocks(func):
        k = 0
        while k < len(block):
            changed |= _merge_at(block, k, known, loads)
            k += 1
    return changed


def _merge_at(block, k: int, known, loads) -> bool:
    """The rewrite where ``block[k]`` is ``bu = np.zeros(S)``, after the statements
    it needs and before ``bu[i] += b_add`` and ``bu += bu_new``."""
    if k + 2 >= len(block):
        return False
    zeros, added, rest = block[k : k + 3]
    g, shape = _zeros_into(zeros)
    piece = _slice_add(added, g)
    other = _add_whole(rest, g)
    if g is None or piece is None or other is None:
        return False
    index, copied = piece
    found = _before(block, k, g, other, copied, index, shape)
    if found is None or loads.get(other, 0) != 2 or known.of(anno.name(g)) != shape:
        return False
    del block[k : k + 2]
    block[k] = anno.assign(g, anno.name(other))
    del block[found]
    return True


def _before(block, k, g, other, copied, index, shape):
    """The index of ``other[index] = 0.0`` in ``block``, where before it come
    ``copied = np.copy(g[index])`` and ``other = g + np.zeros(shape)``, and
    nothing between the copy and ``block[k]`` binds, updates or passes on ``g``,
    ``other`` or ``copied``; else None."""
    for j in range(k - 1, 0, -1):
        if _zeroed(block[j], other, index):
            made = _made_as(block[j - 1], other, g, shape)
            copy = _copy_of(block, j - 1, copied, g, index)
            if made and copy is not None and _untouched(block, copy, j, k, g):
                return j if _copied_kept(block, copy, j, k, copied, other) else None
            return None
    return None


def _zeros_into(stmt):
    """``(g, S)`` of ``g = np.zeros(S)``, a literal shape."""
    if not (_assigns_name(stmt) and _is_np_call(stmt.value, "zeros")):
        return None, None
    shape = _literal_shape(stmt.value)
    return (stmt.targets[0].id, shape) if shape is not None else (None, None)


def _slice_add(stmt, g):
    """``(index, a)`` of ``g[index] += a``, a basic index and a name."""
    if not (isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, gast.Add)):
        return None
    target = stmt.target
    if not (_is_item_of(target, g) and _basic(target.slice)):
        return None
    value = stmt.value
    return (target.slice, value.id) if isinstance(value, gast.Name) else None


def _add_whole(stmt, g):
    """``b`` of ``g += b``."""
    if not (isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, gast.Add)):
        return None
    target, value = stmt.target, stmt.value
    if (
        isinstance(target, gast.Name)
        and target.id == g
        and isinstance(value, gast.Name)
    ):
        return value.id if value.id != g else None
    return None


def _zeroed(stmt, other, index) -> bool:
    """``other[index] = 0.0``."""
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and _is_item_of(stmt.targets[0], other)
        and gast.dump(stmt.targets[0].slice) == gast.dump(index)
        and isinstance(stmt.value, gast.Constant)
        and type(stmt.value.value) is float
        and stmt.value.value == 0.0
    )


def _made_as(stmt, other, g, shape) -> bool:
    """``other = g + np.zeros(shape)``."""
    if not (_assigns_name(stmt) and stmt.targets[0].id == other):
        return False
    value = stmt.value
    return (
        isinstance(value, gast.BinOp)
        and isinstance(value.op, gast.Add)
        and isinstance(value.left, gast.Name)
        and value.left.id == g
        and _is_np_call(value.right, "zeros")
        and _literal_shape(value.right) == shape
    )


def _copy_of(block, end, copied, g, index):
    """The index before ``end`` of ``copied = np.copy(g[index])``."""
    for j in range(end - 1, -1, -1):
        stmt = block[j]
        if _assigns_name(stmt) and stmt.targets[0].id == copied:
            value = stmt.value
            if _is_np_call(value, "copy") and len(value.args) == 1:
                item = value.args[0]
                if _is_item_of(item, g) and gast.dump(item.slice) == gast.dump(index):
                    return j
            return None
    return None


def _untouched(block, start, zeroed, k, g) -> bool:
    """Nothing from the copy to ``block[k]`` but the copy, the sum and the zeroing
    binds or updates ``g``."""
    for j in range(start + 1, k):
        if j not in (zeroed - 1, zeroed) and g in anno.updated_names(block[j]):
            return False
    return True


def _copied_kept(block, start, zeroed, k, copied, other) -> bool:
    """Neither ``copied`` nor ``other`` is bound, updated or handed to a helper
    (which may write into it) between the copy and ``block[k]``, but by the sum
    and the zeroing."""
    names = {copied, other}
    for j in range(start + 1, k):
        if j in (zeroed - 1, zeroed):
            continue
        stmt = block[j]
        if names & anno.updated_names(stmt):
            return False
        for node in anno.walk(stmt):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
                if names & {a.id for a in node.args if isinstance(a, gast.Name)}:
                    return False
    return True


def _assigns_name(stmt) -> bool:
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
    )


def _is_np_call(node, attr: str) -> bool:
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Attribute)
        and node.func.attr == attr
        and isinstance(node.func.value, gast.Name)
        and not node.keywords
    )


def _literal_shape(call):
    """The literal tuple of ints of ``np.zeros((a, b))``."""
    if len(call.args) != 1 or not isinstance(call.args[0], gast.Tuple):
        return None
    dims = [
        e.value if isinstance(e, gast.Constant) else None for e in call.args[0].elts
    ]
    return tuple(dims) if all(type(n) is int for n in dims) else None


def _is_item_of(node, name: str) -> bool:
    return (
        isinstance(node, gast.Subscript)
        and isinstance(node.value, gast.Name)
        and node.value.id == name
    )


def _basic(index) -> bool:
    """Slices of literal bounds and literal ints: each place named once."""
    items = index.elts if isinstance(index, gast.Tuple) else [index]
    for item in items:
        if isinstance(item, gast.Slice):
            bounds = [b for b in (item.lower, item.upper, item.step) if b is not None]
            if not all(_literal_int(b) for b in bounds):
                return False
        elif not _literal_int(item):
            return False
    return True


def _literal_int(node) -> bool:
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        node = node.operand
    return isinstance(node, gast.Constant) and type(node.value) is int
