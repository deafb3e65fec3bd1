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

from .. import analyze, anno, errors
from .. import template as tpl
from ..naming import STACK_NAME
from .adjoints import Adjoints

BASIC_INDEX = (gast.Constant, gast.Slice, gast.Name)


class ReverseAD:
    """Builds (forward, reverse) statement lists for one function."""

    def __init__(self, fn, active: set[str], sites, calls):
        self.fn = fn
        self.namer = fn.namer
        self.np = fn.np_alias
        self.active = active
        self.sites = sites
        self.calls = calls
        self.adj = Adjoints(fn.namer, fn.np_alias)
        self.uses_stack = False
        self.restored: set[str] = set()
        self.int_names: set[str] = set()
        # per block: names a later statement of the block already saves, and how
        # (STACKED, or the name of the copy), while nothing rebinds them in between
        self._saved_later: list[dict[str, str]] = []
        self.products = _matrix_products(fn.node.body)
        self._pending_inits: list = []

    # blocks -----------------------------------------------------------------
    def block(self, stmts) -> tuple[list, list]:
        fwd_parts, rev = [], []
        self._saved_later.append({})
        for stmt in reversed(stmts):
            fwd, back = self.visit(stmt)
            fwd_parts.append(fwd)
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
        if isinstance(target, gast.Subscript):
            return self.setitem(stmt)
        if isinstance(target, (gast.Tuple, gast.List)):
            return self.unpack(stmt)
        if not isinstance(target, gast.Name):
            return [stmt], []
        y = target.id
        differentiable = analyze.is_differentiable_value(stmt.value)
        if y not in self.active or not self.adj.has(y) or not differentiable:
            self.adj.kill(y)
            return [stmt], []
        fwd, items = self.adjoint_of(y, stmt)
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
                g = gast.Subscript(value=anno.name(self.adj.name(y)), slice=anno.const(k),
                                   ctx=gast.Load())  # fmt: skip
                items += self._contrib(elt, g)
            return [stmt], items
        if isinstance(value, gast.Subscript):
            return [stmt], self.getitem(y, value)
        if isinstance(value, gast.Call):
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
        return [stmt], inst.run()

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
            raise self.fn.error(stmt, f"cannot differentiate {type(value).__name__} expression")
        template = tpl.lookup(tpl.ADJOINTS, key)
        if template is None:
            what = key[1] if isinstance(key, tuple) else key.__name__
            raise self.fn.no_derivative(stmt, f"operator or attribute {what!r}")
        return template, dict(zip(template.params[1:], operands))

    def _bind_call(self, template, call, stmt):
        callee = anno.get(call, anno.CALLEE)
        if template is None:
            raise self.fn.no_derivative(stmt, _describe(callee, call))
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

    # subscripts -----------------------------------------------------------------
    def getitem(self, y, value):
        """``y = x[i]``: add ``by`` into ``bx[i]``, in place when we own ``bx``."""
        x = value.value
        if not (isinstance(x, gast.Name) and x.id in self.active):
            return []
        bx = self.adj.name(x.id)
        out = []
        if not self.adj.has(x.id):
            out.append(self.adj.zeros(x.id))
        elif not self.adj.state[x.id]:
            out.append(self._own(x.id))
        by = anno.name(self.adj.name(y))
        index = copy.deepcopy(value.slice)
        if _is_basic_index(index, self.int_names):
            sub = gast.Subscript(value=anno.name(bx), slice=index, ctx=gast.Store())
            out.append(gast.AugAssign(target=sub, op=gast.Add(), value=by))
        else:
            func = anno.dotted(f"{self.np}.add.at")
            out.append(gast.Expr(value=anno.call(func, [anno.name(bx), index, by])))
        return out

    def _own(self, name):
        """``bx = bx + np.zeros_like(x)``: a fresh array shaped like ``x``, ours to
        update in place (``bx`` may be a view, or a scalar zero from a loop start)."""
        self.adj.state[name] = True
        bx = self.adj.name(name)
        zeros = anno.call(anno.dotted(f"{self.np}.zeros_like"), [anno.name(name)])
        return anno.assign(bx, gast.BinOp(left=anno.name(bx), op=gast.Add(), right=zeros))

    def setitem(self, stmt):
        """``x[i] = v``: save what is overwritten; ``bv += bx[i]``, then ``bx[i] = 0``."""
        target, v = stmt.targets[0], stmt.value
        x = target.value.id
        if x not in self.active:
            return [stmt], []
        old = anno.load_names(target.slice)
        saved = gast.Subscript(value=anno.name(x), slice=copy.deepcopy(target.slice),
                               ctx=gast.Load())  # fmt: skip
        keep = self.namer.temp(x + "_old")
        fwd = [anno.assign(keep, anno.call(anno.dotted(f"{self.np}.copy"), [saved])), stmt]
        rev = []
        if self.adj.has(x):
            bx = self.adj.name(x)
            grad = gast.Subscript(value=anno.name(bx), slice=copy.deepcopy(target.slice),
                                  ctx=gast.Load())  # fmt: skip
            if _is_basic_index(target.slice, self.int_names):
                grad = anno.call(anno.dotted(f"{self.np}.copy"), [grad])  # a view: zeroed below
            if isinstance(v, gast.Name) and v.id in self.active:
                unb = anno.call(anno.name("unbroadcast"), [grad, anno.name(v.id)])
                self.fn.helpers["unbroadcast"] = _runtime("unbroadcast")
                rev += self.adj.contribute(v.id, unb)
            if not self.adj.state[x]:
                rev.append(self._own(x))
            zero_at = gast.Subscript(value=anno.name(bx), slice=copy.deepcopy(target.slice),
                                     ctx=gast.Store())  # fmt: skip
            rev.append(anno.assign(zero_at, anno.const(0.0)))
        restore = gast.Subscript(value=anno.name(x), slice=copy.deepcopy(target.slice),
                                 ctx=gast.Store())  # fmt: skip
        rev.append(anno.assign(restore, anno.name(keep)))
        del old
        return self.save(stmt, fwd, rev)

    def unpack(self, stmt):
        """``a, b = t``: ``bt = (ba, bb)`` with zeros for parts that got no gradient."""
        names = [e.id for e in stmt.targets[0].elts if isinstance(e, gast.Name)]
        t = stmt.value
        if not any(self.adj.has(n) for n in names) or not isinstance(t, gast.Name):
            for n in names:
                self.adj.kill(n)
            return [stmt], []
        parts = []
        for n in names:
            if self.adj.has(n):
                parts.append(anno.name(self.adj.name(n)))
            else:
                self.fn.helpers["zeros_like"] = _runtime("zeros_like")
                parts.append(anno.call(anno.name("zeros_like"), [anno.name(n)]))
        items = self._contrib(t, gast.Tuple(elts=parts, ctx=gast.Load()))
        rev = self.materialize(items)
        for n in names:
            self.adj.kill(n)
        return self.save(stmt, [stmt], rev)

    # saving values the reverse sweep reads ----------------------------------------
    def save(self, stmt, fwd, rev, header=None):
        """Save the primal values ``rev`` reads that may be overwritten meanwhile.

        For a compound statement, ``header`` is the field of its reversed form
        (``test`` or ``iter``) whose reads are this statement's own.  A value a
        later statement of the same block saves (with no rebinding in between)
        is not saved twice: its restore or its copy serves this statement too.
        """
        source = [getattr(rev[-1], header)] if header else rev
        reads = sorted(n for n in _loads(source) if n in self.fn.primal_names)
        needed = [n for n in reads if self.sites.overwritten_after(n, stmt)]
        if not needed:
            return fwd, rev
        if self.sites.in_loop(stmt):
            return self._push(needed, fwd, rev)
        later = self._saved_later[-1] if self._saved_later else {}
        renames = {}
        for n in needed:
            renames[n] = later.get(n) or self.namer.temp(n)
        copies = [anno.assign(new, anno.name(old)) for old, new in renames.items()
                  if later.get(old) != new]  # fmt: skip
        later.update(renames)
        if header:
            setattr(rev[-1], header, _rename(getattr(rev[-1], header), renames))
            return fwd + copies, rev
        return fwd + copies, [_rename(s, renames) for s in rev]

    def _push(self, needed, fwd, rev):
        """Inside loops: push after the statement, pop before its adjoint.  A matrix
        product read only for its shape (``unbroadcast(g, x)``) is saved as that
        shape, so the reverse sweep does not keep every product alive."""
        later = self._saved_later[-1] if self._saved_later else {}
        needed = [n for n in needed if later.get(n) != STACKED]
        shapes = {
            n: self.namer.temp(n + "_shape")
            for n in needed
            if n in self.products and _shape_only(n, rev)
        }
        if shapes:
            self.fn.helpers["sum_to"] = _runtime("sum_to")
            rev = [_to_sum_to(s, shapes) for s in rev]
        values = [n for n in needed if n not in shapes]
        self.uses_stack = self.uses_stack or bool(needed)
        self.restored.update(values)
        later.update({n: STACKED for n in values})
        push = [_stack_call("append", [self._saved_form(n, shapes)]) for n in needed]
        pop = [anno.assign(shapes.get(n, n), _pop()) for n in reversed(needed)]
        return fwd + push, pop + rev

    def _saved_form(self, name, shapes):
        if name in shapes:
            return anno.call(anno.dotted(f"{self.np}.shape"), [anno.name(name)])
        return anno.name(name)

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
        rev = [gast.If(test=copy.deepcopy(stmt.test), body=rev_body or [gast.Pass()],
                       orelse=rev_else)]  # fmt: skip
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

    def visit_For(self, stmt):
        if is_range_loop(stmt):
            return self._range_loop(stmt)
        return self._counted_loop(stmt, stmt)

    def visit_While(self, stmt):
        return self._counted_loop(stmt, stmt)

    def _range_loop(self, stmt):
        self.int_names.add(stmt.target.id)
        fwd_body, rev_body = self.loop_body(stmt)
        fwd = [gast.For(target=stmt.target, iter=stmt.iter, body=fwd_body or [gast.Pass()],
                        orelse=[], type_comment=None)]  # fmt: skip
        if not rev_body:
            return fwd, []
        backwards = anno.call(anno.name("reversed"), [copy.deepcopy(stmt.iter)])
        rev = self.take_inits() + [
            gast.For(target=copy.deepcopy(stmt.target), iter=backwards, body=rev_body,
                     orelse=[], type_comment=None)
        ]  # fmt: skip
        return self.save(stmt, fwd, rev, "iter")

    def _counted_loop(self, stmt, loop):
        count = self.namer.temp("n")
        fwd_body, rev_body = self.loop_body(stmt)
        bump = anno.assign(count, gast.BinOp(left=anno.name(count), op=gast.Add(),
                                             right=anno.const(1)))  # fmt: skip
        new = copy.copy(loop)
        new.body = fwd_body or [gast.Pass()]
        if not rev_body:
            return [new], []
        new.body = [bump] + fwd_body
        fwd = [anno.assign(count, anno.const(0)), new]
        self.fn.primal_names.add(count)
        self.sites.assigned.setdefault(count, []).append(self.sites.order[id(stmt)] - 0.5)
        under = anno.store(self.namer.fresh("_"))
        replay = anno.call(anno.name("range"), [anno.name(count)])
        rev = self.take_inits() + [
            gast.For(target=under, iter=replay, body=rev_body, orelse=[], type_comment=None)
        ]
        return self.save(stmt, fwd, rev, "iter")

    def loop_body(self, stmt):
        """Reverse a loop body so the derivative state is the same on every iteration."""
        after = self.adj.snapshot()
        carried = self._carried(stmt)
        inits = [n for n in carried if n not in after]
        init_stmts = [self._init(n, stmt) for n in inits]
        entry = {**self.adj.snapshot(), **after}
        names = copy.deepcopy(self.namer.taken), dict(self.namer.adjoints)
        trial = self._reverse_body(stmt, entry)
        self.namer.taken, self.namer.adjoints = names
        for name, owned in trial.items():
            if name in entry and not owned:
                entry[name] = False
        self.adj.restore(entry)
        fwd, rev = self.block(stmt.body)
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

    def _reverse_body(self, stmt, entry):
        saved = (self.uses_stack, set(self.restored), copy.deepcopy(self.fn.helpers))
        self.adj.restore(entry)
        self.block(stmt.body)
        result = self.adj.snapshot()
        self.uses_stack, self.restored, self.fn.helpers = saved
        return result

    def _rezero(self, name):
        bname = self.adj.name(name)
        return anno.assign(bname, anno.call(anno.dotted(f"{self.np}.zeros_like"),
                                            [anno.name(bname)]))  # fmt: skip

    def _init(self, name, stmt):
        bound_before = name in self.fn.params or any(
            site < self.sites.order[id(stmt)] for site in self.sites.assigned.get(name, ())
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


STACKED = "<stack>"
PRODUCTS = ("matmul", "dot", "tensordot", "einsum", "inner", "outer", "kron")


def _matrix_products(body) -> set[str]:
    """Names every assignment of which is a matrix product: arrays, often large."""
    kinds: dict[str, set[bool]] = {}
    for node in gast.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Assign):
            value = node.value
            is_product = (isinstance(value, gast.BinOp) and isinstance(value.op, gast.MatMult)) or (
                isinstance(value, gast.Call)
                and getattr(anno.get(value, anno.CALLEE), "__name__", "") in PRODUCTS
            )
            for name in anno.store_names(node.targets[0]):
                kinds.setdefault(name, set()).add(is_product)
    return {name for name, k in kinds.items() if k == {True}}


