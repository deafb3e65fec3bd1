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
from ..frontend.lower import dicts_looped_over
from ..frontend.regions import CAUGHT, NEUTRAL
from ..naming import (
    ADJOINT_PREFIX,
    BSTACK_NAME,
    STACK_NAME,
    TEMP_PREFIX,
    is_stack_name,
)
from .adjoints import Adjoints
from .containers import ContainersMixin, maybe_containers
from .loops import LoopsMixin, is_range_loop
from .saving import (
    SavingMixin,
    _array_names,
    _pop,
    _rename,
    _runtime,
    _stack_call,
)
from .statements import Sweep


class ReverseAD(ContainersMixin, SavingMixin, LoopsMixin, Sweep):
    """Builds (forward, reverse) statement lists for one function."""

    table = tpl.ADJOINTS

    def __init__(self, fn, active: set[str], sites, calls):
        super().__init__(fn, active, calls)
        self.sites = sites
        self.adj = Adjoints(fn)
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
        objects = {m.receiver for m in fn.methods}  # whose methods it calls
        # seeds: a b_tuple of generated code
        self.containers = maybe_containers(fn.node.body) | seeds | objects
        self.adj.containers = self.containers
        if self.containers:
            fn.helpers["zeros_like"] = _runtime("zeros_like")
        self._pending_inits: list = []
        # per statement being visited: names surely bound where it begins
        self._bound: list[frozenset[str]] = [frozenset(fn.params)]

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

    def unchanged(self, stmt):
        return [stmt], []

    def derivative(self, name):
        return self.adj.name(name) if name in self.active else None

    # blocks -----------------------------------------------------------------
    def block(self, stmts) -> tuple[list, list]:
        fwd_parts, rev = [], []
        self._saved_later.append({})
        entries = _bound_at_entry(stmts, self._bound[-1] if self._bound else set())
        for stmt, bound in reversed(list(zip(stmts, entries))):
            self._bound.append(bound)
            fwd, back = self.visit(stmt)
            self._bound.pop()
            fwd_parts.append([anno.copy_location(s, stmt) for s in fwd])
            rev.extend(anno.copy_location(s, stmt) for s in back)
            for name in anno.store_names(stmt):
                self._saved_later[-1].pop(name, None)
        self._saved_later.pop()
        fwd = [s for part in reversed(fwd_parts) for s in part]
        return fwd, rev

    # assignments to a name: (forward statements, adjoint items) --------------------
    def assign(self, y, stmt):
        differentiable = analyze.is_differentiable_value(stmt.value)
        if y not in self.active or not self.adj.has(y) or not differentiable:
            self.adj.kill(y)
            return [stmt], []
        fwd, items = self.collecting(lambda: self.rule(y, stmt), ([stmt], []))
        rev = self.materialize(items)
        self.adj.kill(y)
        return self.save(stmt, fwd, rev)

    def copy_value(self, y, stmt):
        return [stmt], self._contrib(stmt.value, anno.name(self.adj.name(y)))

    def user_call(self, y, stmt):
        return self.calls.reverse(self, y, stmt)

    def operation(self, y, stmt, items):
        return [stmt], items

    def _contrib(self, atom, value):
        if self.is_active(atom):
            if is_stack_name(atom.id):  # a save stack returned: its adjoints' stack
                return [anno.assign(self.stack_name(BSTACK_NAME), value)]
            return [tpl.Contribution(atom.id, value)]
        return []

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
        fwd_body, fwd_else, rev = self._branches(
            stmt, stmt.body, stmt.orelse, stmt.test
        )
        fwd = [gast.If(test=stmt.test, body=fwd_body or [gast.Pass()], orelse=fwd_else)]
        return self.save(stmt, fwd, rev, "test") if rev else (fwd, [])

    def _branches(self, stmt, body, orelse, test):
        """The forward sweeps of two branches, and ``if test:`` over their adjoints
        (``[]`` where neither has one)."""
        after = self.adj.snapshot()
        fwd_body, rev_body = self.block(body)
        state_body = self.adj.snapshot()
        self.adj.restore(after)
        fwd_else, rev_else = self.block(orelse)
        state_else = self.adj.snapshot()
        fwd_body, fwd_else = self._merge(
            stmt, (state_body, fwd_body, rev_body), (state_else, fwd_else, rev_else)
        )
        if not rev_body and not rev_else:
            return fwd_body, fwd_else, []
        rev = gast.If(
            test=copy.deepcopy(test), body=rev_body or [gast.Pass()], orelse=rev_else
        )
        return fwd_body, fwd_else, [rev]

    def visit_Try(self, stmt):
        """A lowered ``try``: the body's adjoint runs where the body ran to its end
        (no handler recorded in ``_caught``); the handlers stay as they are."""
        caught = anno.get(stmt, CAUGHT)
        if caught is None:  # every handler raises
            fwd_body, rev = self.block(stmt.body)
        else:
            test = gast.Compare(
                left=anno.name(caught), ops=[gast.Eq()], comparators=[anno.const(0)]
            )
            fwd_body, _, rev = self._branches(stmt, stmt.body, [], test)
        fwd = [_with_body(stmt, fwd_body)]
        if caught is None or not rev:
            return fwd, rev
        return self.save(stmt, self._unpushed(fwd), rev, "test")

    def _unpushed(self, fwd):
        """A body that stops part way leaves on the stack only what it pushed
        before: a handler that lets control go on takes that off again."""
        region = fwd[0]
        stack = self.stacks[STACK_NAME]
        pushes = any(
            analyze.is_stack_call(n, "append") and n.func.value.id == stack
            for n in anno.walk(gast.Module(body=region.body, type_ignores=[]))
        )
        if not pushes:
            return fwd
        depth = self.namer.temp("depth")
        self.fn.helpers["truncate"] = _runtime("truncate")
        drop = anno.call(anno.name("truncate"), [anno.name(stack), anno.name(depth)])
        region.handlers = [copy.copy(h) for h in region.handlers]
        for handler in region.handlers:
            if not isinstance(handler.body[-1], gast.Raise):
                handler.body = [gast.Expr(value=drop)] + handler.body
        size = anno.call(anno.name("len"), [anno.name(stack)])
        return [anno.assign(depth, size), region]

    def visit_With(self, stmt):
        """The body in its context; the adjoint too, where the context leaves values
        alone (``np.errstate``); else after a check that the body ran to its end."""
        fwd_body, rev_body = self.block(stmt.body)
        if not rev_body:
            return [_with_body(stmt, fwd_body)], []
        if anno.get(stmt, NEUTRAL):
            items = [
                gast.withitem(
                    context_expr=anno.clone(i.context_expr), optional_vars=None
                )
                for i in stmt.items
            ]
            rev = gast.With(items=items, body=rev_body, type_comment=None)
            return self.save(stmt, [_with_body(stmt, fwd_body)], [rev], "items")
        ran = self.namer.temp("ran")
        self.fn.primal_names.add(ran)
        self.sites.assigned.setdefault(ran, []).append(self.sites.order[id(stmt)])
        fwd_body = fwd_body + [anno.assign(ran, anno.const(True))]
        fwd = [anno.assign(ran, anno.const(False)), _with_body(stmt, fwd_body)]
        self.fn.helpers["body_stopped"] = _runtime("body_stopped")
        stopped = gast.Expr(value=anno.call(anno.name("body_stopped")))
        rev = gast.If(test=anno.name(ran), body=rev_body, orelse=[stopped])
        return self.save(stmt, fwd, [rev], "test")

    def _merge(self, stmt, *branches):
        """Each branch ``(state, fwd, rev)`` of ``stmt`` starts the adjoints the
        other starts: with zeros shaped like the value the name had where the
        branch began, saved there (the reverse sweep restores a value only for
        an adjoint that reads it, and this branch has none).  Returns the
        branches' forward sweeps."""
        names = sorted(set(branches[0][0]) | set(branches[1][0]))
        fwds = []
        for state, fwd, rev in branches:
            missing = [n for n in names if n not in state]
            fwd, copies = self._entry_values(stmt, missing, fwd, rev)
            for name in missing:
                rev.append(_rename(self.adj.zeros(name), copies))
                state[name] = True
            fwds.append(fwd)
        merged = {n: branches[0][0][n] and branches[1][0][n] for n in names}
        self.adj.restore(merged)
        return fwds

    def _entry_values(self, stmt, names, fwd, rev):
        """The values ``names`` hold where a branch of ``stmt`` begins, for the end
        of its reverse sweep: pushed there and popped back inside loops, else
        copied (``{name: copy}``) where something after may rebind them."""
        needed = [
            n
            for n in names
            if n in self.fn.primal_names
            and n in self._bound[-1]
            and self.sites.overwritten_after(n, stmt)
        ]
        if not needed:
            return fwd, {}
        if self.sites.in_loop(stmt):
            self.uses_stack = True
            self.restored.update(needed)
            stack = self.stack_name(STACK_NAME)
            rev.extend(anno.assign(n, _pop(stack)) for n in reversed(needed))
            pushes = [_stack_call(stack, "append", [anno.name(n)]) for n in needed]
            return pushes + fwd, {}
        copies = {n: self.namer.temp(n) for n in needed}
        return [
            anno.assign(new, anno.name(old)) for old, new in copies.items()
        ] + fwd, copies


def _with_body(stmt, body):
    """A copy of the ``try`` or ``with`` statement ``stmt`` around ``body``."""
    new = copy.copy(stmt)
    new.body = body or [gast.Pass()]
    return new


def _bound_at_entry(stmts, outer) -> list[frozenset[str]]:
    """For each statement, the names surely bound where it begins: ``outer``, and
    those earlier assignments of the block bind (a loop's body: its target too)."""
    bound, out = set(outer), []
    for stmt in stmts:
        entry = set(bound)
        if isinstance(stmt, gast.For):
            entry |= anno.store_names(stmt.target)
        out.append(frozenset(entry))
        if isinstance(stmt, (gast.Assign, gast.AugAssign)):
            bound |= anno.store_names(stmt)
    return out


def _subscripted(body) -> set[str]:
    """Names read with a subscript (``x[i]``, ``layers[1:]``)."""
    return {
        node.value.id
        for node in anno.walk(gast.Module(body=body, type_ignores=[]))
        if isinstance(node, gast.Subscript)
        and isinstance(node.value, gast.Name)
        and isinstance(node.ctx, gast.Load)
    }


__all__ = ["ReverseAD", "is_range_loop"]
