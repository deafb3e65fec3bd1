"""Forward mode: after each active statement, the statement that computes its tangent.

    def f(x, n):                    def df(x, n, dx):
        y = np.sin(x)                   y = np.sin(x)
        for i in range(n):              dy = dx * np.cos(x)
            y = y * x          ->       for i in range(n):
        return y                            _y = y * x
                                            d_y = dy * x + y * dx
                                            y = _y
                                            dy = d_y
                                        return y, dy

Control flow stays as it is.  The tangent of ``x`` is ``dx``; the tangent of an
inactive value is zero, and zero terms are dropped from the generated code.
Calls to the user's own functions call a generated jvp of the callee.
"""

from __future__ import annotations

import copy

import gast

from .. import anno, runtime
from .. import template as tpl
from ..analysis import activity as analyze
from ..analysis.callees import is_user_function
from ..errors import NoDerivativeError
from ..naming import is_stack_name
from . import fused
from .calls import bind_atoms, callee_label
from .containers import in_place_error
from .reverse import _describe, run_template

ZERO = "tl_zero"
# Calls linear in their first argument: zero in, zero out.
LINEAR = {
    "sum",
    "mean",
    "transpose",
    "reshape",
    "ravel",
    "copy",
    "array",
    "real",
    "unbroadcast",
    "unreduce",
    "broadcast_like",
}
BILINEAR = {"dot", "matmul", "matmul_lhs", "matmul_rhs"}
# functions whose defaults are axis=None and keepdims=False: those keywords can go
REDUCTIONS = {
    "sum",
    "mean",
    "max",
    "min",
    "amax",
    "amin",
    "prod",
    "var",
    "std",
    "nansum",
    "nanmean",
    "nanmax",
    "nanmin",
    "nanprod",
    "all",
    "any",
    "ptp",
}


def zero() -> gast.Constant:
    node = anno.const(0.0)
    anno.set_(node, ZERO, True)
    return node


def is_zero(node) -> bool:
    return anno.get(node, ZERO, False)


