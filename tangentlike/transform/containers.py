"""Reverse mode of subscripts, item assignment, unpacking and containers."""

from __future__ import annotations

import copy

import gast
import numpy

from .. import anno
from .. import template as tpl
from ..analysis import activity as analyze
from ..analysis.callees import is_user_function
from ..errors import TangentlikeError
from ..frontend.parse import parse_function
from ..naming import BSTACK_NAME, is_stack_name
from ..runtime.facts import facts_of
from . import fresh
from .saving import _runtime
from .statements import built_sequences, record_fields


class ContainersMixin:
    """``y = x[i]``, ``x[i] = v``, ``a, b = t``, lists and dicts for ``ReverseAD``.

    The adjoint of a list, tuple or dict is a list, tuple or dict of adjoints."""

    def add_at(self, stmt):
        """``np.add.at(y, i, v)``: ``y`` keeps its gradient; ``bv += by[i]``."""
        y, index, v = stmt.value.args
        if not (
            self.adj.has(y.id) and isinstance(v, gast.Name) and v.id in self.active
        ):
            return [stmt], []
        gathered = gast.Subscript(
            value=anno.name(self.adj.name(y.id)),
            slice=copy.deepcopy(index),
            ctx=gast.Load(),
        )
        value = anno.call(anno.name("unbroadcast"), [gathered, anno.name(v.id)])
        self.fn.helpers["unbroadcast"] = _runtime("unbroadcast")
        return self.save(stmt, [stmt], self.adj.contribute(v.id, value))

    def list_append(self, stmt):
        """``lst.append(v)``: pop ``lst`` back, and ``bv = blst.pop()``."""
        lst, v = stmt.value.func.value.id, stmt.value.args[0]
        if lst not in self.active:
            return [stmt], []
        rev = [gast.Expr(value=_method(lst, "pop"))]
        if self.adj.has(lst):
            popped = _method(self.adj.name(lst), "pop")
            if isinstance(v, gast.Name) and v.id in self.active:
                rev = self.adj.contribute(v.id, popped) + rev
            else:
                rev.append(gast.Expr(value=popped))
        return self.save(stmt, [stmt], rev)  # a list made anew each time is pushed

    def list_pop(self, v, stmt):
        """``v = lst.pop()`` (or ``lst.pop()``): append ``v`` back to ``lst``, and
        ``bv`` (or its zero) to ``blst``."""
        lst = stmt.value.func.value.id
        if lst not in self.active:
            return [stmt], []
        fwd = [stmt]
        if v is None:  # the item is kept, to be put back
            v = self.namer.temp("popped")
            self.fn.primal_names.add(v)
            self.sites.assigned.setdefault(v, []).append(self.sites.order[id(stmt)])
            fwd = [anno.copy_location(anno.assign(v, stmt.value), stmt)]
        if v in self.active and self.adj.has(v):
            bv = anno.name(self.adj.name(v))
        else:
            self.fn.helpers["zero_grad"] = _runtime("zero_grad")
            bv = anno.call(anno.name("zero_grad"), [anno.name(v)])
        self.adj.kill(v)
        rev = [] if self.adj.has(lst) else [self.adj.zeros(lst)]
        rev += [
            gast.Expr(value=_method(self.adj.name(lst), "append", [bv])),
            gast.Expr(value=_method(lst, "append", [anno.name(v)])),
        ]
        self.adj.state[lst] = False  # appended to: not an array to add into
        return fwd, rev

    def record(self, y, stmt):
        """``p = Point(a, b)`` (a dataclass, a named tuple): ``ba = attr_part(bp, p,
        "x")`` for each field given an active value."""
        if not self.adj.has(y):
            return [stmt], []
        self.fn.helpers["attr_part"] = _runtime("attr_part")
        rev = []
        for field, atom in record_fields(stmt.value):
            if isinstance(atom, gast.Name) and atom.id in self.active:
                part = anno.call(
                    anno.name("attr_part"),
                    [anno.name(self.adj.name(y)), anno.name(y), anno.const(field)],
                )
                rev += self.adj.contribute(atom.id, part)
        return [stmt], rev

    def sequence_op(self, y, stmt):
        """``c = a + b`` or ``c = a * n`` where an operand may be a list or tuple:
        concatenation and repetition, whose gradients are parts and sums of parts
        (``plus_grad``, ``times_grad`` decide at run time; numbers and arrays add
        and multiply)."""
        value = stmt.value
        name = "plus_grad" if isinstance(value.op, gast.Add) else "times_grad"
        self.fn.helpers[name] = _runtime(name)
        operands = [value.left, value.right]
        items = []
        for k, atom in enumerate(operands):
            args = [anno.name(self.adj.name(y))] + copy.deepcopy(operands)
            grad = anno.call(anno.name(name), args + [anno.const(k)])
            items += self._contrib(atom, grad)
        return [stmt], items

    def sequence(self, y, stmt):
        """``t = (a, b)``: ``ba = bt[0]``, ``bb = bt[1]``."""
        elts = stmt.value.elts
        return [stmt], self._parts(y, [anno.const(k) for k in range(len(elts))], elts)

    def dict_literal(self, y, stmt):
        """``d = {"a": x}``: ``bx = bd["a"]``."""
        return [stmt], self._parts(y, stmt.value.keys, stmt.value.values)

    def _parts(self, y, keys, atoms) -> list:
        items = []
        for key, atom in zip(keys, atoms):
            g = gast.Subscript(
                value=anno.name(self.adj.name(y)),
                slice=copy.deepcopy(key),
                ctx=gast.Load(),
            )
            items += self._contrib(atom, g)
        return items

    def getitem(self, y, stmt):
        """``y = x[i]``: add ``by`` into ``bx[i]``, in place when we own ``bx``."""
        return [stmt], self._item_adjoint(y, stmt.value)

    def _item_adjoint(self, y, value):
        x = value.value
        if not (isinstance(x, gast.Name) and x.id in self.active):
            return []
        basic = _is_basic_index(value.slice, self.int_names)
        sequence = x.id in self.adj.sequences and not basic  # a list, may be
        if x.id in self.containers or _is_key(value.slice) or sequence:
            return self._container_item(x.id, y, value.slice)
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
            out.append(
                gast.Expr(
                    value=anno.call(func, [anno.name(bx), index_value(index), by])
                )
            )
        return out

    def _container_item(self, x, y, index):
        """``bx = add_at(bx, x, i, by)``: a new list, tuple or dict (None: no ``bx`` yet)."""
        self.fn.helpers["add_at"] = _runtime("add_at")
        bx = self.adj.name(x)
        old = anno.name(bx) if self.adj.has(x) else anno.const(None)
        args = [
            old,
            anno.name(x),
            index_value(copy.deepcopy(index)),
            anno.name(self.adj.name(y)),
        ]
        self.adj.state[x] = False
        return [anno.assign(bx, anno.call(anno.name("add_at"), args))]

    def _own(self, name):
        """``bx = bx + np.zeros_like(x)``: a fresh array shaped like ``x``, ours to
        update in place (``bx`` may be a view, or a scalar zero from a loop start)."""
        self.adj.state[name] = True
        bx = self.adj.name(name)
        zeros = anno.call(anno.dotted(f"{self.np}.zeros_like"), [anno.name(name)])
        if name in self.adj.sequences:  # a list of arrays: a GradList, added into
            zeros = anno.call(anno.name("zeros_items"), [anno.name(name)])
            return anno.assign(
                bx, gast.BinOp(left=zeros, op=gast.Add(), right=anno.name(bx))
            )
        return anno.assign(
            bx, gast.BinOp(left=anno.name(bx), op=gast.Add(), right=zeros)
        )

    def setitem(self, stmt):
        """``x[i] = v``: save what is overwritten; ``bv += bx[i]``, then ``bx[i] = 0``."""
        target, v = stmt.targets[0], stmt.value
        x = target.value.id
        if x not in self.active and not self._another_name_for_active(x):
            return [stmt], []
        if x in self.active and (x in self.containers or _is_key(target.slice)):
            return self._container_setitem(stmt)
        unseen = anno.get(stmt, fresh.FRESH, False)  # nothing reads what it replaces
        fwd = [stmt]
        if not unseen:
            saved = gast.Subscript(
                value=anno.name(x), slice=copy.deepcopy(target.slice), ctx=gast.Load()
            )
            keep = self._kept(x, stmt)
            copied = anno.call(anno.dotted(f"{self.np}.copy"), [saved])
            fwd.insert(0, anno.assign(keep, copied))
        rev = []
        if x in self.active and self.adj.has(x):
            bx = self.adj.name(x)
            grad = gast.Subscript(
                value=anno.name(bx), slice=copy.deepcopy(target.slice), ctx=gast.Load()
            )
            if _is_basic_index(target.slice, self.int_names):  # a view: zeroed below
                grad = anno.call(anno.dotted(f"{self.np}.copy"), [grad])
            else:  # an index array may name a place twice: the last write is what stays
                self.fn.helpers["setitem_grad"] = _runtime("setitem_grad")
                index = index_value(copy.deepcopy(target.slice))
                grad = anno.call(anno.name("setitem_grad"), [anno.name(bx), index])
            if isinstance(v, gast.Name) and v.id in self.active:
                unb = anno.call(anno.name("unbroadcast"), [grad, anno.name(v.id)])
                self.fn.helpers["unbroadcast"] = _runtime("unbroadcast")
                rev += self.adj.contribute(v.id, unb)
            if not self.adj.state[x]:
                rev.append(self._own(x))
            zero_at = gast.Subscript(
                value=anno.name(bx), slice=copy.deepcopy(target.slice), ctx=gast.Store()
            )
            rev.append(anno.assign(zero_at, anno.const(0.0)))
        if not unseen:
            restore = gast.Subscript(
                value=anno.name(x), slice=copy.deepcopy(target.slice), ctx=gast.Store()
            )
            rev.append(anno.assign(restore, anno.name(keep)))
        return self.save(stmt, fwd, rev)

    def _another_name_for_active(self, x: str) -> bool:
        """``x`` is bound to a name to differentiate (``u = t``, then ``u[0] = v``
        where ``u`` itself is not): the update changes ``t``'s array, whose values
        the reverse sweep reads, so what it overwrites is kept and put back even
        though ``u`` has no derivative (an array, not a list or dict: those are
        updated as new containers)."""
        return x not in self.containers and any(
            isinstance(node, gast.Assign)
            and anno.store_names(node.targets[0]) == {x}
            and isinstance(node.value, gast.Name)
            and node.value.id in self.active
            for node in anno.walk(self.fn.node)
        )

    def _kept(self, x: str, stmt) -> str:
        """A new name for what ``x[i] = v`` replaces: a value like any other, saved
        again if a loop overwrites it before the reverse sweep reads it."""
        keep = self.namer.temp(x + "_old")
        self.fn.primal_names.add(keep)
        self.sites.assigned.setdefault(keep, []).append(self.sites.order[id(stmt)])
        return keep

    def _container_setitem(self, stmt):
        """``d[k] = v`` in a dict or list: keep the item it replaces (or its absence),
        ``bv = bd[k]`` and ``bd[k] = 0`` in a new container, then put the item back."""
        target, v = stmt.targets[0], stmt.value
        x, key = target.value.id, index_value(copy.deepcopy(target.slice))
        for name in ("item_or_absent", "restore_item", "take_item"):
            self.fn.helpers[name] = _runtime(name)
        keep = self._kept(x, stmt)
        fwd = [
            anno.assign(
                keep, anno.call(anno.name("item_or_absent"), [anno.name(x), key])
            ),
            stmt,
        ]
        rev = []
        if x in self.active and self.adj.has(x):
            bx = self.adj.name(x)
            taken = self.namer.temp("b" + x + "_item")
            pair = gast.Tuple(
                elts=[anno.store(taken), anno.store(bx)], ctx=gast.Store()
            )
            take = anno.call(anno.name("take_item"), [anno.name(bx), anno.name(x), key])
            rev.append(anno.assign(pair, take))
            self.adj.state[x] = False
            if isinstance(v, gast.Name) and v.id in self.active:
                rev += self.adj.contribute(v.id, anno.name(taken))
        restore = anno.call(
            anno.name("restore_item"), [anno.name(x), key, anno.name(keep)]
        )
        rev.append(gast.Expr(value=restore))
        return self.save(stmt, fwd, rev)

    # Three kinds of part: a save stack of a backward function (the stack of
    # adjoints its pops pushed), a part with a gradient, and one without (zero_grad).
    # Nothing to do where no part has a gradient or the unpacked value is no name.
    def unpack(self, stmt):
        """``a, b = t``: ``bt = (ba, bb)`` with zeros for parts that got no gradient;
        a save stack unpacked (a backward function's) gets the stack of the
        adjoints its pops pushed."""
        names = [e.id for e in stmt.targets[0].elts if isinstance(e, gast.Name)]
        t = stmt.value
        stacked = self.uses_bstack and any(is_stack_name(n) for n in names)
        if not (stacked or any(self.adj.has(n) for n in names)) or not isinstance(
            t, gast.Name
        ):
            for n in names:
                self.adj.kill(n)
            return [stmt], []
        parts = []
        for n in names:
            if is_stack_name(n) and self.uses_bstack:
                parts.append(anno.name(self.stack_name(BSTACK_NAME)))
            elif self.adj.has(n):
                parts.append(anno.name(self.adj.name(n)))
            else:
                self.fn.helpers["zero_grad"] = _runtime("zero_grad")
                parts.append(anno.call(anno.name("zero_grad"), [anno.name(n)]))
        # a list appended to is popped by the reverse of its appends: its gradient
        # a list (added to item by item, as any container's), else a tuple
        kind = gast.List if t.id in _appended_names(self.fn.node.body) else gast.Tuple
        items = self._contrib(t, kind(elts=parts, ctx=gast.Load()))
        rev = self.materialize(items)
        for n in names:
            self.adj.kill(n)
        return self.save(stmt, [stmt], rev)


