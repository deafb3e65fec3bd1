"""Drop saves whose restored value nothing reads.

The reverse transform saves a value when its adjoint reads it; later passes can
remove that read (``unbroadcast(g, x)`` of a proven shape).  Then the pop
restores a value no one looks at, and the push in the forward loop is waste:

    for i in range(n):                  for i in range(n):
        _mul = 0.5 * h                      _mul = 0.5 * h
        _stack.append(_mul)     ->          ...
    ...                                 ...
    for i in reversed(range(n)):        for i in reversed(range(n)):
        _mul = _stack.pop()                 ...
        b_mul = bh                          b_mul = bh

Only loops at the top level of the function whose bodies push (or pop) at their
own top level are paired: the k-th loop that pushes with the k-th from last that
pops, the j-th pop with the j-th from last push.
"""

from __future__ import annotations

import gast

from . import anno
from .analyze import is_stack_call
from .naming import Namer, is_stack_name, names_in


def remove_unread_saves(func: gast.FunctionDef) -> bool:
    """Remove push/pop pairs whose popped value is never read; whether any was."""
    changed = False
    for forward, pushes, backward, pops in _paired_loops(func):
        changed |= _prune_pair(func, forward, pushes, backward, pops)
    return changed


def saved_values(func: gast.FunctionDef) -> dict[str, list]:
    """Popped name -> the expressions pushed for it, where every push pairs with
    its pop as ``remove_unread_saves`` pairs them; names popped anywhere else are
    left out."""
    found: dict[str, list] = {}
    paired = set()
    for _, pushes, _, pops in _paired_loops(func):
        for push, pop in zip(reversed(pushes), pops):
            found.setdefault(pop[3], []).append(push[2].value.args[0])
            paired.add(id(pop[2]))
    for node in anno.walk(func):
        op = _stack_op(node) if isinstance(node, gast.stmt) else None
        if op is not None and op[0] == "pop" and id(node) not in paired:
            found.pop(op[3], None)
    return found


def _paired_loops(func):
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
        if len(pushes) == len(pops) and {op[1] for op in pushes + pops} == {pushes[0][1]}
    ]


def _prune_pair(func, forward, pushes, backward, pops) -> bool:
    after = func.body[func.body.index(backward) + 1 :]
    read_later = set().union(*(anno.load_names(s) for s in after)) if after else set()
    dead = []
    for push, pop in zip(reversed(pushes), pops):
        name = pop[3]
        if name not in read_later and _dead_after(backward.body, pop[2], name):
            dead.append((push[2], pop[2]))
    for push, pop in dead:
        forward.body.remove(push)
        backward.body.remove(pop)
    forward.body = forward.body or [gast.Pass()]
    backward.body = backward.body or [gast.Pass()]
    return bool(dead)


def _dead_after(body, pop, name) -> bool:
    """Whether the value ``pop`` gives ``name`` is overwritten before anything reads
    it, going round the loop body (the next iteration starts from its top)."""
    j = body.index(pop)
    for stmt in body[j + 1 :] + body[:j]:
        if name in anno.load_names(stmt):
            return False
        if isinstance(stmt, gast.Assign) and name in anno.store_names(stmt.targets[0]):
            return True
    return True


def _loop_ops(stmt):
    """The stack operations at the top of a loop's body, as (kind, stack, statement,
    popped name) with kind "push" or "pop": [] for a loop without any, None for
    one that mixes kinds or has one inside a nested block."""
    if not isinstance(stmt, (gast.For, gast.While)):
        if _is_stack_init(stmt) or not any(_touches_stack(n) for n in anno.walk(stmt)):
            return []
        return None
    ops = []
    for inner in stmt.body:
        op = _stack_op(inner)
        if op is not None:
            ops.append(op)
        elif any(_touches_stack(n) for n in anno.walk(inner)):
            return None
    return ops if len({op[0] for op in ops}) <= 1 else None


def _is_stack_init(stmt) -> bool:
    """``_stack = []``."""
    return (
        isinstance(stmt, gast.Assign)
        and isinstance(stmt.targets[0], gast.Name)
        and is_stack_name(stmt.targets[0].id)
        and isinstance(stmt.value, gast.List)
        and not stmt.value.elts
    )


