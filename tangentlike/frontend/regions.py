"""Regions: ``try``, ``with`` and ``del`` lowered to what the transforms know.

A ``try`` keeps its body in a region whose handlers only record which of them
ran (or raise, as the user wrote them); a handler's own statements, and the
``else`` clause, run after the region under an ``if`` on that record, where both
transforms see them as branches:

    try:                                  _caught = 0
        y = np.log(x)                     try:
    except FloatingPointError:                y = np.log(x)
        y = x - 1.0               ->      except FloatingPointError:
                                              _caught = 1
                                          if _caught == 1:
                                              y = x - 1.0

The reverse sweep runs the body's adjoint only where the body ran to its end
(``_caught == 0``).  A handler that always raises stays whole.  ``finally:``
becomes a handler that runs it and raises again, and the same statements after
the region.  ``with contextlib.suppress(E)`` is a ``try``; other ``with`` blocks
stay whole (one context each), and the reverse sweep runs the body's adjoint in
the same context.  ``del name`` is dropped: the name goes out of use.
"""

from __future__ import annotations

import contextlib
import copy
import warnings

import gast
import numpy

from .. import anno
from ..errors import UnsupportedSyntaxError

CAUGHT = "tl_caught"  # on a lowered try: the name recording which handler ran
NEUTRAL = "tl_neutral"  # on a with: its context leaves values alone

# contexts whose entry and exit change no value the body computes
NEUTRAL_CONTEXTS = (
    numpy.errstate,
    numpy.printoptions,
    warnings.catch_warnings,
    contextlib.nullcontext,
    contextlib.redirect_stdout,
    contextlib.redirect_stderr,
)


def lower_regions(func_node, source, scope, namer) -> None:
    """Lower every ``try``, ``with`` and ``del`` of ``func_node``'s body in place."""
    problems: list = []
    lowering = _Lowering(source, scope, namer, problems)
    func_node.body = lowering.block(func_node.body, set())
    if problems:
        problems.sort(key=lambda p: (p[1].lineno, p[1].col))
        raise UnsupportedSyntaxError(problems)


