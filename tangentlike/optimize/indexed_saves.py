"""In a pair of counted loops, save into a list indexed by the counter instead of a
stack.

before:
    def f(x, bh=1.0):
        _stack = []
        h = x
        for i in range(100):
            _stack.append(h)
            h = math.sin(h)
        for j in range(10):
            _stack.append(h)
            h = math.sin(h) * j
        value = h
        for j in reversed(range(10)):
            h = _stack.pop()
            bh = bh * j * math.cos(h)
        for i in reversed(range(100)):
            h = _stack.pop()
            bh = bh * math.cos(h)
        return value, bh
after:
    def f(x, bh=1.0):
        h = x
        _h_saved = [None] * 100
        for i in range(100):
            _h_saved[i] = h
            h = math.sin(h)
        _h_saved2 = [None] * 10
        for j in range(10):
            _h_saved2[j] = h
            h = math.sin(h) * j
        value = h
        for j in reversed(range(10)):
            h = _h_saved2[j]
            bh = bh * j * math.cos(h)
        for h in reversed(_h_saved):
            bh = bh * math.cos(h)
        return value, bh

The reverse loop over ``j`` reads its counter, and reads the saved values by it;
the one over ``i`` reads nothing but the saved values, from the last, so it
loops over them.
"""

from __future__ import annotations

import gast

from .. import anno
from ..analysis.saves import is_stack_init, paired_loops, touches_stack
from ..naming import Namer, names_in


def index_saves(func: gast.FunctionDef) -> bool:
    """In a pair of ``for i in range(n)`` loops, save into a list made before the
    loop and indexed by the counter (``_h_saved[i] = h``), instead of pushing
    and popping.  For variants only: the general code keeps its stack, which higher-order
    transforms read.  Whether anything changed."""
    namer = Namer(names_in(func))
    changed = False
    for forward, pushes, backward, pops in paired_loops(func):
        counters = _counters(func, forward, backward)
        if counters is None:
            continue
        size = forward.iter.args[0]
        for push, pop in zip(reversed(pushes), pops):
            saved = namer.fresh(f"_{pop[3].lstrip('_')}_saved")
            make = gast.BinOp(
                left=gast.List(
                    elts=[gast.Constant(value=None, kind=None)], ctx=gast.Load()
                ),
                op=gast.Mult(),
                right=anno.clone(size),
            )
            func.body.insert(func.body.index(forward), anno.assign(saved, make))
            slot = gast.Subscript(
                value=anno.name(saved), slice=anno.name(counters[0]), ctx=gast.Store()
            )
            push[2].__class__ = gast.Assign
            push[2].__dict__ = {
                "targets": [slot],
                "value": push[2].value.args[0],
                "type_comment": None,
            }
            pop[2].value = gast.Subscript(
                value=anno.name(saved), slice=anno.name(counters[1]), ctx=gast.Load()
            )
            changed = True
        if len(pops) == 1:
            _iterate_saved(func, backward, pops[0][2], counters[1])
    unused = not any(
        touches_stack(n)
        for s in func.body
        if not is_stack_init(s)
        for n in anno.walk(s)
    )
    if unused and any(is_stack_init(s) for s in func.body):
        func.body = [s for s in func.body if not is_stack_init(s)]
        changed = True  # a stack nothing pushes to (its saves all went) goes too
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
    backward.iter = gast.Call(
        func=anno.name("reversed"), args=[restore.value.value], keywords=[]
    )
    body.remove(restore)
    backward.body = body or [gast.Pass()]


# Indexing by the counters is right only when both loops run the same steps in
# mirror order: a range and its reverse over one size, a size the function never
# changes, counters the bodies neither rebind nor cut short.  Each test rules out
# one way they could differ.
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
    if (
        len(back.args) != 1
        or back.keywords
        or gast.dump(size) != gast.dump(back.args[0])
    ):
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
