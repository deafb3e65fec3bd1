"""Reverse mode: a normalized body becomes a forward sweep and a reverse sweep.

Each statement's adjoint comes from its template.  Values the adjoint reads that
may be overwritten before the reverse sweep reaches it are saved right after the
statement: copied to a fresh name in straight-line code, pushed on ``_stack``
inside loops (and popped just before the adjoint runs).  Loops stay loops: a
``for i in range(n)`` is reversed as ``for i in reversed(range(n))``, other
loops replay their trip count.
"""

from __future__ import annotations

import copy

import gast

from .. import anno
from .. import template as tpl
from ..analysis import activity as analyze
from ..errors import NoDerivativeError
from ..frontend.lower import dicts_looped_over
from ..naming import ADJOINT_PREFIX, BSTACK_NAME, STACK_NAME, TEMP_PREFIX
from . import fused
from .adjoints import Adjoints
from .containers import ContainersMixin, in_place_error, maybe_containers
from .loops import LoopsMixin, is_range_loop
from .saving import SavingMixin, _array_names, _runtime


class ReverseAD(ContainersMixin, SavingMixin, LoopsMixin):
    """Builds (forward, reverse) statement lists for one function."""

    def __init__(self, fn, active: set[str], sites, calls):
        self.fn = fn
        self.namer = fn.namer
        self.np = fn.np_alias
        self.active = active
        self.sites = sites
        self.calls = calls
        self.missing: list = []  # calls without a derivative, reported together
        self.adj = Adjoints(fn.namer, fn.np_alias)
        self.uses_stack = False
        self.uses_bstack = False
        self.stacks = {base: fn.namer.fresh(base) for base in (STACK_NAME, BSTACK_NAME)}
        self.restored: set[str] = set()
        self.int_names: set[str] = set()
        # per block: names a later statement of the block already saves, and how
        # (STACKED, or the name of the copy), while nothing rebinds them in between
        self._saved_later: list[dict[str, str]] = []
        self.arrays = _array_names(fn.node.body)
        seeds = {p for p in fn.params if p.startswith(ADJOINT_PREFIX + TEMP_PREFIX)}
        self.containers = (
            maybe_containers(fn.node.body) | seeds
        )  # b_tuple: generated code
        self.adj.containers = self.containers
        if self.containers:
            fn.helpers["zeros_like"] = _runtime("zeros_like")
        self._pending_inits: list = []

    def loops_over(self, body) -> None:
        """Names the lowered ``body`` indexes that are not surely arrays may be lists
        or tuples: their gradients start as ``zeros_items(Ws)``, a list where ``Ws``
        is one (``bWs[_k] += bW``); dicts looped over by their keys are containers."""
        self.adj.sequences = _subscripted(body) - self.arrays - self.containers
        if self.adj.sequences:
            self.fn.helpers["zeros_items"] = _runtime("zeros_items")
        dicts = dicts_looped_over(body) - self.containers
        if dicts:  # for k, v in d.items(): d is a dict
            self.containers |= dicts
            self.fn.helpers["zeros_like"] = _runtime("zeros_like")

    # blocks -----------------------------------------------------------------
    def block(self, stmts) -> tuple[list, list]:
        fwd_parts, rev = [], []
        self._saved_later.append({})
        for stmt in reversed(stmts):
            fwd, back = self.visit(stmt)
            fwd_parts.append([anno.copy_location(s, stmt) for s in fwd])
            rev.extend(anno.copy_location(s, stmt) for s in back)
            for name in anno.store_names(stmt):
                self._saved_later[-1].pop(name, None)
        self._saved_later.pop()
        fwd = [s for part in reversed(fwd_parts) for s in part]
        return fwd, rev

    def visit(self, stmt):
        method = getattr(self, "visit_" + type(stmt).__name__, None)
        if method is None:
            return [stmt], []
        return method(stmt)

    # assignments --------------------------------------------------------------
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
        if not isinstance(target, gast.Name):
            return [stmt], []
        if analyze.is_stack_call(stmt.value, "pop"):
            return self.stack_pop(stmt)
        y = target.id
        differentiable = analyze.is_differentiable_value(stmt.value)
        if y not in self.active or not self.adj.has(y) or not differentiable:
            self.adj.kill(y)
            return [stmt], []
        try:
            fwd, items = self.adjoint_of(y, stmt)
        except NoDerivativeError as exc:  # reported with all the others at the end
            self.missing.append(exc)
            fwd, items = [stmt], []
        rev = self.materialize(items)
        self.adj.kill(y)
        return self.save(stmt, fwd, rev)

    def adjoint_of(self, y, stmt):
        """(forward statements, adjoint items) of ``y = value``."""
        value = stmt.value
        if isinstance(value, gast.Name):
            return [stmt], self._contrib(value, anno.name(self.adj.name(y)))
        if isinstance(value, (gast.Tuple, gast.List)):
            items = []
            for k, elt in enumerate(value.elts):
                g = gast.Subscript(
                    value=anno.name(self.adj.name(y)),
                    slice=anno.const(k),
                    ctx=gast.Load(),
                )
                items += self._contrib(elt, g)
            return [stmt], items
        if isinstance(value, gast.Dict):
            return [stmt], self.dict_literal(y, value)
        if isinstance(value, gast.Subscript):
            return [stmt], self.getitem(y, value)
        marked = anno.get(stmt, fused.FUSED)
        if marked is not None:
            template, bindings = fused.template(tpl.ADJOINTS, marked)
        elif isinstance(value, gast.Call):
            callee = anno.get(value, anno.CALLEE)
            template = tpl.lookup(tpl.ADJOINTS, callee)
            if template is None and self.calls.is_user_function(callee):
                return self.calls.reverse(self, y, stmt)
            bindings = self._bind_call(template, value, stmt)
        else:
            template, bindings = self._template_for(value, stmt)
        bindings[template.params[0]] = anno.name(y)
        inst = tpl.Instantiator(template, bindings, self._deriv, self.namer, self.np)
        self.fn.helpers.update(template.helpers)
        return [stmt], run_template(self.fn, stmt, inst)

    def _contrib(self, atom, value):
        if isinstance(atom, gast.Name) and atom.id in self.active:
            return [tpl.Contribution(atom.id, value)]
        return []

    def _deriv(self, name):
        if name not in self.active:
            return None
        return self.adj.name(name)

    def _template_for(self, value, stmt):
        if isinstance(value, gast.BinOp):
            key, operands = type(value.op), [value.left, value.right]
        elif isinstance(value, gast.UnaryOp):
            key, operands = type(value.op), [value.operand]
        elif isinstance(value, gast.Attribute):
            key, operands = ("attr", value.attr), [value.value]
        else:
            raise self.fn.error(
                stmt, f"cannot differentiate {type(value).__name__} expression"
            )
        template = tpl.lookup(tpl.ADJOINTS, key)
        if template is None:
            what = key[1] if isinstance(key, tuple) else key.__name__
            raise self.fn.no_derivative(stmt, f"operator or attribute {what!r}")
        return template, dict(zip(template.params[1:], operands))

    def _bind_call(self, template, call, stmt):
        callee = anno.get(call, anno.CALLEE)
        if template is None:
            where = call if getattr(call, "lineno", None) else stmt
            raise self.fn.no_derivative(where, _describe(callee, call))
        try:
            return tpl.bind(template, call)
        except TypeError as exc:
            raise self.fn.error(
                stmt, f"unsupported arguments to {_describe(callee, call)}: {exc}"
            ) from None

    def materialize(self, items) -> list:
        out = []
        for item in items:
            if isinstance(item, tpl.Contribution):
                out += self.adj.contribute(item.name, item.value)
            else:
                out.append(item)
        return out

    # control flow -----------------------------------------------------------------
    def visit_If(self, stmt):
        after = self.adj.snapshot()
        fwd_body, rev_body = self.block(stmt.body)
        state_body = self.adj.snapshot()
        self.adj.restore(after)
        fwd_else, rev_else = self.block(stmt.orelse)
        state_else = self.adj.snapshot()
        self._merge(state_body, rev_body, state_else, rev_else)
        fwd = [gast.If(test=stmt.test, body=fwd_body or [gast.Pass()], orelse=fwd_else)]
        if not rev_body and not rev_else:
            return fwd, []
        rev = [
            gast.If(
                test=copy.deepcopy(stmt.test),
                body=rev_body or [gast.Pass()],
                orelse=rev_else,
            )
        ]
        return self.save(stmt, fwd, rev, "test")

    def _merge(self, state_a, rev_a, state_b, rev_b):
        merged = {}
        for name in sorted(set(state_a) | set(state_b)):
            for state, rev in ((state_a, rev_a), (state_b, rev_b)):
                if name not in state:
                    rev.append(self.adj.zeros(name))
                    state[name] = True
            merged[name] = state_a[name] and state_b[name]
        self.adj.restore(merged)