class ForwardAD:
    """Builds the statements of a jvp function from a normalized body."""

    def __init__(self, fn, active: set[str], jvps):
        self.fn = fn
        self.namer = fn.namer
        self.np = fn.np_alias
        self.active = {n for n in active if not is_stack_name(n)}
        self.jvps = jvps
        self.missing: list = []  # calls without a derivative, reported together
        self.updated = _updated_in_place(fn.node) & self.active

    def tangent(self, name: str) -> str | None:
        return self.namer.tangent(name) if name in self.active else None

    def tangent_of(self, atom):
        """The tangent expression of an atom: its ``d`` name, or the zero marker."""
        name = self.tangent(atom.id) if isinstance(atom, gast.Name) else None
        return anno.name(name) if name else zero()

    def zeros(self, y: str) -> gast.stmt:
        self.fn.helpers["zeros_like"] = runtime.zeros_like
        return anno.assign(
            self.tangent(y), anno.call(anno.name("zeros_like"), [anno.name(y)])
        )

    def define(self, y: str, value) -> list:
        """``dy = value``, simplified; ``zeros_like(y)`` when it is zero."""
        value = simplify(value)
        return (
            [self.zeros(y)] if is_zero(value) else [anno.assign(self.tangent(y), value)]
        )

    # statements ---------------------------------------------------------------
    def block(self, stmts) -> list:
        out = []
        for stmt in stmts:
            out.extend(anno.copy_location(s, stmt) for s in self.visit(stmt))
        return out

    def visit(self, stmt) -> list:
        method = getattr(self, "visit_" + type(stmt).__name__, None)
        return [stmt] if method is None else method(stmt)

    def visit_If(self, stmt):
        stmt.body = self.block(stmt.body) or [gast.Pass()]
        stmt.orelse = self.block(stmt.orelse)
        return [stmt]

    def visit_While(self, stmt):
        stmt.body = self.block(stmt.body) or [gast.Pass()]
        return [stmt]

    def visit_For(self, stmt):
        prologue = self._loop_target(stmt)
        stmt.body = prologue + self.block(stmt.body) or [gast.Pass()]
        return [stmt]

    def _loop_target(self, stmt) -> list:
        """Iterate over values and tangents together: ``for v, dv in zip(x, dx)``."""
        target, it = stmt.target, stmt.iter
        if _is_enumerate(it, target):
            self.active.discard(target.elts[0].id)
            holder = gast.For(
                target=target.elts[1], iter=it.args[0], body=[], orelse=[]
            )
            prologue = self._loop_target(holder)
            target.elts[1], it.args[0] = holder.target, holder.iter
            return prologue
        names = anno.store_names(target) & self.active
        if not names:
            return []
        if _is_zip(it, target):
            return self._zip_target(stmt)
        if not isinstance(target, gast.Name):
            raise self.fn.error(
                stmt, "forward mode loops over active values with one name only"
            )
        if self._active_atom(it):
            pair = [anno.store(target.id), anno.store(self.tangent(target.id))]
            stmt.target = gast.Tuple(elts=pair, ctx=gast.Store())
            stmt.iter = anno.call(
                anno.name("zip"), [it, anno.name(self.tangent(it.id))]
            )
            return []
        if (
            anno.load_names(it) & self.active
        ):  # enumerate(xs, 1), zip(xs, ys) into one name
            raise self.fn.error(
                stmt,
                "forward mode loops over active values only as `for v in xs`, "
                "`for i, v in enumerate(xs)` or `for a, b in zip(xs, ys)`",
                "or loop over an index: for i in range(len(xs)): v = xs[i]",
            )
        return [self.zeros(target.id)]

    def _zip_target(self, stmt) -> list:
        """``for a, b in zip(x, y)`` -> ``for a, b, da in zip(x, y, dx)``."""
        prologue = []
        for name, source in zip(list(stmt.target.elts), list(stmt.iter.args)):
            if name.id not in self.active:
                continue
            if self._active_atom(source):
                stmt.target.elts.append(anno.store(self.tangent(name.id)))
                stmt.iter.args.append(anno.name(self.tangent(source.id)))
            else:
                prologue.append(self.zeros(name.id))
        return prologue

    def visit_Expr(self, stmt):
        call = stmt.value
        if analyze.is_stack_call(call, "append") and self._active_atom(call.args[0]):
            push = anno.call(copy.deepcopy(call.func), [self.tangent_of(call.args[0])])
            return [stmt, gast.Expr(value=push)]
        if analyze.is_method_call(call, "append") and self._active_atom(
            call.func.value
        ):
            lst = anno.name(self.tangent(call.func.value.id))
            return [
                stmt,
                gast.Expr(
                    value=anno.call(
                        anno.attr(lst, "append"), [self._part(call.args[0])]
                    )
                ),
            ]
        changed = (
            analyze.mutated_names(call) & self.active
            if isinstance(call, gast.Call)
            else ()
        )
        if not changed:
            return [stmt]
        if analyze.is_ufunc_at(call) and call.func.value.attr == "add":
            args = [
                self.tangent_of(call.args[0]),
                call.args[1],
                self.tangent_of(call.args[2]),
            ]
            if is_zero(args[2]):
                return [stmt]
            return [stmt, gast.Expr(value=anno.call(copy.deepcopy(call.func), args))]
        raise in_place_error(self.fn, stmt, changed)

    def _active_atom(self, atom) -> bool:
        return isinstance(atom, gast.Name) and atom.id in self.active

    def visit_Assign(self, stmt):
        target = stmt.targets[0]
        if anno.out_names(stmt.value) & self.active:
            raise in_place_error(
                self.fn, stmt, anno.out_names(stmt.value) & self.active
            )
        if isinstance(target, gast.Subscript):
            return self.setitem(stmt)
        if isinstance(target, (gast.Tuple, gast.List)):
            return self.unpack(stmt)
        if not isinstance(target, gast.Name) or target.id not in self.active:
            return [stmt]
        y, value = target.id, stmt.value
        if not analyze.is_differentiable_value(value):
            return [stmt, self.zeros(y)]
        if analyze.is_stack_call(value, "pop"):
            return [anno.assign(self.tangent(y), copy.deepcopy(value)), stmt]
        if isinstance(value, gast.Call) and self._is_user_call(value):
            return self.owned(y, self.jvps.forward(self, y, stmt))
        try:
            return self.owned(y, [stmt] + self.tangent_stmts(y, stmt))
        except NoDerivativeError as exc:  # reported with all the others at the end
            self.missing.append(exc)
            return [stmt]

    def owned(self, y: str, stmts: list) -> list:
        """``y`` is updated in place later (``y[i] = v``), and so is its tangent:
        where the tangent may be another array (``dy = dx``), copy it first."""
        if y not in self.updated:
            return stmts
        dy = self.tangent(y)
        last = next((s for s in reversed(stmts) if dy in anno.store_names(s)), None)
        if last is None or (isinstance(last, gast.Assign) and _fresh(last.value)):
            return stmts
        self.fn.helpers["owned"] = runtime.owned
        return stmts + [anno.assign(dy, anno.call(anno.name("owned"), [anno.name(dy)]))]

    def _is_user_call(self, call) -> bool:
        callee = anno.get(call, anno.CALLEE)
        return tpl.lookup(tpl.TANGENTS, callee) is None and self.jvps.is_user_function(
            callee
        )

    def tangent_stmts(self, y: str, stmt) -> list:
        value = stmt.value
        if isinstance(value, (gast.Name, gast.Constant)):
            return self.define(y, self.tangent_of(value))
        if isinstance(value, (gast.Tuple, gast.List)):
            elts = [self._part(e) for e in value.elts]
            return self.define(y, type(value)(elts=elts, ctx=gast.Load()))
        if isinstance(value, gast.Dict):
            values = [self._part(v) for v in value.values]
            return self.define(
                y, gast.Dict(keys=copy.deepcopy(value.keys), values=values)
            )
        if isinstance(value, gast.Subscript):
            base = self.tangent_of(value.value)
            if is_zero(base):
                return [self.zeros(y)]
            sub = gast.Subscript(
                value=base, slice=copy.deepcopy(value.slice), ctx=gast.Load()
            )
            return self.define(y, sub)
        template, bindings = self.template_for(value, stmt)
        bindings[template.params[0]] = anno.name(y)
        inst = tpl.Instantiator(
            template, bindings, self.tangent, self.namer, self.np, zero=lambda _: zero()
        )
        self.fn.helpers.update(template.helpers)
        out = []
        for item in run_template(self.fn, stmt, inst):
            out += (
                self.define(y, item.value)
                if isinstance(item, tpl.Contribution)
                else [item]
            )
        return out

    def _part(self, atom):
        """A tuple element's tangent; zeros (not the marker) for constant parts."""
        t = self.tangent_of(atom)
        if not is_zero(t):
            return t
        self.fn.helpers["zeros_like"] = runtime.zeros_like
        return anno.call(anno.name("zeros_like"), [copy.deepcopy(atom)])

    def template_for(self, value, stmt):
        marked = anno.get(stmt, fused.FUSED)
        if marked is not None:
            return fused.template(tpl.TANGENTS, marked)
        if isinstance(value, gast.Call):
            callee = anno.get(value, anno.CALLEE)
            template = tpl.lookup(tpl.TANGENTS, callee)
            if template is None:
                raise self.fn.no_derivative(value, _describe(callee, value))
            try:
                return template, tpl.bind(template, value)
            except TypeError as exc:
                msg = f"unsupported arguments to {_describe(callee, value)}: {exc}"
                raise self.fn.error(stmt, msg) from None
        key, operands = _operator_key(value)
        template = tpl.lookup(tpl.TANGENTS, key) if key is not None else None
        if template is None:
            what = (
                key[1]
                if isinstance(key, tuple)
                else getattr(key, "__name__", "expression")
            )
            raise self.fn.no_derivative(value, f"operator or attribute {what!r}")
        return template, dict(zip(template.params[1:], operands))

    def setitem(self, stmt):
        """``x[i] = v``: ``dx[i] = dv`` (``dx`` is an array this function owns or aliases)."""
        target, v = stmt.targets[0], stmt.value
        x = target.value
        if not self._active_atom(x):
            return [stmt]
        sub = gast.Subscript(
            value=anno.name(self.tangent(x.id)),
            slice=copy.deepcopy(target.slice),
            ctx=gast.Store(),
        )
        dv = self.tangent_of(v)
        return [stmt, anno.assign(sub, anno.const(0.0) if is_zero(dv) else dv)]

    def unpack(self, stmt):
        """``a, b = t``: ``da, db = dt``."""
        names = [e.id for e in stmt.targets[0].elts if isinstance(e, gast.Name)]
        if len(names) != len(stmt.targets[0].elts):
            raise self.fn.error(stmt, "forward mode unpacks only into plain names")
        if not any(n in self.active for n in names):
            return [stmt]
        t = stmt.value
        if self._active_atom(t):
            elts = [anno.store(self.namer.tangent(n)) for n in names]
            tangents = gast.Tuple(elts=elts, ctx=gast.Store())
            return [stmt, anno.assign(tangents, anno.name(self.tangent(t.id)))]
        return [stmt] + [self.zeros(n) for n in names if n in self.active]


