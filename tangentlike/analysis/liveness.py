"""Liveness: the names a function may still read after each of its statements."""

from __future__ import annotations

import gast

from .. import anno


class Liveness:
    """Backward analysis: the names read after each statement."""

    def __init__(self):
        self.after: dict[int, set] = {}
        self._loops: list[tuple[set, set]] = []  # (after it, its head) of each loop

    def block(self, stmts, live: set) -> set:
        for stmt in reversed(stmts):
            self.after.setdefault(id(stmt), set()).update(live)
            live = self.statement(stmt, live)
        return live

    # One case per kind of statement, each with its own flow: an assignment kills
    # its targets, ``return`` ends the path, ``break`` and ``continue`` go on where
    # the loop does, a loop runs to a fixed point, both branches of an ``if`` count,
    # ``with`` reads its heads and ``try`` its handlers all through its body.
    def statement(self, node, live: set) -> set:
        if isinstance(node, (gast.Assign, gast.AnnAssign)):
            targets = node.targets if isinstance(node, gast.Assign) else [node.target]
            bound = {t.id for t in targets if isinstance(t, gast.Name)}
            for t in targets:
                if isinstance(t, (gast.Tuple, gast.List)):
                    bound |= {e.id for e in t.elts if isinstance(e, gast.Name)}
            return (live - bound) | anno.load_names(node)
        if isinstance(node, gast.Return):
            return anno.load_names(node)
        if isinstance(node, gast.Break) and self._loops:
            return set(self._loops[-1][0])  # what the loop's successor reads
        if isinstance(node, gast.Continue) and self._loops:
            return set(self._loops[-1][1])  # what the next step reads
        if isinstance(node, (gast.For, gast.While)):
            head = node.iter if isinstance(node, gast.For) else node.test
            entry = set(live)
            while True:
                self._loops.append((live, entry))
                inner = self.block(node.body, entry)
                self._loops.pop()
                new = entry | inner | anno.load_names(head)
                if new == entry:
                    return new
                entry = new
        if isinstance(node, gast.If):
            body = self.block(node.body, set(live))
            orelse = self.block(node.orelse, set(live))
            return body | orelse | anno.load_names(node.test)
        if isinstance(node, gast.With):
            heads = gast.Module(
                body=[gast.Expr(value=i.context_expr) for i in node.items],
                type_ignores=[],
            )
            return self.block(node.body, live) | anno.load_names(heads)
        if isinstance(node, gast.Try):
            return self.try_(node, live)
        if isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            live = live | {node.target.id}  # x += e reads x
        return live | anno.load_names(node)

    def try_(self, node, live: set) -> set:
        """A handler may start after any statement of the body: what it reads is
        live all through the body."""
        handlers = set()
        for handler in node.handlers:
            handlers |= self.block(handler.body, set(live))
            if handler.type is not None:
                handlers |= anno.load_names(handler.type)
        entry = self.block(node.body, live | handlers) | handlers
        for stmt in anno.walk(gast.Module(body=node.body, type_ignores=[])):
            if isinstance(stmt, gast.stmt):
                self.after.setdefault(id(stmt), set()).update(handlers)
        return entry
