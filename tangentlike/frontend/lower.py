"""Lower: rewrite control flow the transforms do not handle directly.

* ``return`` inside ``if`` becomes an assignment to the result, with the
  statements after it moved into the branch that does not return.
* ``for x in xs`` over differentiable values becomes an index loop
  ``for k in range(len(xs)): x = xs[k]`` (also for ``enumerate`` and ``zip``).
"""

from __future__ import annotations

import copy

import gast

from .. import anno
from ..analysis.liveness import Liveness


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
    return any(isinstance(n, gast.Return) for s in block for n in anno.walk(s))


def lower_returns(block, result: str) -> list:
    """Give the block a single exit: every ``return v`` becomes ``result = v``."""
    out = []
    for i, stmt in enumerate(block):
        if isinstance(stmt, gast.Return):
            out.append(anno.copy_location(anno.assign(result, stmt.value), stmt))
            return out
        if isinstance(stmt, gast.If) and has_return([stmt]):
            rest = block[i + 1 :]
            body = (
                stmt.body
                if always_returns(stmt.body)
                else stmt.body + copy.deepcopy(rest)
            )
            orelse = stmt.orelse if always_returns(stmt.orelse) else stmt.orelse + rest
            stmt.body = lower_returns(body, result)
            stmt.orelse = lower_returns(orelse, result)
            out.append(stmt)
            return out
        out.append(stmt)
    return out


def lower_active_loops(block, active: set[str], namer, keep=None) -> list:
    """Index loops for iteration over differentiable sequences, but the loops
    ``keep(loop)`` holds to (forward mode pairs some with their tangents)."""
    out = []
    for stmt in block:
        for field in ("body", "orelse"):
            if getattr(stmt, field, None):
                inner = getattr(stmt, field)
                setattr(stmt, field, lower_active_loops(inner, active, namer, keep))
        if not isinstance(stmt, gast.For) or (keep and keep(stmt)):
            pass
        elif _dict_view(stmt.iter):
            stmt = _key_loop(stmt, namer)
        elif not anno.load_names(stmt.iter) & active:
            pass
        elif _keys_only(stmt):  # for k in d: ... d[k] ...
            stmt.iter = anno.call(anno.attr(stmt.iter, "keys"))
            stmt = _key_loop(stmt, namer)
        else:
            stmt = _index_loop(stmt, namer)
        out.append(stmt)
    return out


def _dict_view(it):
    """``d.items()``, ``d.values()`` or ``d.keys()`` of a local name."""
    return (
        isinstance(it, gast.Call)
        and isinstance(it.func, gast.Attribute)
        and it.func.attr in ("items", "values", "keys")
        and isinstance(it.func.value, gast.Name)
        and not it.args
        and not it.keywords
    )


def _keys_only(loop) -> bool:
    """``for k in d:`` where the body reads ``k`` only as a key (``d[k]``,
    ``out[k] = ...``), or reads ``d[k]`` itself (``k`` may also be a value then,
    in an f-string, a call): ``d`` is a dict, and the loop runs over its keys."""
    if not isinstance(loop.iter, gast.Name) or not isinstance(loop.target, gast.Name):
        return False
    body = gast.Module(body=loop.body, type_ignores=[])
    keys = {
        id(n)
        for sub in anno.walk(body)
        if isinstance(sub, gast.Subscript)
        for n in anno.walk(sub.slice)
    }
    reads = [
        n
        for n in anno.walk(body)
        if isinstance(n, gast.Name) and n.id == loop.target.id
    ]
    if any(_is_item_of(n, loop.iter.id, loop.target.id) for n in anno.walk(body)):
        return not any(isinstance(n.ctx, gast.Store) for n in reads)
    return bool(reads) and all(
        id(n) in keys and isinstance(n.ctx, gast.Load) for n in reads
    )


