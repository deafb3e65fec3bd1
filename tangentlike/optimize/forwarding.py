"""Forward plain copies, numbers and negations into the statements that read them.

Within one block (the function's body, a loop's body, a branch), a name that is
read only by the next few statements of the same block, while neither it nor
what it copies changes, is replaced by its value:

before:
    def f(bh, bd, b_log, p, b_sub2):
        b_mul2 = bh
        b_sin = b_mul2 * 0.1
        b_mul = -bd
        bx = b_mul * 0.5
        bp = -b_sub2
        bp = bp + b_log / p
        return b_sin, bx, bp
after:
    def f(bh, bd, b_log, p, b_sub2):
        b_sin = bh * 0.1
        bx = bd * -0.5
        bp = b_log / p - b_sub2
        return b_sin, bx, bp

A copy back (``a = b`` and later ``b = a``, neither changed between) goes: ``b``
holds that value already.  A negation moves into the statements that read it when
in every one it cancels
or merges with a constant, an addition or a subtraction; every rewrite is exact
in floating point (negation only flips a sign).
"""

from __future__ import annotations

import gast

from .. import anno
from ..naming import is_stack_name
from .fold import number

SIMPLE = (gast.Assign, gast.AugAssign, gast.Expr, gast.Return)
SIGN_MOVES = (gast.Mult, gast.Div, gast.MatMult)  # -(a op b) == (-a) op b, exactly


def forward_values(func: gast.FunctionDef) -> bool:
    """Forward copies, numbers and negations; whether anything changed."""
    loads = anno.name_counts(func)
    params = {a.id for a in func.args.args}
    changed = False
    for block in anno.blocks(func):
        facts = _Facts(block)
        changed |= _drop_copies_back(facts, loads)
        i = 0
        while i < len(block):
            if _forward(facts, i, loads, params):
                changed = True
            else:
                i += 1
    return changed


class _Facts:
    """Per statement of a block: names it reads (a subscripted target's too),
    names it stores, and whether it holds a break or continue."""

    def __init__(self, block):
        # every read of a statement happens before its store (``t[i] = v`` reads t)
        self.block = block
        self.rows = [_scan(s) for s in block]

    def refresh(self, k):
        self.rows[k] = _scan(self.block[k])

    def delete(self, k):
        del self.block[k]
        del self.rows[k]

    def reads(self, k, name) -> int:
        return self.rows[k][0].get(name, 0)

    def stores(self, k) -> set[str]:
        return self.rows[k][1]

    def jumps(self, start, stop) -> bool:
        return any(row[2] for row in self.rows[start:stop])


def _scan(node):
    """One walk: read counts, stored names, and whether a break or continue is in."""
    reads: dict[str, int] = {}
    stores: set[str] = set()
    jumps = False
    for n in anno.walk(node):
        if isinstance(n, gast.Name):
            if isinstance(n.ctx, gast.Load):
                reads[n.id] = reads.get(n.id, 0) + 1
            elif isinstance(n.ctx, gast.Store):
                stores.add(n.id)
        elif isinstance(n, (gast.Break, gast.Continue)):
            jumps = True
    return reads, stores, jumps


# Each test is one way forwarding could change a value: a parameter or a save stack,
# a read beyond a rebinding or a jump, a copy whose source changes first, an
# augmented target, a negation some reader would not absorb.  It is exact only
# where none holds.
def _forward(facts, i, loads, params) -> bool:
    block = facts.block
    stmt = block[i]
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
        return False
    name, value = stmt.targets[0].id, stmt.value
    negation = isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub)
    atom = value.operand if negation else value
    if name in params or is_stack_name(name) or not _is_atom(atom):
        return False
    last = _live_end(facts, i, name, loads)
    if last is None:
        return False
    readers = [k for k in range(i + 1, last + 1) if facts.reads(k, name)]
    if negation and not all(_reads_in_value(block[k], name) for k in readers):
        return False
    guarded = {name} | ({atom.id} if isinstance(atom, gast.Name) else set())
    if any(guarded & facts.stores(k) for k in range(i + 1, last)):
        return False
    end = block[last]
    if isinstance(end, gast.AugAssign) and name in anno.store_names(end.target):
        return False  # ``a += e`` reads ``a`` as its target
    if not isinstance(end, SIMPLE) and guarded & facts.stores(last):
        return False
    if negation and not _move_negation(block, readers, name, value):
        return False
    if not negation:
        for k in readers:
            anno.substitute(block[k], name, value)
    moved = sum(facts.reads(k, name) for k in readers)
    for k in readers:
        facts.refresh(k)
    loads[name] -= moved
    if isinstance(atom, gast.Name):
        loads[atom.id] += moved - 1
    facts.delete(i)
    return True