def _appended_names(body) -> set[str]:
    """The names ``body`` appends to (``xs.append(v)``)."""
    return {
        node.func.value.id
        for node in anno.walk(gast.Module(body=body, type_ignores=[]))
        if isinstance(node, gast.Call) and analyze.is_method_call(node, "append")
    }


def _method(obj: str, method: str, args=()):
    return anno.call(anno.attr(anno.name(obj), method), args)


def _is_key(index) -> bool:
    """A string index: the object is a dict."""
    return isinstance(index, gast.Constant) and isinstance(index.value, str)


# A name may hold a container by any of the ways one is made, each a case:
# a literal, the tuple a name is unpacked from, the names unpacked into, a call
# that may return a tuple, a list appended to, and sequences joined or repeated.
def maybe_containers(body) -> set[str]:
    """Names that may hold a list, tuple or dict: built from a literal, appended to,
    unpacked from, or the result of a call to a generated or user function."""
    found = set()
    nodes = list(anno.walk(gast.Module(body=body, type_ignores=[])))
    for node in nodes:
        if isinstance(node, gast.Assign):
            target, value = node.targets[0], node.value
            if isinstance(value, (gast.List, gast.Tuple, gast.Dict)):
                found |= anno.store_names(target)
            if isinstance(target, gast.Tuple) and isinstance(value, gast.Name):
                found.add(value.id)
            if isinstance(target, gast.Tuple):
                found |= anno.store_names(target)
            if isinstance(value, gast.Call) and _may_return_tuple(value):
                found |= anno.store_names(target)
        elif isinstance(node, gast.Call) and analyze.is_method_call(node, "append"):
            found.add(node.func.value.id)
    return found | built_sequences(body) | _objects(nodes)