def _updated_in_place(func) -> set[str]:
    """Names whose arrays the function updates through a subscript."""
    names = set()
    for node in anno.walk(func):
        targets = (
            node.targets
            if isinstance(node, gast.Assign)
            else [getattr(node, "target", None)]
        )
        for t in targets:
            if isinstance(t, gast.Subscript):
                names.add(anno.root_name(t))
    return names - {None}


def _fresh(value) -> bool:
    """An expression that makes a new value: arithmetic, or zeros."""
    return isinstance(value, (gast.BinOp, gast.UnaryOp)) or anno.is_call_to(
        value, "zeros_like"
    )


def _operator_key(value):
    if isinstance(value, gast.BinOp):
        return type(value.op), [value.left, value.right]
    if isinstance(value, gast.UnaryOp):
        return type(value.op), [value.operand]
    if isinstance(value, gast.Attribute):
        return ("attr", value.attr), [value.value]
    return None, []


def _is_enumerate(it, target) -> bool:
    return (
        isinstance(it, gast.Call)
        and anno.get(it, anno.CALLEE) is enumerate
        and isinstance(target, gast.Tuple)
        and len(target.elts) == 2
        and all(isinstance(e, gast.Name) for e in target.elts)
        and len(it.args) == 1
    )


def _is_zip(it, target) -> bool:
    return (
        isinstance(it, gast.Call)
        and anno.get(it, anno.CALLEE) is zip
        and isinstance(target, gast.Tuple)
        and len(target.elts) == len(it.args)
        and all(isinstance(e, gast.Name) for e in target.elts)
    )