def _drop_copies_back(facts, loads) -> bool:
    """``a = b`` ... ``b = a`` with neither changed between: the second copies
    back the value ``b`` holds already, and goes; whether any did."""
    block, changed = facts.block, False
    for i, stmt in enumerate(block):
        pair = _copy(stmt)
        if pair is None or pair[0] == pair[1]:
            continue
        for k in range(i + 1, len(block)):
            if _copy(block[k]) == pair[::-1] and not facts.jumps(i + 1, k):
                loads[pair[0]] -= 1
                facts.delete(k)
                changed = True
                break
            if set(pair) & facts.stores(k):
                break
    return changed


def _copy(stmt):
    """``(a, b)`` of ``a = b``, both names; else None."""
    if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
        if isinstance(stmt.value, gast.Name):
            return stmt.targets[0].id, stmt.value.id
    return None


def _live_end(facts, i, name, loads):
    """The last statement of the block after ``i`` that can read the value ``i``
    gives ``name``: the one that assigns ``name`` again, or the last reader when
    all reads of ``name`` in the function follow ``i`` in this block; None when
    neither holds or a jump could carry the value elsewhere."""
    block = facts.block
    seen = 0
    for k in range(i + 1, len(block)):
        seen += facts.reads(k, name)
        if isinstance(block[k], gast.Assign) and name in facts.stores(k):
            return k if seen and not facts.jumps(i + 1, k) else None
    if not seen or seen != loads.get(name, 0):
        return None
    last = max(k for k in range(i + 1, len(block)) if facts.reads(k, name))
    return None if facts.jumps(i + 1, last) else last


def _move_negation(block, readers, name, value) -> bool:
    """Move ``name = -v`` into the statements that read it where every one of
    them absorbs the sign (has no more negations than before); whether it did."""
    trials = []
    for k in readers:
        trial = anno.clone(block[k])
        anno.substitute(trial, name, value)
        _simplify_signs(trial)
        if _negations(trial) > _negations(block[k]):
            return False
        trials.append(trial)
    for k, trial in zip(readers, trials):
        block[k] = trial
    return True


def _negations(node) -> int:
    return sum(
        1
        for n in anno.walk(node)
        if isinstance(n, gast.UnaryOp) and isinstance(n.op, gast.USub)
    )


def _reads_in_value(stmt, name) -> bool:
    """A negation may move only into the value of an assignment or a return."""
    value = getattr(stmt, "value", None)
    if (
        not isinstance(stmt, (gast.Assign, gast.AugAssign, gast.Return))
        or value is None
    ):
        return False
    return anno.name_counts(value).get(name) == anno.name_counts(stmt).get(name)


def _is_atom(node) -> bool:
    if isinstance(node, gast.Name):
        return not is_stack_name(node.id)
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


def _simplify_signs(stmt) -> None:
    if isinstance(stmt, gast.AugAssign):
        stmt.value = _signs(stmt.value)
        inner = _negated(stmt.value)
        if inner is not None and isinstance(stmt.op, (gast.Add, gast.Sub)):
            stmt.op = gast.Sub() if isinstance(stmt.op, gast.Add) else gast.Add()
            stmt.value = inner
    elif (
        isinstance(stmt, (gast.Assign, gast.Return, gast.Expr))
        and stmt.value is not None
    ):
        stmt.value = _signs(stmt.value)


# One branch per way a sign moves exactly: through * and / (onto a number, or
# cancelling the other operand's sign), and into + and - (which swap).
def _signs(node):
    """``node`` with negations cancelled or moved up through * and /, merged into
    constants, and absorbed by + and -."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        node.operand = _signs(node.operand)
        return _neg(node.operand)
    if not isinstance(node, gast.BinOp):
        return node
    node.left, node.right = _signs(node.left), _signs(node.right)
    left, right = _negated(node.left), _negated(node.right)
    if isinstance(node.op, (gast.Mult, gast.Div)):
        for side, inner, other in (("left", left, "right"), ("right", right, "left")):
            if inner is not None and number(getattr(node, other)) is not None:
                setattr(node, side, inner)
                setattr(node, other, _neg(getattr(node, other)))
                return node
        if left is not None or right is not None:
            node.left = node.left if left is None else left
            node.right = node.right if right is None else right
            return node if (left is None) == (right is None) else _neg(node)
        return node
    if isinstance(node.op, gast.Add):
        if right is not None:
            return gast.BinOp(left=node.left, op=gast.Sub(), right=right)
        if left is not None:
            return gast.BinOp(left=node.right, op=gast.Sub(), right=left)
    if isinstance(node.op, gast.Sub):
        if right is not None:
            return gast.BinOp(left=node.left, op=gast.Add(), right=right)
        if left is not None:
            return _neg(gast.BinOp(left=left, op=gast.Add(), right=node.right))
    return node


def _neg(node):
    """``-node``, cancelling a negation or folding a number."""
    inner = _negated(node)
    if inner is not None:
        return inner
    value = number(node)
    if value is not None:
        return gast.Constant(value=-value, kind=None)
    return gast.UnaryOp(op=gast.USub(), operand=node)


def _negated(node):
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return node.operand
    return None
