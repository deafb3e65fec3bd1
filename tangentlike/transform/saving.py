"""Saving the primal values the reverse sweep reads before they are overwritten.

Straight-line code copies a value to a fresh name; inside loops the value is
pushed on ``_stack`` after the statement and popped before its adjoint.
"""

from __future__ import annotations

import copy

import gast
import numpy

from .. import anno
from ..naming import BSTACK_NAME, STACK_NAME

STACKED = "<stack>"
PRODUCTS = ("matmul", "dot", "tensordot", "einsum", "inner", "outer", "kron")


class SavingMixin:
    """``ReverseAD.save``: what to copy or push, and the pops that restore it."""

    def save(self, stmt, fwd, rev, header=None):
        """Save the primal values ``rev`` reads that may be overwritten meanwhile.

        For a compound statement, ``header`` is the field of its reversed form
        (``test`` or ``iter``, the last of ``rev``) whose reads are this
        statement's own, with those of the statements before it (the zeros a
        loop's carried adjoints start from).  A value a
        later statement of the same block saves (with no rebinding in between)
        is not saved twice: its restore or its copy serves this statement too.
        """
        source = [getattr(rev[-1], header)] + rev[:-1] if header else rev
        reads = sorted(n for n in _loads(source) if n in self.fn.primal_names)
        needed = [n for n in reads if self.sites.overwritten_after(n, stmt)]
        if not needed:
            return fwd, rev
        if self.sites.in_loop(stmt):
            return self._push(needed, fwd, rev)
        later = self._saved_later[-1] if self._saved_later else {}
        renames = {}
        for n in needed:
            renames[n] = later.get(n) or self.namer.temp(n)
        copies = [
            anno.assign(new, anno.name(old))
            for old, new in renames.items()
            if later.get(old) != new
        ]
        later.update(renames)
        if header:
            setattr(rev[-1], header, _rename(getattr(rev[-1], header), renames))
            return fwd + copies, [_rename(s, renames) for s in rev[:-1]] + rev[-1:]
        return fwd + copies, [_rename(s, renames) for s in rev]

    def _push(self, needed, fwd, rev):
        """Inside loops: push after the statement, pop before its adjoint.  An array
        read only for its shape (``unbroadcast(g, x)``) is saved as that shape, so
        the reverse sweep does not keep every intermediate alive."""
        later = self._saved_later[-1] if self._saved_later else {}
        needed = [n for n in needed if later.get(n) != STACKED]
        shapes = {
            n: self.namer.temp(n + "_shape")
            for n in needed
            if n in self.arrays and _shape_only(n, rev)
        }
        if shapes:
            self.fn.helpers["sum_to"] = _runtime("sum_to")
            rev = [_to_sum_to(s, shapes) for s in rev]
        values = [n for n in needed if n not in shapes]
        self.uses_stack = self.uses_stack or bool(needed)
        self.restored.update(values)
        later.update({n: STACKED for n in values})
        stack = self.stack_name(STACK_NAME)
        push = [
            _stack_call(stack, "append", [self._saved_form(n, shapes)]) for n in needed
        ]
        pop = [anno.assign(shapes.get(n, n), _pop(stack)) for n in reversed(needed)]
        return fwd + push, pop + rev

    def stack_name(self, base: str) -> str:
        """This function's own stack (``_stack``, or ``_stack2`` when differentiating
        code that already has a ``_stack``); ``_bstack`` holds adjoints."""
        if base == BSTACK_NAME:
            self.uses_bstack = True
        return self.stacks[base]

    # the save pattern of generated code, differentiated (grad of grad) ---------
    # Every pop pushes an adjoint and every push pops one, active or not: the code
    # that saved a value may differentiate it where the code reading it back only
    # takes its shape (``unbroadcast(g, total)``), and the stacks must stay aligned.
    def stack_pop(self, stmt):
        """``x = _stack.pop()``: its adjoint pushes ``bx`` on the adjoint stack."""
        x = stmt.targets[0].id
        if x in self.active and self.adj.has(x):
            bx = anno.name(self.adj.name(x))
        else:
            self.fn.helpers["zero_grad"] = _runtime("zero_grad")
            bx = anno.call(anno.name("zero_grad"), [anno.name(x)])
        self.adj.kill(x)
        return [stmt], [_stack_call(self.stack_name(BSTACK_NAME), "append", [bx])]

    def stack_append(self, stmt):
        """``_stack.append(x)``: its adjoint is ``bx = bx + _bstack.pop()``."""
        x = stmt.value.args[0]
        popped = _pop(self.stack_name(BSTACK_NAME))
        if not (isinstance(x, gast.Name) and x.id in self.active):
            return [stmt], [gast.Expr(value=popped)]
        return [stmt], self.adj.contribute(x.id, popped)

    def _saved_form(self, name, shapes):
        if name in shapes:
            return anno.call(anno.dotted(f"{self.np}.shape"), [anno.name(name)])
        return anno.name(name)


