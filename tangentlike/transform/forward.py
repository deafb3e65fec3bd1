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
from ..naming import is_stack_name
from ..runtime import facts
from .statements import Sweep, record_fields

ZERO = "tl_zero"
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


class ForwardAD(Sweep):
    """Builds the statements of a jvp function from a normalized body."""

    table = tpl.TANGENTS

    def __init__(self, fn, active: set[str], calls):
        super().__init__(fn, {n for n in active if not is_stack_name(n)}, calls)
        self.updated = _updated_in_place(fn.node) & self.active

    def unchanged(self, stmt):
        return [stmt]

    def tangent(self, name: str) -> str | None:
        return self.namer.tangent(name) if name in self.active else None

    derivative = tangent

    def zero_of(self, atom):
        return zero()

    def fold_zero(self, node):
        if not any(is_zero(n) for n in anno.walk(node)):
            return node
        node = simplify(node)
        return None if is_zero(node) else node

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

    def visit_If(self, stmt):
        stmt.body = self.block(stmt.body) or [gast.Pass()]
        stmt.orelse = self.block(stmt.orelse)
        return [stmt]

    def visit_While(self, stmt):
        stmt.body = self.block(stmt.body) or [gast.Pass()]
        return [stmt]

    def visit_Try(self, stmt):
        """Tangents are computed beside their values: a body that stops part way
        leaves both as far as it got, and the handlers stay as they are."""
        stmt.body = self.block(stmt.body) or [gast.Pass()]
        return [stmt]

    visit_With = visit_Try

    def visit_For(self, stmt):
        prologue = self._loop_target(stmt)
        stmt.body = prologue + self.block(stmt.body) or [gast.Pass()]
        return [stmt]

    def _loop_target(self, stmt) -> list:
        """Iterate over values and tangents together: ``for v, dv in zip(x, dx)``
        (the loops ``pairs_with_tangents`` holds to; others are index loops)."""
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
        if self.is_active(it):
            pair = [anno.store(target.id), anno.store(self.tangent(target.id))]
            stmt.target = gast.Tuple(elts=pair, ctx=gast.Store())
            stmt.iter = anno.call(
                anno.name("zip"), [it, anno.name(self.tangent(it.id))]
            )
            return []
        return [self.zeros(n) for n in sorted(names)]  # rebound in the body

    def _zip_target(self, stmt) -> list:
        """``for a, b in zip(x, y)`` -> ``for a, b, da in zip(x, y, dx)``."""
        prologue = []
        for name, source in zip(list(stmt.target.elts), list(stmt.iter.args)):
            if name.id not in self.active:
                continue
            if self.is_active(source):
                stmt.target.elts.append(anno.store(self.tangent(name.id)))
                stmt.iter.args.append(anno.name(self.tangent(source.id)))
            else:
                prologue.append(self.zeros(name.id))
        return prologue

    # Every value on a save stack has its tangent beside it, active or not: the
    # code that pushes a value may differentiate it where the code popping it only
    # takes its shape, and the pairs must stay aligned.
    def stack_append(self, stmt):
        """``_stack.append(x)``: push ``dx`` after it."""
        call = stmt.value
        x = call.args[0]
        if self.is_active(x):
            dx = self.tangent_of(x)
        else:
            self.fn.helpers["zero_grad"] = runtime.zero_grad
            dx = anno.call(anno.name("zero_grad"), [copy.deepcopy(x)])
        push = anno.call(copy.deepcopy(call.func), [dx])
        return [stmt, gast.Expr(value=push)]

    def stack_pop(self, stmt):
        """``x = _stack.pop()``: pop ``dx`` before it."""
        y = stmt.targets[0].id
        if y not in self.active:
            return [gast.Expr(value=copy.deepcopy(stmt.value)), stmt]
        return [anno.assign(self.tangent(y), copy.deepcopy(stmt.value)), stmt]

    def list_append(self, stmt):
        """``lst.append(v)``: ``dlst.append(dv)``."""
        call = stmt.value
        if not self.is_active(call.func.value):
            return [stmt]
        lst = anno.name(self.tangent(call.func.value.id))
        append = anno.call(anno.attr(lst, "append"), [self._part(call.args[0])])
        return [stmt, gast.Expr(value=append)]

    def list_pop(self, v, stmt):
        """``v = lst.pop()``: ``dv = dlst.pop()`` (``dlst.pop()`` for ``lst.pop()``)."""
        lst = stmt.value.func.value
        if not self.is_active(lst):  # an item of a constant list: a zero tangent
            return [stmt, self.zeros(v)] if v in self.active else [stmt]
        popped = anno.call(anno.attr(anno.name(self.tangent(lst.id)), "pop"), [])
        if v is None or v not in self.active:
            return [stmt, gast.Expr(value=popped)]
        return [stmt, anno.assign(self.tangent(v), popped)]

    def add_at(self, stmt):
        """``np.add.at(x, i, v)``: ``np.add.at(dx, i, dv)``."""
        call = stmt.value
        args = [
            self.tangent_of(call.args[0]),
            call.args[1],
            self.tangent_of(call.args[2]),
        ]
        if is_zero(args[2]):
            return [stmt]
        return [stmt, gast.Expr(value=anno.call(copy.deepcopy(call.func), args))]

    # assignments to a name: the statement and its tangent -------------------------
    def assign(self, y, stmt):
        if y not in self.active:
            return [stmt]
        if not analyze.is_differentiable_value(stmt.value):
            return [stmt, self.zeros(y)]
        return self.collecting(lambda: self.owned(y, self.rule(y, stmt)), [stmt])

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

    def copy_value(self, y, stmt):
        return [stmt] + self.define(y, self.tangent_of(stmt.value))

    def sequence(self, y, stmt):
        value = stmt.value
        elts = [self._part(e) for e in value.elts]
        return [stmt] + self.define(y, type(value)(elts=elts, ctx=gast.Load()))

    def sequence_op(self, y, stmt):
        """``c = a + b`` of lists: a constant part's tangent is its zeros, not nothing
        (``dc = zeros_like(a) + db``); ``a * n`` repeats the tangents."""
        value = stmt.value
        if not isinstance(value.op, gast.Add):
            template, bindings = self.template_for(value, stmt)
            return self.operation(
                y, stmt, self.instantiate(template, bindings, y, stmt)
            )
        left, right = (self._part(v) for v in (value.left, value.right))
        return [stmt] + self.define(
            y, gast.BinOp(left=left, op=gast.Add(), right=right)
        )

    def record(self, y, stmt):
        """``p = Point(a, b)``: ``dp = (da, db)`` for a named tuple, ``{"a": da,
        "b": db}`` by field for a dataclass (``attr_part`` reads either)."""
        fields = record_fields(stmt.value)
        parts = [self._part(atom) for _, atom in fields]
        if issubclass(anno.get(stmt.value, anno.CALLEE), tuple):
            return [stmt] + self.define(y, gast.Tuple(elts=parts, ctx=gast.Load()))
        keys = [anno.const(field) for field, _ in fields]
        return [stmt] + self.define(y, gast.Dict(keys=keys, values=parts))

    def dict_literal(self, y, stmt):
        value = stmt.value
        values = [self._part(v) for v in value.values]
        keys = copy.deepcopy(value.keys)
        return [stmt] + self.define(y, gast.Dict(keys=keys, values=values))

    def getitem(self, y, stmt):
        value = stmt.value
        base = self.tangent_of(value.value)
        if is_zero(base):
            return [stmt, self.zeros(y)]
        sub = gast.Subscript(
            value=base, slice=copy.deepcopy(value.slice), ctx=gast.Load()
        )
        return [stmt] + self.define(y, sub)

    def user_call(self, y, stmt):
        return self.calls.forward(self, y, stmt)

    def operation(self, y, stmt, items):
        out = [stmt]
        for item in items:
            if isinstance(item, tpl.Contribution):
                out += self.define(y, item.value)
            else:
                out.append(item)
        return out

    def _part(self, atom):
        """A tuple element's tangent; zeros (not the marker) for constant parts."""
        t = self.tangent_of(atom)
        if not is_zero(t):
            return t
        self.fn.helpers["zeros_like"] = runtime.zeros_like
        return anno.call(anno.name("zeros_like"), [copy.deepcopy(atom)])

    def setitem(self, stmt):
        """``x[i] = v``: ``dx[i] = dv`` (``dx`` is an array this function owns or aliases)."""
        target, v = stmt.targets[0], stmt.value
        x = target.value
        if not self.is_active(x):
            return [stmt]
        sub = gast.Subscript(
            value=anno.name(self.tangent(x.id)),
            slice=copy.deepcopy(target.slice),
            ctx=gast.Store(),
        )
        dv = self.tangent_of(v)
        if is_zero(dv):  # an item of a list or dict is a value of its own: its zeros
            container = x.id in self.sequences or (
                isinstance(target.slice, gast.Constant)
                and isinstance(target.slice.value, str)
            )
            dv = self._part(v) if container else anno.const(0.0)
        return [stmt, anno.assign(sub, dv)]

    def unpack(self, stmt):
        """``a, b = t``: ``da, db = dt``."""
        names = [e.id for e in stmt.targets[0].elts if isinstance(e, gast.Name)]
        if len(names) != len(stmt.targets[0].elts):
            raise self.fn.error(stmt, "forward mode unpacks only into plain names")
        if not any(n in self.active for n in names):
            return [stmt]
        t = stmt.value
        if self.is_active(t):
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


