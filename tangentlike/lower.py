"""Lower: rewrite control flow the transforms do not handle directly.

* ``return`` inside ``if`` becomes an assignment to the result, with the
  statements after it moved into the branch that does not return.
* ``for x in xs`` over differentiable values becomes an index loop
  ``for k in range(len(xs)): x = xs[k]`` (also for ``enumerate`` and ``zip``).
"""

from __future__ import annotations

import copy

import gast

from . import anno


def always_returns(block) -> bool:
    if not block:
        return False
    last = block[-1]
    if isinstance(last, gast.Return):
        return True
    if isinstance(last, gast.If):
        return always_returns(last.body) and always_returns(last.orelse)
    return False


def has_return(block) -> bool:
    return any(isinstance(n, gast.Return) for s in block for n in gast.walk(s))


def lower_returns(block, result: str) -> list:
    """Give the block a single exit: every ``return v`` becomes ``result = v``."""
    out = []
    for i, stmt in enumerate(block):
        if isinstance(stmt, gast.Return):
            out.append(anno.copy_location(anno.assign(result, stmt.value), stmt))
            return out
        if isinstance(stmt, gast.If) and has_return([stmt]):
            rest = block[i + 1 :]
            body = stmt.body if always_returns(stmt.body) else stmt.body + copy.deepcopy(rest)
            orelse = stmt.orelse if always_returns(stmt.orelse) else stmt.orelse + rest
            stmt.body = lower_returns(body, result)
            stmt.orelse = lower_returns(orelse, result)
            out.append(stmt)
            return out
        out.append(stmt)
    return out


def lower_active_loops(block, active: set[str], namer) -> list:
    """Index loops for iteration over differentiable sequences."""
    out = []
    for stmt in block:
        for field in ("body", "orelse"):
            if getattr(stmt, field, None):
                setattr(stmt, field, lower_active_loops(getattr(stmt, field), active, namer))
        if isinstance(stmt, gast.For) and anno.load_names(stmt.iter) & active:
            stmt = _index_loop(stmt, namer)
        out.append(stmt)
    return out


def _index_loop(stmt, namer):
    it = stmt.iter
    seqs, targets, counter = [it], [stmt.target], None
    callee = anno.get(it, anno.CALLEE)
    if isinstance(it, gast.Call) and callee is enumerate:
        seqs = [it.args[0]]
        counter, targets = stmt.target.elts[0], [stmt.target.elts[1]]
    elif isinstance(it, gast.Call) and callee is zip:
        seqs, targets = list(it.args), list(stmt.target.elts)
    k = counter.id if counter is not None else namer.temp("k")
    lens = [anno.call(anno.name("len"), [copy.deepcopy(s)]) for s in seqs]
    n = lens[0] if len(lens) == 1 else anno.call(anno.name("min"), lens)
    rng = anno.call(anno.name("range"), [n])
    anno.set_(rng, anno.CALLEE, range)
    body = []
    for seq, tgt in zip(seqs, targets):
        item = gast.Subscript(value=copy.deepcopy(seq), slice=anno.name(k), ctx=gast.Load())
        body.append(anno.copy_location(anno.assign(tgt, item), stmt))
    new = gast.For(target=anno.store(k), iter=rng, body=body + stmt.body, orelse=[],
                   type_comment=None)  # fmt: skip
    return anno.copy_location(new, stmt)
