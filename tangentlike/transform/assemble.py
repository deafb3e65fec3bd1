"""Assemble the derivative functions from the sweeps: one function for grad, a
fwd/bwd pair for a call in reverse mode, a jvp function in forward mode."""

from __future__ import annotations

import functools

import gast

from .. import anno
from ..analysis import activity as analyze
from ..errors import NoDerivativeError
from ..frontend import lower
from ..naming import BSTACK_NAME, STACK_NAME
from ..runtime import zeros_like
from . import fresh, fused
from .forward import ForwardAD, pairs_with_tangents
from .reverse import ReverseAD, is_range_loop
from .statements import is_list_pop


# The sweeps themselves are ReverseAD's; what branches here is the frame around
# them: a returned name the sweep restores or mutates is kept (copied where
# mutated), a ``wrt`` argument nothing reaches gets zeros (made first where the
# function rebinds it), and the save stacks are made only where used.
def reverse_sweeps(info, wrt: list[str], calls):
    """Run the reverse transform; returns (rad, fwd, rev, value, grads)."""
    body = info.node.body[:-1]
    ret = info.result
    outputs = {ret.id} if isinstance(ret, gast.Name) else set()
    active = analyze.active_names(body, set(wrt), outputs, stacks=True)
    body = lower.lower_active_loops(body, active, info.namer)
    info.primal_names |= anno.load_names(gast.Module(body=body, type_ignores=[]))
    active = analyze.active_names(body, set(wrt), outputs, stacks=True)
    exclude = {id(s) for stmt in body for s in anno.walk(stmt) if is_range_loop(s)}
    sites = analyze.index_sites(body, exclude)
    fused.mark(body)
    fresh.mark(body)
    rad = ReverseAD(info, active, sites, calls)
    rad.loops_over(body)
    if outputs & active:
        rad.adj.state[ret.id] = False
    fwd, rev = rad.block(body)
    if rad.missing:
        raise NoDerivativeError.combine(rad.missing)
    value = ret
    if isinstance(ret, gast.Name) and (
        ret.id in rad.restored or _mutated(body, ret.id)
    ):
        # pops rebind the name: keep the value itself; setitem restores mutate it: copy
        kept = info.namer.fresh("value")
        saved = anno.name(ret.id)
        if _mutated(body, ret.id):
            saved = anno.call(anno.dotted(f"{info.np_alias}.copy"), [saved])
        fwd.append(anno.assign(kept, saved))
        value = anno.name(kept)
    grads = []
    for p in wrt:
        if rad.adj.has(p):
            grads.append(anno.name(rad.adj.name(p)))
            continue
        info.helpers["zeros_like"] = zeros_like
        zero = anno.call(anno.name("zeros_like"), [anno.name(p)])
        if p in sites.assigned:  # rebound: zeros shaped like the argument, made first
            name = info.namer.temp(f"b{p}_zero")
            fwd.insert(0, anno.assign(name, zero))
            zero = anno.name(name)
        grads.append(zero)
    if rad.uses_stack:
        fwd.insert(
            0,
            anno.assign(
                rad.stack_name(STACK_NAME), gast.List(elts=[], ctx=gast.Load())
            ),
        )
    if rad.uses_bstack:
        rev.insert(
            0, anno.assign(rad.stacks[BSTACK_NAME], gast.List(elts=[], ctx=gast.Load()))
        )
    return rad, fwd, rev, value, grads


def _mutated(body, name) -> bool:
    for stmt in body:
        for node in anno.walk(stmt):
            if (
                isinstance(node, gast.Assign)
                and isinstance(node.targets[0], gast.Subscript)
                and name in anno.load_names(node.targets[0].value)
            ):
                return True
    return False


def seed_name(info) -> str:
    ret = info.result
    return info.namer.adjoint(ret.id if isinstance(ret, gast.Name) else "out")


def grad_function(info, wrt: list[str], calls, name: str) -> gast.FunctionDef:
    """``def name(params, bseed=1.0): forward; reverse; return value, grads``."""
    seed = seed_name(info)
    _, fwd, rev, value, grads = reverse_sweeps(info, wrt, calls)
    grad = grads[0] if len(grads) == 1 else gast.Tuple(elts=grads, ctx=gast.Load())
    ret = gast.Return(value=gast.Tuple(elts=[value, grad], ctx=gast.Load()))
    defaults = [anno.clone(d) for d in info.defaults] + [anno.const(1.0)]
    args = _arguments(info.params + [seed], defaults)
    return _funcdef(name, args, fwd + anno.mark_sweep(rev) + [ret], info.node)