def _is_item_of(node, container: str, key: str) -> bool:
    """``node`` is ``container[key]``."""
    return (
        isinstance(node, gast.Subscript)
        and isinstance(node.value, gast.Name)
        and node.value.id == container
        and isinstance(node.slice, gast.Name)
        and node.slice.id == key
    )


def _key_loop(stmt, namer):
    """``for k, v in d.items()`` -> ``for k in d.keys(): v = d[k]``: the keys are
    constants, and the values are read from ``d``, where their gradients go."""
    view, d = stmt.iter.func.attr, stmt.iter.func.value
    key, value = None, None
    if (
        view == "items"
        and isinstance(stmt.target, gast.Tuple)
        and len(stmt.target.elts) == 2
    ):
        key, value = stmt.target.elts
    elif view == "values":
        value = stmt.target
    elif view == "keys":
        key = stmt.target
    else:  # for pair in d.items(): pair = (k, d[k])
        value = None
    k = key if isinstance(key, gast.Name) else anno.store(namer.temp("key"))
    body = [] if key is None or key is k else [anno.assign(key, anno.name(k.id))]
    item = gast.Subscript(
        value=copy.deepcopy(d), slice=anno.name(k.id), ctx=gast.Load()
    )
    if value is not None:
        body.append(anno.copy_location(anno.assign(value, item), stmt))
    elif view == "items":
        pair = gast.Tuple(elts=[anno.name(k.id), item], ctx=gast.Load())
        body.append(anno.copy_location(anno.assign(stmt.target, pair), stmt))
    keys = anno.call(anno.attr(copy.deepcopy(d), "keys"))
    new = gast.For(
        target=k, iter=keys, body=body + stmt.body, orelse=[], type_comment=None
    )
    anno.set_(new, anno.KEYS, True)
    return anno.copy_location(new, stmt)


def dicts_looped_over(body) -> set[str]:
    """Names a lowered ``for k in d.keys()`` loop reads items of: dicts."""
    return {
        node.iter.func.value.id
        for node in anno.walk(gast.Module(body=body, type_ignores=[]))
        if isinstance(node, gast.For) and anno.get(node, anno.KEYS)
    }


def _index_loop(stmt, namer):
    """``for k in range(len(xs)): x = xs[k]``, for ``xs``, ``enumerate(xs[, start])``
    and ``zip(xs, ys, ...)``; what the loop binds is first made names (below)."""
    it = stmt.iter
    callee = _callee(it)
    counted = callee is enumerate
    seqs = [it.args[0]] if counted else list(it.args) if callee is zip else [it]
    start = _enumerate_start(it) if counted else None
    if counted and _callee(it.args[0]) is zip:  # enumerate(zip(a, b))
        seqs = list(it.args[0].args)
        names, unpack = _counted_pairs(stmt.target, len(seqs), namer)
    else:
        names, unpack = _as_names(stmt.target, counted, len(seqs), namer)
    counter = names.pop(0) if counted else None
    plain = counted and start is None  # the counter is the index
    k = counter.id if plain else namer.temp("k")
    lens = [anno.call(anno.name("len"), [copy.deepcopy(s)]) for s in seqs]
    n = lens[0] if len(lens) == 1 else anno.call(anno.name("min"), lens)
    rng = anno.call(anno.name("range"), [n])
    anno.set_(rng, anno.CALLEE, range)
    body = []
    if counted and not plain:  # enumerate(xs, start)
        value = gast.BinOp(left=anno.name(k), op=gast.Add(), right=copy.deepcopy(start))
        body.append(anno.assign(counter, value))
    for seq, name in zip(seqs, names):
        item = gast.Subscript(
            value=copy.deepcopy(seq), slice=anno.name(k), ctx=gast.Load()
        )
        body.append(anno.assign(name, item))
    body = [anno.copy_location(s, stmt) for s in body + unpack]
    new = gast.For(
        target=anno.store(k),
        iter=rng,
        body=body + stmt.body,
        orelse=[],
        type_comment=None,
    )
    return anno.copy_location(new, stmt)