def pairs_with_tangents(loop, active: set[str]) -> bool:
    """Whether forward mode iterates over ``loop``'s values and tangents together
    (``for v, dv in zip(xs, dxs)``); other loops over active values (a dict's
    items, ``enumerate(xs, 1)``, a pair in one name) become index loops first."""
    target, it = loop.target, loop.iter
    if not anno.load_names(it) & active:
        return True
    if isinstance(it, gast.Name):
        return isinstance(target, gast.Name)
    if _is_enumerate(it, target):
        return isinstance(it.args[0], gast.Name)
    return _is_zip(it, target) and all(isinstance(a, gast.Name) for a in it.args)


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


# Each operator drops a zero tangent in its own way: a sum keeps the other side,
# a difference keeps or negates it, a product (or matrix product) is zero with
# either factor, a quotient only with a zero numerator; anything else is kept.
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
    if any(is_zero(node.args[i]) for i in linear_in(name) if i < len(node.args)):
        return zero()
    if name == runtime.broadcast_like.__name__ and not had_zero:
        return node.args[0]  # d[x] + d[y] has the sum's shape: no term was dropped
    return node


def linear_in(name: str) -> tuple[int, ...]:
    """The arguments the function generated code calls ``name`` is linear in: a
    runtime helper's declared facts, or a primal declared with ``linear()``."""
    declared = facts.named(name)
    return declared.linear if declared is not None else tpl.LINEAR_IN.get(name, ())


def _default_keyword(k) -> bool:
    value = k.value
    return (k.arg, getattr(value, "value", 0)) in (
        ("axis", None),
        ("keepdims", False),
    ) and (isinstance(value, gast.Constant))