# simplification of zero terms ----------------------------------------------------


def simplify(node):
    """Fold the zero marker: ``0 * a`` -> 0, ``a + 0`` -> a, ``f(0)`` -> 0 for linear f."""
    if isinstance(node, gast.BinOp):
        return _binop(node, simplify(node.left), simplify(node.right))
    if isinstance(node, gast.UnaryOp):
        operand = simplify(node.operand)
        if is_zero(operand) and isinstance(node.op, (gast.USub, gast.UAdd)):
            return operand
        node.operand = operand
        return node
    if isinstance(node, gast.Call):
        return _call(node)
    if isinstance(node, (gast.Tuple, gast.List)):
        node.elts = [simplify(e) for e in node.elts]
    return node


def _binop(node, left, right):
    op = node.op
    if isinstance(op, gast.Add) and (is_zero(left) or is_zero(right)):
        return right if is_zero(left) else left
    if isinstance(op, gast.Sub) and is_zero(right):
        return left
    if isinstance(op, gast.Sub) and is_zero(left):
        return gast.UnaryOp(op=gast.USub(), operand=right)
    if isinstance(op, (gast.Mult, gast.MatMult)) and (is_zero(left) or is_zero(right)):
        return zero()
    if isinstance(op, gast.Div) and is_zero(left):
        return zero()
    node.left, node.right = left, right
    return node  # constants fold later, in optimize_fold