def _callee(node):
    return anno.get(node, anno.CALLEE) if isinstance(node, gast.Call) else None


def _counted_pairs(target, seqs: int, namer) -> tuple[list, list]:
    """``_as_names`` for ``enumerate(zip(...))``: ``for i, (a, b) in ...`` binds
    ``i``, ``a`` and ``b``; ``for i, pair in ...`` binds ``i``, ``_item`` and
    ``_item2``, then ``pair = (_item, _item2)``."""
    if isinstance(target, gast.Tuple) and len(target.elts) == 2:
        counter, counter_unpack = _as_names(target.elts[0], False, 1, namer)
        names, unpack = _as_names(target.elts[1], False, seqs, namer)
        return counter + names, counter_unpack + unpack
    names = [anno.store(namer.temp(b)) for b in ["count"] + ["item"] * seqs]
    items = gast.Tuple(elts=[anno.as_load(n) for n in names[1:]], ctx=gast.Load())
    whole = gast.Tuple(elts=[anno.as_load(names[0]), items], ctx=gast.Load())
    return names, [anno.assign(target, whole)]


def _enumerate_start(call):
    """The ``start`` of ``enumerate(xs, start)``, None where there is none."""
    start = call.args[1] if len(call.args) > 1 else None
    return next((kw.value for kw in call.keywords if kw.arg == "start"), start)


def _as_names(target, counted: bool, seqs: int, namer) -> tuple[list, list]:
    """The names the loop binds each step (a counter if ``counted``, then one item
    of each of ``seqs`` sequences), and the assignments that give the user's
    target its value from them: ``for i, (a, b) in ...`` binds ``i`` and ``_item``,
    then ``a, b = _item``; ``for p in zip(xs, ys)`` binds ``_item`` and
    ``_item2``, then ``p = (_item, _item2)``."""
    count = counted + seqs
    parts = target.elts if isinstance(target, gast.Tuple) else [target]
    if count > 1 and len(parts) != count:  # one name for the whole tuple
        bases = ["count"] * counted + ["item"] * seqs
        names = [anno.store(namer.temp(base)) for base in bases]
        whole = gast.Tuple(elts=[anno.as_load(n) for n in names], ctx=gast.Load())
        return names, [anno.assign(target, whole)]
    if count == 1:
        parts = [target]
    names, unpack = [], []
    for part in parts:
        if isinstance(part, gast.Name):
            names.append(part)
        else:  # a, c = xs[k], as normalize writes it
            held = namer.temp("item")
            names.append(anno.store(held))
            unpack.append(anno.assign(part, anno.name(held)))
    return names, unpack


# loop exits -----------------------------------------------------------------
def lower_loop_else(block, namer) -> list:
    """A loop's ``else`` runs after it unless a ``break`` left it: a flag set
    beside each ``break`` of the loop, tested after it (no flag where there is no
    ``break``)."""
    out = []
    for stmt in block:
        map_blocks(stmt, lambda inner: lower_loop_else(inner, namer))
        if not isinstance(stmt, (gast.For, gast.While)) or not stmt.orelse:
            out.append(stmt)
            continue
        orelse, stmt.orelse = stmt.orelse, []
        if gast.Break not in _jumps(stmt.body):
            out += [stmt] + orelse
            continue
        broke = namer.fresh("broke")
        stmt.body = _flag_breaks(stmt.body, broke)
        start = anno.copy_location(anno.assign(broke, anno.const(False)), stmt)
        after = gast.If(test=_not(broke), body=orelse, orelse=[])
        out += [start, stmt, anno.copy_location(after, orelse[0])]
    return out