def _shape_only(name, stmts) -> bool:
    """Whether ``stmts`` read ``name`` only as the shape argument of ``unbroadcast``."""
    shape_uses, all_uses = 0, 0
    for stmt in stmts:
        for node in gast.walk(stmt):
            if isinstance(node, gast.Name) and node.id == name and isinstance(node.ctx, gast.Load):
                all_uses += 1
            if _is_unbroadcast_of(node, name):
                shape_uses += 1
    return all_uses > 0 and shape_uses == all_uses


def _is_unbroadcast_of(node, name) -> bool:
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Name)
        and node.func.id == "unbroadcast"
        and len(node.args) == 2
        and isinstance(node.args[1], gast.Name)
        and node.args[1].id == name
    )


def _to_sum_to(stmt, shapes):
    """``unbroadcast(g, x)`` -> ``sum_to(g, _x_shape)`` for the names in ``shapes``."""
    stmt = copy.deepcopy(stmt)
    for node in gast.walk(stmt):
        for name, shape in shapes.items():
            if _is_unbroadcast_of(node, name):
                node.func.id = "sum_to"
                node.args[1] = anno.name(shape)
    return stmt


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


def _loads(stmts) -> set[str]:
    names = set()
    for s in stmts:
        names |= anno.load_names(s)
    return names