def _touches_stack(node) -> bool:
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


def index_saves(func: gast.FunctionDef) -> bool:
    """In a pair of ``for i in range(n)`` loops, save into a list made before the
    loop and indexed by the counter, instead of pushing and popping:

        _stack.append(h)     ->   _h_saved[_i] = h       (_h_saved = [None] * 100)
        h = _stack.pop()     ->   h = _h_saved[_i]

    For variants only: the general code keeps its stack, which higher-order
    transforms read.  Whether anything changed."""
    namer = Namer(names_in(func))
    changed = False
    for forward, pushes, backward, pops in _paired_loops(func):
        counters = _counters(func, forward, backward)
        if counters is None:
            continue
        size = forward.iter.args[0]
        for push, pop in zip(reversed(pushes), pops):
            saved = namer.fresh(f"_{pop[3].lstrip('_')}_saved")
            make = gast.BinOp(left=gast.List(elts=[gast.Constant(value=None, kind=None)],
                                             ctx=gast.Load()),
                              op=gast.Mult(), right=anno.clone(size))  # fmt: skip
            func.body.insert(func.body.index(forward), anno.assign(saved, make))
            slot = gast.Subscript(value=anno.name(saved), slice=anno.name(counters[0]),
                                  ctx=gast.Store())  # fmt: skip
            push[2].__class__ = gast.Assign
            push[2].__dict__ = {"targets": [slot], "value": push[2].value.args[0],
                                "type_comment": None}  # fmt: skip
            pop[2].value = gast.Subscript(value=anno.name(saved), slice=anno.name(counters[1]),
                                          ctx=gast.Load())  # fmt: skip
            changed = True
        if len(pops) == 1:
            _iterate_saved(func, backward, pops[0][2], counters[1])
    if changed and not any(_touches_stack(n) for s in func.body if not _is_stack_init(s)
                           for n in anno.walk(s)):  # fmt: skip
        func.body = [s for s in func.body if not _is_stack_init(s)]
    return changed


def _iterate_saved(func, backward, restore, counter) -> None:
    """``for i in reversed(range(n)): ...; h = saved[i]; ...`` as ``for h in
    reversed(saved): ...`` where nothing before the restore uses ``h`` and nothing
    else, in the loop or after it, reads the counter (the list holds one value per
    step, and the loop reads them from the last)."""
    body = backward.body
    target = restore.targets[0]
    if restore not in body or not isinstance(target, gast.Name):
        return
    before = body[: body.index(restore)]
    if any(target.id in anno.load_names(s) | anno.store_names(s) for s in before):
        return
    after = func.body[func.body.index(backward) + 1 :]
    if any(counter in anno.load_names(s) for s in body + after if s is not restore):
        return
    backward.target = anno.store(target.id)
    backward.iter = gast.Call(func=anno.name("reversed"), args=[restore.value.value], keywords=[])
    body.remove(restore)
    backward.body = body or [gast.Pass()]


def _counters(func, forward, backward):
    """The counters of ``for i in range(n)`` and ``for j in reversed(range(n))``
    with the same ``n``, a number or a name the function never assigns, and
    counters the bodies leave alone; None otherwise."""
    if not (isinstance(forward, gast.For) and isinstance(backward, gast.For)):
        return None
    fi, bi = forward.iter, backward.iter
    if not (anno.is_call_to(fi, "range") and len(fi.args) == 1 and not fi.keywords):
        return None
    if not (anno.is_call_to(bi, "reversed") and len(bi.args) == 1):
        return None
    size, back = fi.args[0], bi.args[0]
    if not anno.is_call_to(back, "range"):
        return None
    if len(back.args) != 1 or back.keywords or gast.dump(size) != gast.dump(back.args[0]):
        return None
    if isinstance(size, gast.Name):
        if size.id in anno.store_names(func):
            return None
    elif not (isinstance(size, gast.Constant) and type(size.value) is int):
        return None
    targets = forward.target, backward.target
    if not all(isinstance(t, gast.Name) for t in targets):
        return None
    for loop, target in ((forward, targets[0]), (backward, targets[1])):
        body = gast.Module(body=loop.body, type_ignores=[])
        if target.id in anno.store_names(body) or anno.jumps(body):
            return None
    return targets[0].id, targets[1].id
