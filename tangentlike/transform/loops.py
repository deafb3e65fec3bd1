"""Reverse mode of loops: loops stay loops.

A ``for i in range(n)`` is reversed as ``for i in reversed(range(n))``; other
loops count their trips and replay that count.  The derivative state is made the
same on every iteration by initialising carried adjoints before the loop.
"""

from __future__ import annotations

import copy

import gast

from .. import anno


class LoopsMixin:
    """``for`` and ``while`` for ``ReverseAD``."""

    def visit_For(self, stmt):
        if is_range_loop(stmt):
            return self._range_loop(stmt)
        return self._counted_loop(stmt)

    def visit_While(self, stmt):
        return self._counted_loop(stmt)

    def _range_loop(self, stmt):
        self.int_names.add(stmt.target.id)
        fwd_body, rev_body = self.loop_body(stmt)
        fwd = [
            gast.For(
                target=stmt.target,
                iter=stmt.iter,
                body=fwd_body or [gast.Pass()],
                orelse=[],
                type_comment=None,
            )
        ]
        if not rev_body:
            return fwd, []
        backwards = anno.call(anno.name("reversed"), [copy.deepcopy(stmt.iter)])
        loop = gast.For(
            target=copy.deepcopy(stmt.target),
            iter=backwards,
            body=rev_body,
            orelse=[],
            type_comment=None,
        )
        return self._saved_with_inits(stmt, fwd, loop)

    def _counted_loop(self, stmt):
        count = self.namer.temp("n")
        fwd_body, rev_body = self.loop_body(stmt)
        bump = anno.assign(
            count, gast.BinOp(left=anno.name(count), op=gast.Add(), right=anno.const(1))
        )
        new = copy.copy(stmt)
        new.body = fwd_body or [gast.Pass()]
        if not rev_body:
            return [new], []
        new.body = [bump] + fwd_body
        fwd = [anno.assign(count, anno.const(0)), new]
        self.fn.primal_names.add(count)
        self.sites.assigned.setdefault(count, []).append(
            self.sites.order[id(stmt)] - 0.5
        )
        under = anno.store(self.namer.fresh("_"))
        replay = anno.call(anno.name("range"), [anno.name(count)])
        loop = gast.For(
            target=under, iter=replay, body=rev_body, orelse=[], type_comment=None
        )
        return self._saved_with_inits(stmt, fwd, loop)

    def _saved_with_inits(self, stmt, fwd, loop):
        """The reversed ``loop`` after the adjoints it carries start (zeros shaped
        like the values the names hold where the loop ends: saved there, as the
        values the loop's header reads)."""
        return self.save(stmt, fwd, self.take_inits() + [loop], "iter")

    def loop_body(self, stmt):
        """Reverse a loop body so the derivative state is the same on every iteration."""
        after = self.adj.snapshot()
        carried = self._carried(stmt)
        inits = [n for n in carried if n not in after]
        init_stmts = [self._init(n, stmt) for n in inits]
        entry = {**self.adj.snapshot(), **after}
        trial = self._trial(stmt, entry)
        for name, owned in trial.items():
            if name in entry and not owned:
                entry[name] = False
        self.adj.restore(entry)
        fwd, rev = self.block(stmt.body)
        self._drop_targets(stmt)
        end = self.adj.snapshot()
        for name in entry:
            if name not in end:
                rev.append(self._rezero(name))
        if not rev:  # nothing flows back through this loop: no zeros either
            self.adj.restore(after)
            self._pending_inits = []
            return fwd, rev
        self.adj.restore(entry)
        self._pending_inits = init_stmts
        return fwd, rev

    def _trial(self, stmt, entry):
        """The derivative state a pass over the body ends in, starting from ``entry``;
        the pass's code and every name and flag it set are thrown away."""
        saved = (
            self.uses_stack,
            set(self.restored),
            dict(self.fn.helpers),
            set(self.namer.taken),
            dict(self.namer.adjoints),
        )
        self.adj.restore(entry)
        self.block(stmt.body)
        self._drop_targets(stmt)
        result = self.adj.snapshot()
        (
            self.uses_stack,
            self.restored,
            self.fn.helpers,
            self.namer.taken,
            self.namer.adjoints,
        ) = saved
        return result

    def _drop_targets(self, stmt) -> None:
        """A ``for v in cs`` over what has no derivative binds ``v`` anew each
        turn: the gradient ``v`` gathered in a turn goes nowhere, so it ends with
        the turn (zeroed for the next), and never reaches an earlier ``v``, of
        another loop, that the name held before (a loop over an active sequence
        is lowered to ``v = xs[k]``, whose reverse hands it on)."""
        if not isinstance(stmt, gast.For) or is_range_loop(stmt):
            return
        for name in sorted(anno.store_names(stmt.target) & self.active):
            if self.adj.has(name):
                self.adj.kill(name)

    def _rezero(self, name):
        bname = self.adj.name(name)
        return anno.assign(
            bname, anno.call(anno.dotted(f"{self.np}.zeros_like"), [anno.name(bname)])
        )

    def _init(self, name, stmt):
        bound_before = name in self.fn.params or any(
            site < self.sites.order[id(stmt)]
            for site in self.sites.assigned.get(name, ())
        )
        if bound_before:
            return self.adj.zeros(name)
        self.adj.state[name] = False
        return anno.assign(self.adj.name(name), anno.const(0.0))

    def _carried(self, stmt) -> list[str]:
        """Active names the loop body may read before assigning them."""
        return sorted(_exposed_reads(stmt.body) & self.active)

    def take_inits(self) -> list:
        inits, self._pending_inits = self._pending_inits, []
        return inits


def _exposed_reads(block) -> set[str]:
    """Names ``block`` may read before it has surely assigned them."""
    exposed, assigned = set(), set()
    for node in block:
        if isinstance(node, gast.Assign):
            reads = anno.load_names(node.value)
            if not isinstance(node.targets[0], gast.Name | gast.Tuple):
                reads |= anno.load_names(node.targets[0])
        elif isinstance(node, gast.If):
            reads = anno.load_names(node.test) | _exposed_reads(node.body)
            reads |= _exposed_reads(node.orelse)
        elif isinstance(node, gast.For | gast.While):
            header = node.iter if isinstance(node, gast.For) else node.test
            reads = anno.load_names(header) | _exposed_reads(node.body)
        else:
            reads = anno.load_names(node)
        exposed |= reads - assigned
        if isinstance(node, gast.Assign):
            assigned |= anno.store_names(node.targets[0])
    return exposed


def _is_range(it) -> bool:
    return isinstance(it, gast.Call) and anno.get(it, anno.CALLEE) is range


def is_range_loop(stmt) -> bool:
    """A ``for i in range(...)`` loop without break: reversed by ``reversed(range(...))``."""
    return (
        isinstance(stmt, gast.For)
        and isinstance(stmt.target, gast.Name)
        and _is_range(stmt.iter)
        and not _has_break(stmt.body)
    )


def _has_break(body) -> bool:
    for stmt in body:
        if isinstance(stmt, (gast.Break, gast.Continue)):
            return True
        if isinstance(stmt, gast.If) and (
            _has_break(stmt.body) or _has_break(stmt.orelse)
        ):
            return True
    return False