def _subscripted(body) -> set[str]:
    """Names read with a subscript (``x[i]``, ``layers[1:]``)."""
    return {
        node.value.id
        for node in anno.walk(gast.Module(body=body, type_ignores=[]))
        if isinstance(node, gast.Subscript)
        and isinstance(node.value, gast.Name)
        and isinstance(node.ctx, gast.Load)
    }


def run_template(fn, stmt, inst) -> list:
    """The template's statements for ``stmt``; an argument it needs as a literal
    and that is not one is the user's to write out."""
    try:
        return inst.run()
    except tpl.NotLiteral:
        raise fn.error(
            stmt,
            "an argument the derivative depends on (an order, an axis, a mode) is not a literal",
            "write its value in the call, e.g. order='F' or axis=0",
        ) from None


def _describe(callee, call) -> str:
    if callee is None:
        func = call.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
            if func.value.id.startswith(TEMP_PREFIX):  # x[1].item(): a value made here
                return f"the method .{func.attr}()"
        return gast.unparse(func) if hasattr(gast, "unparse") else "a call"
    module = getattr(callee, "__module__", None) or ""
    name = getattr(callee, "__qualname__", None) or getattr(
        callee, "__name__", repr(callee)
    )
    return f"{module}.{name}" if module and module != "builtins" else name


__all__ = ["ReverseAD", "is_range_loop"]