def _flag_breaks(block, flag: str) -> list:
    """``flag = True`` before each ``break`` of this loop (not of loops inside it)."""
    out = []
    for stmt in block:
        if isinstance(stmt, gast.Break):
            out.append(anno.copy_location(anno.assign(flag, anno.const(True)), stmt))
        elif isinstance(stmt, (gast.If, gast.Try, gast.With)):
            map_blocks(stmt, lambda inner: _flag_breaks(inner, flag))
        out.append(stmt)
    return out


def map_blocks(stmt, rewrite) -> None:
    """Replace each block of statements ``stmt`` holds (a body, an ``else``, a
    ``finally``, a handler's body) by ``rewrite(block)``."""
    for field in ("body", "orelse", "finalbody"):
        inner = getattr(stmt, field, None)
        if inner and isinstance(inner[0], gast.stmt):
            setattr(stmt, field, rewrite(inner))
    for handler in getattr(stmt, "handlers", ()):
        handler.body = rewrite(handler.body)


def _not(flag: str):
    return gast.UnaryOp(op=gast.Not(), operand=anno.name(flag))


def has_loop_return(block, in_loop=False) -> bool:
    """A ``return`` in a loop, or in a ``try`` or ``with`` body (which the returns
    leave the same way: a flag, and the rest guarded)."""
    for stmt in block:
        if in_loop and isinstance(stmt, gast.Return):
            return True
        loop = in_loop or isinstance(stmt, (gast.For, gast.While, gast.Try, gast.With))
        for field in ("body", "orelse"):
            if has_loop_return(getattr(stmt, field, None) or [], loop):
                return True
    return False


def lower_flagged_returns(block, result: str, namer) -> list:
    """Returns in loops: ``result = v; ret = True; break``, the rest guarded by
    ``if not ret``; the flag is set only where something after reads it."""
    flag = namer.fresh("returned")
    body = _flag_returns(block, result, flag, in_loop=False)
    body = [anno.assign(flag, anno.const(False))] + _guard_rest(body, _sets(flag), flag)
    return _drop_unread_flag(body, flag)


def _drop_unread_flag(block, flag: str) -> list:
    """Without the sets of ``flag`` that nothing reads after them: the last
    return's, or all of them where the function ends with the loop."""
    liveness = Liveness()
    liveness.block(block, set())

    def unread_set(stmt) -> bool:
        return (
            isinstance(stmt, gast.Assign)
            and isinstance(stmt.targets[0], gast.Name)
            and stmt.targets[0].id == flag
            and flag not in liveness.after.get(id(stmt), set())
        )

    def prune(stmts) -> list:
        for stmt in stmts:
            for field in ("body", "orelse"):
                if getattr(stmt, field, None):
                    setattr(stmt, field, prune(getattr(stmt, field)) or [gast.Pass()])
        return [stmt for stmt in stmts if not unread_set(stmt)]

    return prune(block)


def _flag_returns(block, result, flag, in_loop) -> list:
    out = []
    for stmt in block:
        if isinstance(stmt, gast.Return):
            value = stmt.value if stmt.value is not None else anno.const(None)
            out += [
                anno.copy_location(anno.assign(result, value), stmt),
                anno.copy_location(anno.assign(flag, anno.const(True)), stmt),
            ]
            if in_loop:
                out.append(anno.copy_location(gast.Break(), stmt))
            continue
        loop = isinstance(stmt, (gast.For, gast.While))
        for field in ("body", "orelse"):
            if getattr(stmt, field, None):
                inner = _flag_returns(
                    getattr(stmt, field), result, flag, in_loop or loop
                )
                if not loop:
                    inner = _guard_rest(inner, _sets(flag), flag)
                setattr(stmt, field, inner)
        out.append(stmt)
        if loop and in_loop and _sets(flag)(stmt):
            out.append(
                anno.copy_location(
                    gast.If(test=anno.name(flag), body=[gast.Break()], orelse=[]), stmt
                )
            )
    return out


