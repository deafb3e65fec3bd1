"""Cancel a negation against a negation or a negative number in the product that
defines its operand.

before:
    def f(bp, p, _add, _exp):
        b_add = -bp * p / _add
        b_neg = b_add * _exp
        bz = -b_neg
        return bz
after:
    def f(bp, p, _add, _exp):
        _neg_b_add = bp * p / _add
        _neg_b_neg = _neg_b_add * _exp
        bz = _neg_b_neg
        return bz

An adjoint that now holds its negation is renamed after what it holds
(``_neg_b_add``: minus the adjoint of ``_add``), so that its name tells the truth.
"""

from __future__ import annotations

import gast

from .. import anno
from ..naming import ADJOINT_PREFIX, TEMP_PREFIX, Namer, names_in
from .fold import number
from .forwarding import SIGN_MOVES, SIMPLE


def cancel_negations(func: gast.FunctionDef, keep=frozenset()) -> bool:
    """Cancel ``-u`` against a negation or a negative number in the product that
    defines ``u``, or in the product defining a name that product reads (the
    module's example: ``bz = -b_neg`` against ``-bp`` two products up).
    Only through ``*``, ``/`` and ``@``, where a sign moves exactly (signed zeros
    too), and only into temporaries and adjoints read and assigned once, defined
    earlier in the same block; whether anything changed."""
    loads: dict[str, int] = {}
    stores: dict[str, int] = {}
    negated = set()
    for node in anno.walk(func):
        if isinstance(node, gast.Name):
            counts = loads if isinstance(node.ctx, gast.Load) else stores
            counts[node.id] = counts.get(node.id, 0) + 1
        elif _negation_of_name(node):
            negated.add(node.operand.id)
    once = {
        name
        for name, count in loads.items()
        if count == 1
        and stores.get(name) == 1
        and name not in keep
        and name.startswith((TEMP_PREFIX, ADJOINT_PREFIX))
    }
    if not negated & once:
        return False
    canceller = _Canceller(func, once)
    for block in anno.blocks(func):
        for k, stmt in enumerate(block):
            if isinstance(stmt, SIMPLE) and any(
                map(_negation_of_name, anno.walk(stmt))
            ):
                canceller.where = (block, k)
                canceller.visit(stmt)
    return canceller.changed


def _negation_of_name(node) -> bool:
    return (
        isinstance(node, gast.UnaryOp)
        and isinstance(node.op, gast.USub)
        and isinstance(node.operand, gast.Name)
    )


class _Canceller(gast.NodeTransformer):
    def __init__(self, func, once: set[str]):
        """``once``: the temporaries and adjoints read once and assigned once."""
        self.defs = {}
        for block in anno.blocks(func):
            for k, stmt in enumerate(block):
                if isinstance(stmt, gast.Assign) and isinstance(
                    stmt.targets[0], gast.Name
                ):
                    if stmt.targets[0].id in once:
                        self.defs[stmt.targets[0].id] = (block, k)
        self.func = func
        self.namer = Namer(names_in(func))
        self.where = None
        self.changed = False

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Name):
            if self._negate_name(node.operand.id, self.where):
                self.changed = True
                return node.operand
        return node

    def _negate_name(self, name, reader) -> bool:
        """Make ``name`` hold its negation, where the statement ``reader`` is its
        one reader; whether that could be done without a new negation."""
        where = self.defs.get(name)
        if where is None or where[0] is not reader[0] or where[1] >= reader[1]:
            return False
        stmt = where[0][where[1]]
        value = self._negate(stmt.value, where)
        if value is None:
            return False
        stmt.value = value
        del self.defs[name]  # its one reader now expects the new value
        if name.startswith(ADJOINT_PREFIX):  # it holds minus the adjoint now
            new = self.namer.temp(f"neg_{name}")
            for node in anno.walk(self.func):
                if isinstance(node, gast.Name) and node.id == name:
                    node.id = new
        return True

    def _negate(self, node, where):
        """``-node`` without a new negation, or None."""
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
            return node.operand
        value = number(node)
        if value is not None:
            return gast.Constant(value=-value, kind=None)
        if isinstance(node, gast.Name):
            return node if self._negate_name(node.id, where) else None
        if isinstance(node, gast.BinOp) and isinstance(node.op, SIGN_MOVES):
            for side in ("left", "right"):
                negated = self._negate(getattr(node, side), where)
                if negated is not None:
                    setattr(node, side, negated)
                    return node
        return None
