"""Fold single-use temporaries back into the expression that reads them, for
variants whose arguments are Python floats.

One operation per statement is what the general code shows, and what the other
passes work on.  For Python floats CPython pays for every name a value passes
through, and a scalar loop spends a tenth or more of its time there, so a float
variant gives each temporary used once to its reader:

given: keep={"x", "h", "i"}
before:
    def f(x, bh=1.0):
        h = x
        _h_saved = [None] * 100
        for i in range(100):
            _mul = 0.5 * h
            _sin = math.sin(h)
            _h_saved[i] = h
            _mul2 = _sin * 0.1
            h = _mul + _mul2
        value = h
        for h in reversed(_h_saved):
            b_mul = bh
            b_sin = bh * 0.1
            bh = b_sin * math.cos(h)
            bh = bh + b_mul * 0.5
        return value, bh
after:
    def f(x, bh=1.0):
        h = x
        _h_saved = [None] * 100
        for i in range(100):
            _h_saved[i] = h
            h = 0.5 * h + math.sin(h) * 0.1
        value = h
        for h in reversed(_h_saved):
            bh = bh * 0.1 * math.cos(h) + bh * 0.5
        return value, bh

The operations, their operands and their order are unchanged (the reader's
expression evaluates the moved one where it read the name), so every value is
the same to the bit.  Only temporaries and adjoints move, and the reverse
sweep's restores of the user's names (``h = _h_saved[i]``) where the restored
value is read once, right after; the user's own statements keep their names.
"""

from __future__ import annotations

import gast

from .. import anno
from ..analysis.liveness import Liveness
from ..analysis.shape_classes import module_aliases
from ..naming import ADJOINT_PREFIX, TEMP_PREFIX, is_stack_name

READERS = (gast.Assign, gast.AugAssign, gast.Return)


def fuse_temporaries(func: gast.FunctionDef, keep=frozenset(), modules=None) -> bool:
    """Fold every temporary read once into its reader; whether any moved.
    ``modules``: the names of the numpy and math modules (found from the calls)."""
    modules = set(module_aliases(func) if modules is None else modules)
    params = {a.id for a in func.args.args}
    changed = False
    moved = True
    while moved:
        moved = False
        loads = anno.name_counts(func)
        stores = anno.name_counts(func, load=False)
        liveness = Liveness()
        liveness.block(func.body, set())
        for block in anno.blocks(func):
            i = 0
            while i < len(block):
                if _merge(block, i, keep, modules) or _fold_restore(
                    block, i, liveness, modules
                ):
                    moved = changed = True
                    break  # counts changed: start again
                if _fuse(block, i, loads, stores, keep | params, modules):
                    moved = changed = True
                else:
                    i += 1
            if moved:
                break
    return changed


def _fold_restore(block, i, liveness, modules) -> bool:
    """``h = _h_saved[_i]``, a value the reverse sweep restores, read once by a
    statement that follows and not after it: read ``_h_saved[_i]`` there."""
    stmt = block[i]
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
        return False
    name, value = stmt.targets[0].id, stmt.value
    if not (_pure(value, modules) and isinstance(value, gast.Subscript)):
        return False
    if not value.value.id.startswith(TEMP_PREFIX):  # a list of saved values
        return False
    reader = _reader(block, i, name)
    if reader is None or name in liveness.after.get(id(block[reader]), {name}):
        return False
    if anno.name_counts(block[reader].value).get(name) != 1:
        return False
    return _fold(block, i, reader, name, value, modules)


def _merge(block, i, keep, modules) -> bool:
    """``v = a`` (or ``v += a``) then ``v += b`` (or ``v = v + b``), ``b`` not
    reading ``v``, becomes ``v = a + b`` (``v = v + a + b``): the same additions
    in the same order."""
    if i + 1 >= len(block):
        return False
    first, second = _sum_of(block[i], modules), _sum_of(block[i + 1], modules)
    if first is None or second is None:
        return False
    (name, accumulates, value), (other, adds, added) = first, second
    if other != name or not adds or not _movable(name, keep):
        return False
    if name in anno.load_names(added):
        return False
    if accumulates:
        value = gast.BinOp(left=anno.name(name), op=gast.Add(), right=value)
    total = gast.BinOp(left=value, op=gast.Add(), right=added)
    block[i] = anno.copy_location(anno.assign(name, total), block[i])
    del block[i + 1]
    return True