def _array_names(body) -> set[str]:
    """Names that surely hold arrays: every assignment is a matrix product, or
    arithmetic (or an elementwise NumPy call) with such an array among its operands."""
    assigned: dict[str, list] = {}
    for node in anno.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Assign):
            for name in anno.store_names(node.targets[0]):
                assigned.setdefault(name, []).append(node.value)
    arrays: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, values in assigned.items():
            if name not in arrays and all(_is_array(v, arrays) for v in values):
                arrays.add(name)
                changed = True
    return arrays


def _is_array(value, arrays) -> bool:
    if isinstance(value, gast.BinOp) and isinstance(value.op, gast.MatMult):
        return True
    operands = []
    if isinstance(value, gast.BinOp):
        operands = [value.left, value.right]
    elif isinstance(value, gast.UnaryOp):
        operands = [value.operand]
    elif isinstance(value, gast.Call):
        callee = anno.get(value, anno.CALLEE)
        if getattr(callee, "__name__", "") in PRODUCTS:
            return True
        if isinstance(callee, numpy.ufunc):
            operands = list(value.args)
    return any(isinstance(o, gast.Name) and o.id in arrays for o in operands)


def _shape_only(name, stmts) -> bool:
    """Whether ``stmts`` read ``name`` only as the shape argument of ``unbroadcast``."""
    shape_uses, all_uses = 0, 0
    for stmt in stmts:
        for node in anno.walk(stmt):
            if (
                isinstance(node, gast.Name)
                and node.id == name
                and isinstance(node.ctx, gast.Load)
            ):
                all_uses += 1
            if _is_unbroadcast_of(node, name):
                shape_uses += 1
    return all_uses > 0 and shape_uses == all_uses


def _is_unbroadcast_of(node, name) -> bool:
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Name)
        and node.func.id == "unbroadcast"
        and len(node.args) == 2
        and isinstance(node.args[1], gast.Name)
        and node.args[1].id == name
    )


def _to_sum_to(stmt, shapes):
    """``unbroadcast(g, x)`` -> ``sum_to(g, _x_shape)`` for the names in ``shapes``."""
    stmt = copy.deepcopy(stmt)
    for node in anno.walk(stmt):
        for name, shape in shapes.items():
            if _is_unbroadcast_of(node, name):
                node.func.id = "sum_to"
                node.args[1] = anno.name(shape)
    return stmt


def _stack_call(stack, method, args):
    return gast.Expr(value=anno.call(anno.attr(anno.name(stack), method), args))


def _pop(stack):
    return anno.call(anno.attr(anno.name(stack), "pop"))


def _rename(stmt, renames):
    if isinstance(stmt, list):  # a ``with``'s items
        return [_rename(s, renames) for s in stmt]
    stmt = copy.deepcopy(stmt)
    for node in anno.walk(stmt):
        if (
            isinstance(node, gast.Name)
            and isinstance(node.ctx, gast.Load)
            and node.id in renames
        ):
            node.id = renames[node.id]
    return stmt


def _loads(stmts) -> set[str]:
    names = set()
    for s in stmts:
        names |= _loads(s) if isinstance(s, list) else anno.load_names(s)
    return names


def _runtime(name):
    from .. import runtime

    return getattr(runtime, name)