def _objects(nodes) -> set[str]:
    """Names that may hold an object: made by a dataclass or named tuple, or
    whose attribute is read where no array attribute (``x.T``) is meant."""
    found = set()
    for node in nodes:
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
            value = node.value
            if record_fields(value) is not None:
                found.add(node.targets[0].id)
            elif (
                isinstance(value, gast.Attribute)
                and isinstance(value.value, gast.Name)
                and value.attr not in analyze.CONSTANT_ATTRS
                and tpl.lookup(tpl.ADJOINTS, ("attr", value.attr)) is None
            ):
                found.add(value.value.id)
    return found


# NumPy functions returning a tuple of arrays (``np.linalg.eigh(A)[0]`` indexes it)
TUPLE_RESULTS = frozenset(
    (
        numpy.linalg.eigh,
        numpy.linalg.svd,
        numpy.linalg.qr,
        numpy.linalg.slogdet,
        numpy.linalg.lstsq,
        numpy.linalg.eig,
        numpy.divmod,
        numpy.frexp,
        numpy.modf,
    )
)


def _may_return_tuple(call) -> bool:
    """A call of a function tangentlike generated (derivatives return tuples), of
    the user's that returns a tuple, list or dict written out, of a NumPy function
    that returns a tuple, or of a runtime helper returning a list."""
    callee = anno.get(call, anno.CALLEE)
    if any(callee is f for f in TUPLE_RESULTS):
        return True
    if is_user_function(callee, tpl.ADJOINTS) and _returns_literal(callee):
        return True
    declared = facts_of(callee)
    if declared is not None and declared.returns_list:
        return True
    code = getattr(callee, "__code__", None)
    return code is not None and code.co_filename.startswith("<tangentlike")