def _sum_of(stmt, modules):
    """``(v, True, b)`` for ``v += b`` or ``v = v + b``, ``(v, False, a)`` for
    ``v = a``, where the operands are pure; None otherwise."""
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, gast.Add):
        if isinstance(stmt.target, gast.Name) and _pure(stmt.value, modules):
            return stmt.target.id, True, stmt.value
        return None
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
        return None
    name, value = stmt.targets[0].id, stmt.value
    if not _pure(value, modules):
        return None
    if (
        isinstance(value, gast.BinOp)
        and isinstance(value.op, gast.Add)
        and isinstance(value.left, gast.Name)
        and value.left.id == name
    ):
        return name, True, value.right
    return name, False, value


def _fuse(block, i, loads, stores, keep, modules) -> bool:
    stmt = block[i]
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
        return False
    name, value = stmt.targets[0].id, stmt.value
    if not _movable(name, keep) or loads.get(name) != 1 or stores.get(name) != 1:
        return False
    if not _pure(value, modules):
        return False
    reader = _reader(block, i, name)
    if reader is None:
        return False
    if not _fold(block, i, reader, name, value, modules):
        return False
    loads[name] = 0
    return True


def _fold(block, i, reader, name, value, modules) -> bool:
    """Put ``value`` where statement ``reader`` reads ``name`` and drop statement
    ``i``, unless something between could change what ``value`` reads."""
    operands = anno.load_names(value) - modules
    for between in block[i + 1 : reader]:
        if anno.updated_names(between) & (operands | {name}) or anno.jumps(between):
            return False
        if not _calls_pure(between, modules):
            return False
    target = block[reader]
    if not _calls_pure(target.value, modules) and _has_subscript(value):
        return False  # a call of the reader's could change what the subscript reads
    target.value = anno.substitute(target.value, name, value)
    del block[i]
    return True


def _movable(name: str, keep) -> bool:
    return (
        name.startswith((TEMP_PREFIX, ADJOINT_PREFIX))
        and name not in keep
        and not is_stack_name(name)
    )


def _pure(node, modules) -> bool:
    """Arithmetic on names, numbers, subscripts of names and module functions."""
    if isinstance(node, (gast.Name, gast.Constant)):
        return True
    if isinstance(node, gast.BinOp):
        return _pure(node.left, modules) and _pure(node.right, modules)
    if isinstance(node, gast.UnaryOp):
        return _pure(node.operand, modules)
    if isinstance(node, gast.Subscript):
        return isinstance(node.value, gast.Name) and isinstance(
            node.slice, (gast.Name, gast.Constant)
        )
    if isinstance(node, gast.Call):
        return _module_call(node, modules) and all(_pure(a, modules) for a in node.args)
    return False


def _module_call(node, modules) -> bool:
    func = node.func
    return (
        isinstance(func, gast.Attribute)
        and isinstance(func.value, gast.Name)
        and func.value.id in modules
        and not node.keywords
    )


def _calls_pure(node, modules) -> bool:
    return all(
        _module_call(n, modules) for n in anno.walk(node) if isinstance(n, gast.Call)
    )


def _has_subscript(node) -> bool:
    return any(isinstance(n, gast.Subscript) for n in anno.walk(node))


def _reader(block, i, name):
    """The index of the statement after ``i`` in ``block`` whose value reads
    ``name`` (its one read), or None when the read is elsewhere."""
    for k in range(i + 1, len(block)):
        stmt = block[k]
        if name in anno.load_names(stmt):
            if isinstance(stmt, READERS) and stmt.value is not None:
                return k if name in anno.load_names(stmt.value) else None
            return None
    return None