class _Lowering:
    def __init__(self, source, scope, namer, problems):
        self.source = source
        self.scope = scope
        self.namer = namer
        self.problems = problems
        self.generated = source.filename.startswith("<tangentlike")

    def block(self, stmts, read_after: set[str]) -> list:
        """``read_after``: names code after this block may read."""
        out = []
        for i, stmt in enumerate(stmts):
            later = read_after | exposed_reads(stmts[i + 1 :])
            if isinstance(stmt, (gast.For, gast.While)):  # the next iteration
                head = stmt.iter if isinstance(stmt, gast.For) else stmt.test
                later |= exposed_reads(stmt.body) | anno.load_names(head)
            out += self.statement(stmt, later)
        return out

    def statement(self, stmt, read_after) -> list:
        if isinstance(stmt, gast.Delete) and all(
            isinstance(t, gast.Name) for t in stmt.targets
        ):
            return []
        if isinstance(stmt, gast.With):
            return self.with_(stmt, read_after)
        if isinstance(stmt, gast.Try):
            return self.try_(stmt, read_after)
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if inner and isinstance(inner[0], gast.stmt):
                setattr(stmt, field, self.block(inner, read_after))
        return [stmt]

    # with -------------------------------------------------------------------
    def with_(self, stmt, read_after) -> list:
        """One context a ``with``; ``contextlib.suppress(E)`` as ``try/except E``."""
        first, rest = stmt.items[0], stmt.items[1:]
        body = stmt.body
        if rest:
            inner = gast.With(items=rest, body=body, type_comment=None)
            body = [anno.copy_location(inner, stmt)]
        context = self._context(first.context_expr)
        if context is contextlib.suppress and first.optional_vars is None:
            kinds = first.context_expr.args
            handler = gast.ExceptHandler(
                type=gast.Tuple(elts=kinds, ctx=gast.Load()), name=None, body=[]
            )
            lowered = gast.Try(body=body, handlers=[handler], orelse=[], finalbody=[])
            return self.try_(anno.copy_location(lowered, stmt), read_after)
        new = gast.With(
            items=[first], body=self.block(body, read_after), type_comment=None
        )
        anno.set_(new, NEUTRAL, any(context is c for c in NEUTRAL_CONTEXTS))
        return [anno.copy_location(new, stmt)]

    def _context(self, expr):
        func = expr.func if isinstance(expr, gast.Call) else expr
        obj = self.scope.resolve(func)
        return obj

    # try --------------------------------------------------------------------
    def try_(self, stmt, read_after) -> list:
        if self.generated and not stmt.finalbody and not stmt.orelse:
            caught = _recorded(stmt.handlers)
            if caught:  # a region lowered before, in code tangentlike generated
                stmt.body = self.block(stmt.body, read_after)
                anno.set_(stmt, CAUGHT, caught)
                return [stmt]
        if stmt.finalbody:
            return self._finally(stmt, read_after)
        body = self.block(stmt.body, read_after)
        if not stmt.handlers:  # try/else without except cannot be written
            return body + self.block(stmt.orelse, read_after)
        caught = self.namer.temp("caught")
        handlers, branches = [], []
        for k, handler in enumerate(stmt.handlers, 1):
            if _always_raises(handler.body):
                handlers.append(handler)
                continue
            self._check_partial(stmt, handler, read_after)
            record, branch = self._moved(handler, caught, k)
            handlers.append(record)
            branches.append((k, self.block(branch, read_after)))
        region = gast.Try(body=body, handlers=handlers, orelse=[], finalbody=[])
        anno.copy_location(region, stmt)
        orelse = self.block(stmt.orelse, read_after)
        if not branches:  # every handler raises: the body always ran to its end
            return [region] + orelse
        anno.set_(region, CAUGHT, caught)
        start = anno.copy_location(anno.assign(caught, anno.const(0)), stmt)
        return [start, region] + _dispatch(caught, branches, orelse, stmt)

    def _moved(self, handler, caught: str, k: int):
        """The handler as it stays in the region (recording ``k``), and its
        statements, which run after the region."""
        record = [anno.copy_location(anno.assign(caught, anno.const(k)), handler)]
        branch, name = list(handler.body), handler.name
        reads = anno.load_names(gast.Module(branch, []))
        if name is None and _reraises(branch):
            name = anno.store(self.namer.temp("error"))
        if name is not None and (name.id in reads or _reraises(branch)):
            held = self.namer.temp(name.id + "_held")
            record.append(anno.assign(held, anno.name(name.id)))
            branch = [anno.assign(name.id, anno.name(held))] + _raise_as(
                branch, name.id
            )
        kept = gast.ExceptHandler(type=handler.type, name=name, body=record)
        return anno.copy_location(kept, handler), branch

    def _finally(self, stmt, read_after) -> list:
        """``try ... finally: F``: a region whose one handler runs F and raises
        again, then F; a jump out of the ``try`` would skip F, and is refused."""
        parts = [stmt.body, stmt.orelse, stmt.finalbody] + [
            h.body for h in stmt.handlers
        ]
        if any(anno.jumps(gast.Module(part, [])) for part in parts):
            self.problems.append(
                (
                    "return, break or continue inside try ... finally",
                    self.source.location(stmt),
                    "set a flag or the result, and return after the try statement",
                )
            )
        inner = copy.copy(stmt)
        inner.finalbody = []
        lowered = (
            self.try_(inner, read_after)
            if stmt.handlers
            else self.block(stmt.body, read_after)
        )
        again = copy.deepcopy(stmt.finalbody) + [gast.Raise(exc=None, cause=None)]
        handler = gast.ExceptHandler(
            type=anno.name("BaseException"), name=None, body=again
        )
        region = gast.Try(
            body=lowered,
            handlers=[anno.copy_location(handler, stmt)],
            orelse=[],
            finalbody=[],
        )
        tail = self.block(stmt.finalbody, read_after)
        return [anno.copy_location(region, stmt)] + tail

    def _check_partial(self, stmt, handler, read_after) -> None:
        """Where a handler falls through, a name the ``try`` body set (or updated)
        before its last statement may hold a value from a body that stopped part
        way; reading it after the handler is refused (its derivative is not known)."""
        body = stmt.body
        early = set()
        for s in body[:-1]:
            early |= anno.updated_names(s)
        if not isinstance(
            body[-1], (gast.Assign, gast.AugAssign, gast.Expr, gast.Return)
        ):
            early |= anno.updated_names(body[-1])
        early &= self.scope.locals
        for name in sorted(early & _exposed(handler.body, read_after)):
            self.problems.append(
                (
                    f"`{name}`, set in the try body and read after the handler at "
                    f"line {handler.lineno}: the body may have stopped part way",
                    self.source.location(handler),
                    f"give `{name}` its value before the try, or in the handler too",
                )
            )


