"""The saves of a generated function: its pushes onto the save stack paired with their
pops.
"""

from __future__ import annotations

import gast

from .. import anno
from ..analysis.activity import is_stack_call
from ..naming import is_stack_name


def saved_values(func: gast.FunctionDef) -> dict[str, list]:
    """Popped name -> the expressions pushed for it, where every push pairs with
    its pop as ``remove_unread_saves`` pairs them; names popped anywhere else are
    left out."""
    found: dict[str, list] = {}
    paired = set()
    for _, pushes, _, pops in paired_loops(func):
        for push, pop in zip(reversed(pushes), pops):
            found.setdefault(pop[3], []).append(push[2].value.args[0])
            paired.add(id(pop[2]))
    for node in anno.walk(func):
        op = _stack_op(node) if isinstance(node, gast.stmt) else None
        if op is not None and op[0] == "pop" and id(node) not in paired:
            found.pop(op[3], None)
    return found


def paired_loops(func):
    """(forward loop, pushes, backward loop, pops) for each pair of loops: the
    k-th loop that pushes with the k-th from last that pops, when they match."""
    loops = [(s, _loop_ops(s)) for s in func.body]
    if any(ops is None for _, ops in loops):
        return []  # a loop mixes pushes and pops, or nests them: leave it all
    pushing = [(s, ops) for s, ops in loops if ops and ops[0][0] == "push"]
    popping = [(s, ops) for s, ops in loops if ops and ops[0][0] == "pop"]
    if not pushing or len(pushing) != len(popping):
        return []
    return [
        (forward, pushes, backward, pops)
        for (forward, pushes), (backward, pops) in zip(pushing, reversed(popping))
        if len(pushes) == len(pops)
        and {op[1] for op in pushes + pops} == {pushes[0][1]}
    ]


def _loop_ops(stmt):
    """The stack operations at the top of a loop's body, as (kind, stack, statement,
    popped name) with kind "push" or "pop": [] for a loop without any, None for
    one that mixes kinds or has one inside a nested block."""
    if not isinstance(stmt, (gast.For, gast.While)):
        if is_stack_init(stmt) or not any(touches_stack(n) for n in anno.walk(stmt)):
            return []
        return None
    ops = []
    for inner in stmt.body:
        op = _stack_op(inner)
        if op is not None:
            ops.append(op)
        elif any(touches_stack(n) for n in anno.walk(inner)):
            return None
    return ops if len({op[0] for op in ops}) <= 1 else None


def is_stack_init(stmt) -> bool:
    """``_stack = []``."""
    return (
        isinstance(stmt, gast.Assign)
        and isinstance(stmt.targets[0], gast.Name)
        and is_stack_name(stmt.targets[0].id)
        and isinstance(stmt.value, gast.List)
        and not stmt.value.elts
    )


def touches_stack(node) -> bool:
    return isinstance(node, gast.Name) and is_stack_name(node.id)


def _stack_op(stmt):
    """``_stack.append(x)`` or ``x = _stack.pop()`` as (kind, stack, stmt, name)."""
    if isinstance(stmt, gast.Expr) and is_stack_call(stmt.value, "append"):
        return ("push", stmt.value.func.value.id, stmt, None)
    if (
        isinstance(stmt, gast.Assign)
        and isinstance(stmt.targets[0], gast.Name)
        and is_stack_call(stmt.value, "pop")
    ):
        return ("pop", stmt.value.func.value.id, stmt, stmt.targets[0].id)
    return None