def split_functions(info, wrt: list[str], calls, fwd_name: str, bwd_name: str):
    """A forward function returning (value, saved) and a backward one taking them."""
    seed = seed_name(info)
    rad, fwd, rev, value, grads = reverse_sweeps(info, wrt, calls)
    bound = set(info.params) | set().union(
        *[anno.store_names(s) for s in fwd] or [set()]
    )
    loads = set().union(*[anno.load_names(s) for s in rev + grads] or [set()])
    saved = sorted(loads & bound)
    unbound = [n for n in saved if n not in _always_bound(fwd, info.params)]
    fwd = [anno.assign(n, anno.const(None)) for n in unbound] + fwd
    saved_tuple = gast.Tuple(elts=[anno.name(n) for n in saved], ctx=gast.Load())
    fwd_ret = gast.Return(value=gast.Tuple(elts=[value, saved_tuple], ctx=gast.Load()))
    fwd_def = _funcdef(fwd_name, _arguments(info.params), fwd + [fwd_ret], info.node)
    saved_name = "saved"
    unpack = anno.assign(
        gast.Tuple(elts=[anno.store(n) for n in saved], ctx=gast.Store()),
        anno.name(saved_name),
    )
    out = gast.Tuple(elts=grads, ctx=gast.Load())
    copies = [  # the caller's lists stay whole: ``out = list(out)`` before ``out.pop()``
        _copied(n, maybe_none=n in unbound) for n in sorted(_popped(rev) & set(saved))
    ]
    body = ([unpack] if saved else []) + copies + anno.mark_sweep(rev)
    body.append(gast.Return(value=out))
    bwd_def = _funcdef(bwd_name, _arguments([saved_name, seed]), body, info.node)
    return fwd_def, bwd_def


def _copied(name: str, maybe_none: bool) -> gast.stmt:
    """``name = list(name)``; ``list(name or [])`` where a branch not taken left None."""
    value = anno.name(name)
    if maybe_none:
        value = gast.BoolOp(
            op=gast.Or(), values=[value, gast.List(elts=[], ctx=gast.Load())]
        )
    return anno.assign(name, anno.call(anno.name("list"), [value]))


def _popped(stmts) -> set[str]:
    """The lists ``stmts`` pop items from."""
    tree = gast.Module(body=stmts, type_ignores=[])
    return {n.func.value.id for n in anno.walk(tree) if is_list_pop(n)}


def jvp_function(info, wrt: list[str], calls, name: str) -> gast.FunctionDef:
    """``def name(params, dwrt...): body with tangents; return value, dvalue``."""
    body, ret = info.node.body[:-1], info.result
    outputs = anno.load_names(ret)
    active = analyze.active_names(body, set(wrt), outputs)
    paired = functools.partial(pairs_with_tangents, active=active)
    body = lower.lower_active_loops(body, active, info.namer, keep=paired)
    active = analyze.active_names(body, set(wrt), outputs) | (set(wrt) & outputs)
    fused.mark(body)
    fad = ForwardAD(info, active, calls)
    tangent_params = [info.namer.tangent(p) for p in wrt]
    inits = [fad.zeros(p) for p in info.params if p in fad.active and p not in wrt]
    stmts = anno.mark_sweep(inits + fad.block(body))
    if fad.missing:
        raise NoDerivativeError.combine(fad.missing)
    dret = _result_tangent(fad, ret)
    out = gast.Return(value=gast.Tuple(elts=[ret, dret], ctx=gast.Load()))
    return _funcdef(
        name, _arguments(info.params + tangent_params), stmts + [out], info.node
    )


def _result_tangent(fad: ForwardAD, ret):
    if isinstance(ret, (gast.Tuple, gast.List)):
        return type(ret)(elts=[fad._part(e) for e in ret.elts], ctx=gast.Load())
    return fad._part(ret)


def _always_bound(stmts, params) -> set[str]:
    """Names every path through ``stmts`` assigns (a branch may leave others unbound)."""
    bound = set(params)
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            bound |= _always_bound(stmt.body, ()) & _always_bound(stmt.orelse, ())
        elif isinstance(stmt, gast.With):
            bound |= _always_bound(stmt.body, ())
        elif not isinstance(stmt, (gast.For, gast.While, gast.Try)):
            bound |= anno.store_names(stmt)
    return bound


def _arguments(names, defaults=()):
    return gast.arguments(
        args=[
            gast.Name(id=n, ctx=gast.Param(), annotation=None, type_comment=None)
            for n in names
        ],
        posonlyargs=[],
        vararg=None,
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=None,
        defaults=list(defaults),
    )


def _funcdef(name, args, body, like):
    node = gast.FunctionDef(
        name=name,
        args=args,
        body=body,
        decorator_list=[],
        returns=None,
        type_comment=None,
        type_params=[],
    )
    return anno.copy_location(node, like)