def _sets(flag):
    return lambda stmt: any(
        isinstance(n, gast.Name) and n.id == flag and isinstance(n.ctx, gast.Store)
        for n in anno.walk(stmt)
    )


def _guard_rest(block, may_exit, *flags) -> list:
    """After a statement that may set one of ``flags``, run the rest only if none is set."""
    for i, stmt in enumerate(block):
        if may_exit(stmt) and block[i + 1 :]:
            if isinstance(block[i + 1], gast.Break):  # a return's own: not guarded
                return block[: i + 2]
            rest = _guard_rest(block[i + 1 :], may_exit, *flags)
            return block[: i + 1] + [anno.copy_location(_unless(flags, rest), stmt)]
    return block


def _unless(flags, body):
    names = [anno.name(f) for f in flags]
    test = names[0] if len(names) == 1 else gast.BoolOp(op=gast.Or(), values=names)
    return gast.If(test=gast.UnaryOp(op=gast.Not(), operand=test), body=body, orelse=[])


def lower_jumps(block, namer) -> list:
    """``break`` and ``continue`` become flags; the statements they skip are guarded."""
    out = []
    for stmt in block:
        for field in ("body", "orelse"):
            if getattr(stmt, field, None):
                setattr(stmt, field, lower_jumps(getattr(stmt, field), namer))
        if isinstance(stmt, (gast.For, gast.While)):
            out += _lower_loop_jumps(stmt, namer)
        else:
            out.append(stmt)
    return out


def _lower_loop_jumps(loop, namer) -> list:
    kinds = _jumps(loop.body)
    if not kinds:
        return [loop]
    stop = namer.fresh("stop") if gast.Break in kinds else None
    skip = namer.fresh("skip") if gast.Continue in kinds else None
    flags = [f for f in (stop, skip) if f]
    body = _guard_rest(
        _replace_jumps(loop.body, stop, skip), _jump_setter(flags), *flags
    )
    if skip:
        body = [anno.assign(skip, anno.const(False))] + body
    before = []
    if stop:
        before = [anno.copy_location(anno.assign(stop, anno.const(False)), loop)]
        not_stop = gast.UnaryOp(op=gast.Not(), operand=anno.name(stop))
        if isinstance(loop, gast.While):
            loop.test = gast.BoolOp(op=gast.And(), values=[not_stop, loop.test])
        else:
            body = [gast.If(test=not_stop, body=body, orelse=[])]
    loop.body = body
    return before + [loop]


def _jump_setter(flags):
    checks = [_sets(f) for f in flags]
    return lambda stmt: any(check(stmt) for check in checks)


def _jumps(block) -> set:
    """The jumps of this loop's body: in it, its branches and its regions."""
    found = set()
    for stmt in block:
        if isinstance(stmt, (gast.Break, gast.Continue)):
            found.add(type(stmt))
        elif isinstance(stmt, (gast.If, gast.Try, gast.With)):
            found |= _jumps(stmt.body) | _jumps(getattr(stmt, "orelse", []))
    return found


def _replace_jumps(block, stop, skip) -> list:
    """Jumps become flags, and what follows one in its block is guarded by them."""
    out = []
    flags = [f for f in (stop, skip) if f]
    for stmt in block:
        if isinstance(stmt, gast.Break):
            out.append(anno.copy_location(anno.assign(stop, anno.const(True)), stmt))
        elif isinstance(stmt, gast.Continue):
            out.append(anno.copy_location(anno.assign(skip, anno.const(True)), stmt))
        elif isinstance(stmt, (gast.If, gast.Try, gast.With)):
            for field in ("body", "orelse"):
                inner = getattr(stmt, field, None)
                if inner:
                    inner = _replace_jumps(inner, stop, skip)
                    inner = _guard_rest(inner, _jump_setter(flags), *flags)
                    setattr(stmt, field, inner)
            stmt.body = stmt.body or [gast.Pass()]
            out.append(stmt)
        else:
            out.append(stmt)
    return out