def _call(node):
    had_zero = any(is_zero(n) for n in anno.walk(node))
    node.args = [simplify(a) for a in node.args]
    name = (
        node.func.attr
        if isinstance(node.func, gast.Attribute)
        else getattr(node.func, "id", "")
    )
    if name in REDUCTIONS:
        node.keywords = [k for k in node.keywords if not _default_keyword(k)]
    if name in BILINEAR and any(is_zero(a) for a in node.args):
        return zero()
    if name in LINEAR and node.args and is_zero(node.args[0]):
        return zero()
    if name == "broadcast_like" and not had_zero:
        return node.args[0]
    return node


def _default_keyword(k) -> bool:
    value = k.value
    return (k.arg, getattr(value, "value", 0)) in (
        ("axis", None),
        ("keepdims", False),
    ) and (isinstance(value, gast.Constant))


# calls to the user's functions -------------------------------------------------------


class Jvps:
    """The jvp functions made so far for one generated module, keyed on (function, wrt)."""

    def __init__(self, module):
        self.module = module
        self.names: dict = {}

    def is_user_function(self, obj) -> bool:
        return is_user_function(obj, tpl.TANGENTS)

    def forward(self, fad: ForwardAD, y: str, stmt) -> list:
        """``y = g(a, b)`` -> ``y, dy = _jvp_g(a, b, da)``."""
        call = stmt.value
        func = anno.get(call, anno.CALLEE)
        atoms = bind_atoms(fad.fn, func, call, stmt)
        positions = tuple(i for i, a in enumerate(atoms) if fad._active_atom(a))
        if not positions:
            return [stmt, fad.zeros(y)]
        name = self.jvp_name(func, positions, callee_label(func, call))
        tangents = [anno.name(fad.tangent(atoms[i].id)) for i in positions]
        pair = gast.Tuple(
            elts=[anno.store(y), anno.store(fad.tangent(y))], ctx=gast.Store()
        )
        return [anno.assign(pair, anno.call(anno.name(name), atoms + tangents))]

    def jvp_name(self, func, positions, label) -> str:
        key = (func, positions)
        if key not in self.names:
            self.names[key] = self.module.fresh(f"_jvp_{label}")
            self._build(func, positions, self.names[key])
        return self.names[key]

    def _build(self, func, positions, name) -> None:
        from ..frontend.prepare import prepare

        info = prepare(func, helper=True)
        wrt = [info.params[i] for i in positions]
        self.module.add(info, [jvp_function(info, wrt, self, name)])


def jvp_function(info, wrt: list[str], jvps, name: str) -> gast.FunctionDef:
    """``def name(params, dwrt...): body with tangents; return value, dvalue``."""
    from .assemble import _arguments, _funcdef

    body, ret = info.node.body[:-1], info.result
    outputs = anno.load_names(ret)
    active = analyze.active_names(body, set(wrt), outputs) | (set(wrt) & outputs)
    fused.mark(body)
    fad = ForwardAD(info, active, jvps)
    tangent_params = [info.namer.tangent(p) for p in wrt]
    inits = [fad.zeros(p) for p in info.params if p in fad.active and p not in wrt]
    stmts = inits + fad.block(body)
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