def _returns_literal(func) -> bool:
    """Some ``return`` of ``func`` is a tuple, list or dict written out."""
    try:
        node, _ = parse_function(func)
    except TangentlikeError:
        return False
    literals = (gast.Tuple, gast.List, gast.Dict)
    return any(
        isinstance(n, gast.Return) and isinstance(n.value, literals)
        for n in anno.walk(node)
    )


def index_value(index):
    """A subscript's index as a value to pass to a call: ``x[:, i]``'s ``(:, i)`` is
    ``(slice(None, None, None), i)``."""
    if isinstance(index, gast.Slice):
        parts = [index.lower, index.upper, index.step]
        args = [anno.const(None) if p is None else p for p in parts]
        return anno.call(anno.name("slice"), args)
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[index_value(e) for e in index.elts], ctx=gast.Load())
    return index


# Each part of an index is checked by its kind: slices, loop counters, integer
# or None literals and negated literals select each place once; anything else
# (an array, a mask) may select one twice.
def _is_basic_index(index, int_names=()) -> bool:
    """Integers, slices and loop counters: ``bx[i] += g`` is then exact."""
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    for part in parts:
        if isinstance(part, gast.Slice):
            continue
        if isinstance(part, gast.Name) and part.id in int_names:
            continue
        if isinstance(part, gast.Constant) and isinstance(
            part.value, (int, type(None))
        ):
            continue
        if isinstance(part, gast.UnaryOp) and isinstance(part.operand, gast.Constant):
            continue
        return False
    return True