def _rename(stmt, renames):
    stmt = copy.deepcopy(stmt)
    for node in gast.walk(stmt):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id in renames:
            node.id = renames[node.id]
    return stmt


def _stack_call(method, args):
    return gast.Expr(value=anno.call(anno.attr(anno.name(STACK_NAME), method), args))


def _pop():
    return anno.call(anno.attr(anno.name(STACK_NAME), "pop"))


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
        if isinstance(stmt, gast.If) and (_has_break(stmt.body) or _has_break(stmt.orelse)):
            return True
    return False


def _is_basic_index(index, int_names=()) -> bool:
    """Integers, slices and loop counters: ``bx[i] += g`` is then exact."""
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    for part in parts:
        if isinstance(part, gast.Slice):
            continue
        if isinstance(part, gast.Name) and part.id in int_names:
            continue
        if isinstance(part, gast.Constant) and isinstance(part.value, (int, type(None))):
            continue
        if isinstance(part, gast.UnaryOp) and isinstance(part.operand, gast.Constant):
            continue
        return False
    return True


def _describe(callee, call) -> str:
    if callee is None:
        return gast.unparse(call.func) if hasattr(gast, "unparse") else "a call"
    module = getattr(callee, "__module__", None) or ""
    name = getattr(callee, "__qualname__", None) or getattr(callee, "__name__", repr(callee))
    return f"{module}.{name}" if module and module != "builtins" else name


def _runtime(name):
    from .. import runtime

    return getattr(runtime, name)


__all__ = ["ReverseAD", "errors"]