def _exposed(body, read_after: set[str]) -> set[str]:
    """Names the handler ``body`` (then the code after it) may read before the
    handler has surely set them."""
    return exposed_reads(body) | (read_after - _surely_set(body))


def exposed_reads(block) -> set[str]:
    """Names ``block`` may read before it has surely set them."""
    exposed, assigned = set(), set()
    for stmt in block:
        exposed |= _reads(stmt) - assigned
        assigned |= _surely_set([stmt])
    return exposed


def _reads(stmt) -> set[str]:
    if isinstance(stmt, gast.Assign) and all(
        isinstance(t, gast.Name) for t in stmt.targets
    ):
        return anno.load_names(stmt.value)
    if isinstance(stmt, gast.If):
        test = anno.load_names(stmt.test)
        return test | exposed_reads(stmt.body) | exposed_reads(stmt.orelse)
    if isinstance(stmt, (gast.For, gast.While)):
        head = stmt.iter if isinstance(stmt, gast.For) else stmt.test
        return anno.load_names(head) | exposed_reads(stmt.body)
    if isinstance(stmt, gast.Try):
        parts = [stmt.body, stmt.orelse, stmt.finalbody]
        parts += [h.body for h in stmt.handlers]
        return set().union(*(exposed_reads(p) for p in parts))
    if isinstance(stmt, gast.With):
        heads = gast.Tuple(elts=[i.context_expr for i in stmt.items], ctx=gast.Load())
        return anno.load_names(heads) | exposed_reads(stmt.body)
    return anno.load_names(stmt)


def _surely_set(block) -> set[str]:
    """Names plain assignments at the top of ``block`` set."""
    return {
        name
        for stmt in block
        if isinstance(stmt, gast.Assign)
        for name in anno.store_names(gast.Module(stmt.targets, []))
    }


def _dispatch(caught: str, branches, orelse, where) -> list:
    """``if _caught == 1: H1 elif ... elif _caught == 0: O`` (each test
    explicit, so a handler with nothing to run has no branch)."""
    tail = orelse
    if orelse:
        test = gast.Compare(
            left=anno.name(caught), ops=[gast.Eq()], comparators=[anno.const(0)]
        )
        tail = [anno.copy_location(gast.If(test=test, body=orelse, orelse=[]), where)]
    for k, body in reversed(branches):
        if not body:  # ``except E: pass``: nothing runs after the region
            continue
        test = gast.Compare(
            left=anno.name(caught), ops=[gast.Eq()], comparators=[anno.const(k)]
        )
        branch = gast.If(test=test, body=body or [gast.Pass()], orelse=tail)
        tail = [anno.copy_location(branch, where)]
    return tail


def _recorded(handlers) -> str | None:
    """The name the handlers of a region lowered before record in (``_caught = 1``,
    after taking back what the body pushed), where every handler records or raises."""
    names = set()
    for handler in handlers:
        if _always_raises(handler.body):
            continue
        records = [
            s.targets[0].id
            for s in handler.body
            if isinstance(s, gast.Assign)
            and isinstance(s.targets[0], gast.Name)
            and isinstance(s.value, gast.Constant)
            and type(s.value.value) is int
        ]
        if len(records) != 1:
            return None
        names.add(records[0])
    return names.pop() if len(names) == 1 else None


def _always_raises(body) -> bool:
    """A handler that never lets control go on: it ends in ``raise`` and holds no
    jump of its own."""
    return (
        bool(body)
        and isinstance(body[-1], gast.Raise)
        and not anno.jumps(gast.Module(body, []))
    )


def _reraises(body) -> bool:
    return any(
        isinstance(n, gast.Raise) and n.exc is None
        for n in anno.walk(gast.Module(body, []))
    )


def _raise_as(body, name: str) -> list:
    """A bare ``raise`` moved out of its handler raises the handled error by name."""
    body = copy.deepcopy(body)
    for node in anno.walk(gast.Module(body, [])):
        if isinstance(node, gast.Raise) and node.exc is None:
            node.exc = anno.name(name)
    return body
