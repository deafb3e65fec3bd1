"""Drop saves whose restored value nothing reads.

The reverse transform saves a value when its adjoint reads it; later passes can
remove that read (``unbroadcast(g, x)`` of a proven shape).  Then the pop
restores a value no one looks at, and the push in the forward loop is waste:

before:
    def f(x, n, bh=1.0):
        _stack = []
        h = x
        for i in range(n):
            _mul = 0.5 * h
            _stack.append(_mul)
            h = _mul * _mul
        for i in reversed(range(n)):
            _mul = _stack.pop()
            b_mul = bh
            bh = b_mul * 0.5
        return h, bh
after:
    def f(x, n, bh=1.0):
        _stack = []
        h = x
        for i in range(n):
            _mul = 0.5 * h
            h = _mul * _mul
        for i in reversed(range(n)):
            b_mul = bh
            bh = b_mul * 0.5
        return h, bh

Only loops at the top level of the function whose bodies push (or pop) at their
own top level are paired: the k-th loop that pushes with the k-th from last that
pops, the j-th pop with the j-th from last push.
"""

from __future__ import annotations

import gast

from .. import anno
from ..analysis.saves import paired_loops


def remove_unread_saves(func: gast.FunctionDef) -> bool:
    """Remove push/pop pairs whose popped value is never read; whether any was."""
    changed = False
    for forward, pushes, backward, pops in paired_loops(func):
        changed |= _prune_pair(func, forward, pushes, backward, pops)
    return changed


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
