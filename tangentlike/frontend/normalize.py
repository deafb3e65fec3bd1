"""Normalize: one operation per statement, every operand a name or a constant.

    z = a * np.sin(b + c)      ->   _add = b + c
                                    _sin = np.sin(_add)
                                    z = a * _sin

Calls are annotated with the live object they reach; array methods such as
``x.sum(axis=0)`` become the NumPy function they stand for.  A statement's
target never appears among its own operands (``x = x * 2`` goes through a
temporary), which the reverse transform relies on.
"""

from __future__ import annotations

import copy

import gast

from .. import anno, runtime
from ..analysis.scope import is_module, is_resolved
from ..made import plain
from ..naming import label
from . import comprehensions, keyed, spreads

OP_NAMES = {
    gast.Add: "add",
    gast.Sub: "sub",
    gast.Mult: "mul",
    gast.Div: "div",
    gast.FloorDiv: "floordiv",
    gast.Mod: "mod",
    gast.Pow: "pow",
    gast.MatMult: "matmul",
    gast.USub: "neg",
    gast.UAdd: "pos",
    gast.Not: "not",
    gast.Invert: "invert",
    gast.BitAnd: "and",
    gast.BitOr: "or",
    gast.BitXor: "xor",
    gast.LShift: "lshift",
    gast.RShift: "rshift",
}

# Array methods and the NumPy function each one stands for.
METHODS = {
    name: name
    for name in (
        "sum mean prod max min var std cumsum cumprod dot reshape transpose ravel squeeze "
        "clip round trace diagonal repeat take swapaxes all any argmax argmin argsort nonzero "
        "copy conj conjugate ptp"
    ).split()
}
METHODS["flatten"] = "ravel"
METHODS["astype"] = "array"  # astype copies, as np.array does (np.asarray may not)
VARARG_METHODS = {"reshape", "transpose"}


class Normalizer:
    """Rewrites a function body into one operation per statement."""

    def __init__(self, namer, scope, np_alias: str):
        self.namer = namer
        self.scope = scope
        self.np = np_alias
        self.helpers: dict = {}  # runtime helpers the code now calls, by name
        self.headers: set[int] = set()  # loops' calls kept as they are (d.values())

    # statements -----------------------------------------------------------
    def block(self, stmts) -> list:
        out = []
        for stmt in stmts:
            for new in self.stmt(stmt):
                out.append(anno.copy_location(new, stmt))
        return out

    def stmt(self, node) -> list:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            return [node]
        return method(node)

    def visit_Assign(self, node):
        pre = []
        if len(node.targets) > 1:
            value = self.atom(node.value, pre)
            for target in node.targets:
                pre += self.visit_Assign(anno.assign(target, copy.deepcopy(value)))
            return pre
        target = node.targets[0]
        if isinstance(target, (gast.Tuple, gast.List)):
            return self._unpack(target, node.value)
        if isinstance(target, gast.Subscript):
            obj = self.atom(anno.as_load(target.value), pre)
            index = self._held_index(self.index(target.slice, pre), obj, pre)
            value = self.atom(node.value, pre)
            sub = gast.Subscript(value=obj, slice=index, ctx=gast.Store())
            return pre + [anno.assign(sub, value)]
        if isinstance(target, gast.Attribute):
            return pre + [anno.assign(target, self.atom(node.value, pre))]
        if isinstance(node.value, comprehensions.KINDS) and target.id not in (
            anno.load_names(node.value)
        ):  # ys = [...]: the loop fills ys itself
            self.comprehension(node.value, pre, into=target.id)
            return pre
        value = self.op(node.value, pre)
        if target.id in anno.load_names(value) and not _is_inert(value):
            tmp = self.namer.temp(target.id)
            return pre + [
                anno.assign(tmp, value),
                anno.assign(target.id, anno.name(tmp)),
            ]
        return pre + [anno.assign(target.id, value)]

    def _unpack(self, target, value):
        pre = []
        if isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(
            target.elts
        ):
            if any(isinstance(e, gast.Starred) for e in target.elts + value.elts):
                return [anno.assign(target, value)]
            temps = []
            for elt in value.elts:
                atom = self.atom(elt, pre)
                if isinstance(atom, gast.Name):
                    tmp = self.namer.temp(atom.id)
                    pre.append(anno.assign(tmp, atom))
                    atom = anno.name(tmp)
                temps.append(atom)
            for tgt, atom in zip(target.elts, temps):
                pre += self.visit_Assign(anno.assign(tgt, atom))
            return pre
        atom = self.atom(value, pre)
        if all(isinstance(e, gast.Name) for e in target.elts):
            return pre + [anno.assign(target, atom)]
        names = [self.namer.temp("item") for _ in target.elts]
        tup = gast.Tuple(elts=[anno.store(n) for n in names], ctx=gast.Store())
        pre.append(anno.assign(tup, atom))
        for tgt, n in zip(target.elts, names):
            pre += self.visit_Assign(anno.assign(tgt, anno.name(n)))
        return pre

    def visit_AugAssign(self, node):
        load = anno.as_load(node.target)
        value = gast.BinOp(left=load, op=node.op, right=node.value)
        return self.visit_Assign(anno.assign(node.target, value))

    def visit_AnnAssign(self, node):
        if node.value is None:
            return []
        return self.visit_Assign(anno.assign(node.target, node.value))

    def visit_Return(self, node):
        pre = []
        value = anno.const(None) if node.value is None else self.atom(node.value, pre)
        return pre + [gast.Return(value=value)]

    def visit_Expr(self, node):
        if isinstance(node.value, gast.Constant):
            return []  # docstrings and bare constants
        if isinstance(node.value, gast.Call):
            pre = []
            call = self.op(node.value, pre)
            return pre + [gast.Expr(value=call)]
        return [node]

    def visit_If(self, node):
        pre = []
        test = self.condition(node.test, pre)
        return pre + [
            gast.If(
                test=test,
                body=self.block(node.body) or [gast.Pass()],
                orelse=self.block(node.orelse),
            )
        ]

    def visit_While(self, node):
        return [
            gast.While(test=node.test, body=self.block(node.body), orelse=node.orelse)
        ]

    def visit_For(self, node):
        pre = []
        it = node.iter
        if self._calls(it, enumerate) and it.args and self._calls(it.args[0], zip):
            zipped = self.op(it.args[0], pre)  # enumerate(zip(a, b)) kept nested
            rest = gast.Call(func=it.func, args=it.args[1:], keywords=it.keywords)
            it = self.op(rest, pre)
            it.args.insert(0, zipped)
        elif self._loop_call(it):
            self.headers.add(id(it))
            it = self.op(it, pre)
        else:  # for v in np.cos(x): the values in a name of their own
            it = self.atom(it, pre)
        loop = gast.For(
            target=node.target,
            iter=it,
            body=self.block(node.body),
            orelse=self.block(node.orelse),
            type_comment=None,
        )
        return pre + [loop]

    def visit_With(self, node):
        """The context is kept whole; the body is normalized."""
        for item in node.items:
            self.inert(item.context_expr, [])
        node.body = self.block(node.body) or [gast.Pass()]
        return [node]

    def visit_Try(self, node):
        """A lowered ``try``: the handlers, which only record or raise, kept whole."""
        node.body = self.block(node.body) or [gast.Pass()]
        return [node]

    def condition(self, test, pre):
        """Tests become a named boolean so the reverse sweep can replay the branch:
        a Python bool, so that a test on a GPU or Dask array is read once, not again
        by each sweep."""
        if isinstance(test, gast.Name):
            return test
        tmp = self.namer.temp("cond")
        value = self.inert(test, pre)
        if not (isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.Not)):
            value = anno.call(anno.name("bool"), [value])
        pre.append(anno.assign(tmp, value))
        return anno.name(tmp)

    # expressions ----------------------------------------------------------
    def atom(self, node, pre):
        """An operand: a name, a constant, or a resolved global such as ``np.pi``."""
        if _is_atom(node) or self._is_global_path(node):
            return node
        if isinstance(node, gast.UnaryOp) and isinstance(node.operand, gast.Constant):
            return node
        value = self.op(node, pre)
        if _is_atom(value):
            return value
        tmp = self.namer.temp(_temp_base(value))
        pre.append(anno.assign(tmp, value))
        return anno.name(tmp)

    # One branch per kind of expression, as each splits into atoms in its own way:
    # arithmetic takes atoms, calls resolve their callee, subscripts keep their index
    # whole, literals make atoms of their items, conditional expressions become an
    # ``if`` (``a or b`` too, unless made of comparisons), and comparisons stay
    # whole (they have no derivative).
    def op(self, node, pre):
        """One operation whose operands are atoms."""
        if isinstance(node, gast.BinOp):
            return gast.BinOp(
                left=self.atom(node.left, pre),
                op=node.op,
                right=self.atom(node.right, pre),
            )
        if isinstance(node, gast.UnaryOp):
            if isinstance(node.op, gast.Not):
                return self.inert(node, pre)
            return gast.UnaryOp(op=node.op, operand=self.atom(node.operand, pre))
        if isinstance(node, gast.Call):
            return self.visit_call(node, pre)
        if isinstance(node, gast.Subscript):
            return gast.Subscript(
                value=self.atom(node.value, pre),
                slice=self.index(node.slice, pre),
                ctx=gast.Load(),
            )
        if isinstance(node, gast.Attribute):
            if self._is_global_path(node):
                return node
            return gast.Attribute(
                value=self.atom(node.value, pre), attr=node.attr, ctx=gast.Load()
            )
        if isinstance(node, (gast.Tuple, gast.List)):
            elts = [self.atom(e, pre) for e in node.elts]
            return type(node)(elts=elts, ctx=gast.Load())
        if isinstance(node, gast.Dict) and None not in node.keys:
            values = [self.atom(v, pre) for v in node.values]
            return gast.Dict(
                keys=[self.inert(k, pre) for k in node.keys], values=values
            )
        if isinstance(node, gast.IfExp):
            return self.visit_ifexp(node, pre)
        if isinstance(node, comprehensions.KINDS):
            return self.comprehension(node, pre)
        if isinstance(node, gast.NamedExpr):
            return self.walrus(node, pre)
        if isinstance(node, gast.BoolOp) and not all(map(_is_inert, node.values)):
            return self.visit_ifexp(self.choice(node, pre), pre)  # `s or 1.0`
        if isinstance(node, (gast.Compare, gast.BoolOp)):
            return self.inert(node, pre)
        return node

    def walrus(self, node, pre):
        """``(n := value)``: ``n = value`` on its own line, then ``n``."""
        name = node.target.id
        pre.extend(self.visit_Assign(anno.assign(anno.store(name), node.value)))
        return anno.name(name)

    def inert(self, node, pre):
        """Comparisons and boolean logic have no derivative: kept whole (but the
        ``:=`` in them, each assigned on its own line first)."""
        node = _Walruses(self, pre).visit(node)
        for sub in anno.walk(node):
            if isinstance(sub, gast.Call):
                self._annotate_callee(sub)
        return node

    def index(self, node, pre):
        """Indices are integers, slices or masks: never differentiated, kept whole."""
        return self.inert(node, pre)

    def _held_index(self, index, obj, pre):
        """The index of ``obj[index] = v`` in a name where it reads ``obj`` (``y[y < 0]``,
        ``y[np.argmax(y)]``): computed once, before ``obj`` changes, so the derivative
        updates the same elements."""
        if not isinstance(obj, gast.Name):
            return index
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        held = []
        for part in parts:
            if not isinstance(
                part, (gast.Slice, gast.Name)
            ) and obj.id in anno.load_names(part):
                tmp = self.namer.temp("index")
                pre.append(anno.assign(tmp, part))
                part = anno.name(tmp)
            held.append(part)
        if isinstance(index, gast.Tuple):
            return gast.Tuple(elts=held, ctx=gast.Load())
        return held[0]

    def choice(self, node, pre):
        """``a or b`` -> ``a if a else b``, ``a and b`` -> ``b if a else a``, ``a``
        computed once: the value is one of the operands, and so is its derivative."""
        first = self.atom(node.values[0], pre)
        rest = node.values[1:]
        other = rest[0] if len(rest) == 1 else gast.BoolOp(op=node.op, values=rest)
        if isinstance(node.op, gast.Or):
            return gast.IfExp(test=first, body=first, orelse=other)
        return gast.IfExp(test=first, body=other, orelse=first)

    def visit_ifexp(self, node, pre):
        tmp = self.namer.temp("ifexp")
        test = self.condition(node.test, pre)
        body, orelse = [], []
        body_val = self.op(node.body, body)
        orelse_val = self.op(node.orelse, orelse)
        pre.append(
            gast.If(
                test=test,
                body=body + [anno.assign(tmp, body_val)],
                orelse=orelse + [anno.assign(tmp, orelse_val)],
            )
        )
        return anno.name(tmp)

    def comprehension(self, node, pre, into=None):
        """A comprehension's loop, filling ``into`` (a temporary if None)."""
        into = into or self.namer.temp(comprehensions.base(node))
        for stmt in comprehensions.as_loop(node, into):
            pre.extend(self.stmt(stmt))
        return anno.name(into)

    def visit_call(self, node, pre):
        written = self._written_out(node, pre)
        if written is not None:
            return written
        func = node.func
        if isinstance(func, gast.Attribute) and not self._is_global_path(func):
            method = self._method_call(node, pre)
            if method is not None:
                return method
            func = gast.Attribute(
                value=self.atom(func.value, pre), attr=func.attr, ctx=gast.Load()
            )
        elif not isinstance(func, (gast.Name, gast.Attribute)):  # f(x)(y)
            func = self.atom(func, pre)
        args = [self._argument(a, pre) for a in node.args]
        args = self._spread_onto_names(node, args, pre)
        keywords = [
            gast.keyword(arg=k.arg, value=self.atom(k.value, pre))
            for k in node.keywords
        ]
        # the user's call's location: errors point here
        call = anno.copy_location(anno.call(func, args, keywords), node)
        self._annotate_callee(call)
        return call

    # Builtins whose derivative is that of what they compute, written out:
    # ``max(a, b)`` is one of its operands, ``max(xs)`` the item a loop picks,
    # ``pow(x, y)`` is ``x ** y``, ``d.get(k, v)`` is ``d[k]`` or ``v``.
    def _written_out(self, node, pre):
        """``node`` as the operations it stands for; None if it is a plain call."""
        func = node.func
        if _is_item(node):  # x.item(): a number, differentiated
            self.helpers["item_of"] = runtime.item_of
            call = anno.call(anno.name("item_of"), [self.atom(func.value, pre)])
            anno.set_(call, anno.CALLEE, runtime.item_of)
            return anno.copy_location(call, node)
        if (
            _is_dict_values(node)
            and id(node) not in self.headers
            and not self._is_global_path(func)
        ):
            # d.values() read as a whole (sum(d.values())): the list a loop makes
            each = self.namer.temp("value")
            loop = gast.comprehension(
                target=anno.store(each), iter=node, ifs=[], is_async=0
            )
            comp = gast.ListComp(elt=anno.name(each), generators=[loop])
            return self.comprehension(anno.copy_location(comp, node), pre)
        callee = self.scope.resolve(func)
        if keyed.is_keyed(node, callee):
            steps, picked = keyed.keyed(node, callee, self.namer)
            self.helpers["stop_gradient"] = runtime.stop_gradient
            for name, value in steps:
                assign = anno.copy_location(anno.assign(name, value), node)
                pre.extend(self.visit_Assign(assign))
            return self.op(anno.copy_location(picked, node), pre)
        plain = node.args and not node.keywords
        plain = plain and not any(isinstance(a, gast.Starred) for a in node.args)
        if not plain:
            return None
        func, args = node.func, node.args
        if callee in (max, min) and not any(map(_is_int_literal, args)):
            if len(args) > 1:
                return self.op(_extreme_of(args, callee is max), pre)
            return self.extreme(args[0], callee is max, pre)
        if callee is pow and len(args) == 2:
            return self.op(gast.BinOp(left=args[0], op=gast.Pow(), right=args[1]), pre)
        if _is_dict_get(func, callee) and len(args) <= 2:
            default = args[1] if len(args) == 2 else anno.const(None)
            key = gast.Compare(left=args[0], ops=[gast.In()], comparators=[func.value])
            item = gast.Subscript(value=func.value, slice=args[0], ctx=gast.Load())
            return self.op(gast.IfExp(test=key, body=item, orelse=default), pre)
        return None

    def extreme(self, items, largest: bool, pre):
        """``max(xs)``: the first item no other exceeds, picked by a loop (from a
        list of the items where ``xs`` may be any iterable: a dict, its values)."""
        if not isinstance(items, (gast.List, gast.ListComp, gast.GeneratorExp)):
            each = self.namer.temp("item")
            loop = gast.comprehension(
                target=anno.store(each), iter=items, ifs=[], is_async=0
            )
            items = gast.ListComp(elt=anno.name(each), generators=[loop])
        items = self.atom(items, pre)
        best = self.namer.temp("max" if largest else "min")
        item = self.namer.temp("item")
        pre.append(
            anno.assign(
                best, gast.Subscript(value=items, slice=anno.const(0), ctx=gast.Load())
            )
        )
        better = gast.Compare(
            left=anno.name(item),
            ops=[gast.Gt() if largest else gast.Lt()],
            comparators=[anno.name(best)],
        )
        pick = gast.If(
            test=better, body=[anno.assign(best, anno.name(item))], orelse=[]
        )
        loop = gast.For(
            target=anno.store(item),
            iter=items,
            body=[pick],
            orelse=[],
            type_comment=None,
        )
        pre.extend(self.stmt(loop))
        return anno.name(best)

    def _spread_onto_names(self, node, args, pre):
        """``f(*xs)`` as ``_a, _b = xs`` and ``f(_a, _b)`` where ``f``'s parameters
        fix how many items ``xs`` holds (``frontend/spreads.py``)."""
        names = spreads.filled(self.scope.resolve(node.func), node)
        if names is None:
            return args
        temps = [self.namer.temp(name) for name in names]
        (star,) = [a for a in args if isinstance(a, gast.Starred)]
        target = gast.Tuple(elts=[anno.store(t) for t in temps], ctx=gast.Store())
        pre.extend(self.stmt(anno.copy_location(anno.assign(target, star.value), node)))
        spread = [anno.name(t) for t in temps]
        return [b for a in args for b in (spread if a is star else [a])]

    def _argument(self, node, pre):
        if isinstance(node, gast.Starred):  # f(*xs)
            return gast.Starred(value=self.atom(node.value, pre), ctx=gast.Load())
        return self.atom(node, pre)

    def _method_call(self, node, pre):
        """``x.sum(axis=0)`` -> ``np.sum(x, axis=0)`` for array methods."""
        import numpy

        attr = node.func.attr
        if attr not in METHODS:
            return None
        obj = self.atom(node.func.value, pre)
        args = list(node.args)
        if attr in VARARG_METHODS and len(args) > 1:
            args = [gast.Tuple(elts=args, ctx=gast.Load())]
        if (
            attr == "transpose"
            and len(args) == 1
            and not isinstance(args[0], gast.Tuple)
        ):
            args = [gast.Tuple(elts=args, ctx=gast.Load())]
        name = METHODS[attr]
        fake = gast.Call(
            func=anno.dotted(f"{self.np}.{name}"),
            args=[obj] + args,
            keywords=node.keywords,
        )
        call = self.visit_call(fake, pre)
        anno.set_(call, anno.CALLEE, getattr(numpy, name))
        return call

    def _annotate_callee(self, call):
        obj = self.scope.resolve(call.func)
        if is_resolved(obj):
            anno.set_(call, anno.CALLEE, plain(obj))  # a gradient: its generated code

    def _loop_call(self, it) -> bool:
        """A loop's call the lowering reads (``range``, ``enumerate``, ``zip``,
        ``d.items()``): kept in the loop's header."""
        if not isinstance(it, gast.Call):
            return False
        if any(self._calls(it, f) for f in (range, enumerate, zip, reversed)):
            return True
        func = it.func
        return isinstance(func, gast.Attribute) and func.attr in (
            "items",
            "values",
            "keys",
        )

    def _calls(self, node, builtin) -> bool:
        """``node`` is a call of the builtin ``builtin`` (``enumerate(...)``)."""
        return isinstance(node, gast.Call) and self.scope.resolve(node.func) is builtin

    def _is_global_path(self, node) -> bool:
        if not isinstance(node, gast.Attribute):
            return False
        base = node
        while isinstance(base, gast.Attribute):
            base = base.value
        if not isinstance(base, gast.Name):
            return False
        root = self.scope.resolve(base)
        return is_resolved(root) and is_module(root)


class _Walruses(gast.NodeTransformer):
    """Each ``(n := value)`` of an expression kept whole becomes ``n``, assigned
    before it in the order Python evaluates them."""

    def __init__(self, normalizer, pre):
        self.normalizer, self.pre = normalizer, pre

    def visit_NamedExpr(self, node):
        self.generic_visit(node)
        return self.normalizer.walrus(node, self.pre)


def _extreme_of(args, largest: bool):
    """``max(a, b, c)`` as conditional expressions that keep the first of equals:
    ``c if c > m else m`` of ``m = b if b > a else a``."""
    best = args[0]
    for arg in args[1:]:
        op = gast.Gt() if largest else gast.Lt()
        better = gast.Compare(left=arg, ops=[op], comparators=[best])
        best = gast.IfExp(test=better, body=arg, orelse=best)
    return best


def _is_int_literal(node) -> bool:
    """``1`` or ``-1``: ``max(1, n)`` counts (and stays a call)."""
    if isinstance(node, gast.UnaryOp):
        node = node.operand
    return isinstance(node, gast.Constant) and type(node.value) in (int, bool)


def _is_dict_values(call) -> bool:
    """``d.values()`` of a local name."""
    func = call.func
    return (
        isinstance(func, gast.Attribute)
        and func.attr == "values"
        and isinstance(func.value, gast.Name)
        and not call.args
        and not call.keywords
    )


def _is_item(call) -> bool:
    """``x.item()`` of a value (not of a module)."""
    func = call.func
    return (
        isinstance(func, gast.Attribute)
        and func.attr == "item"
        and not call.args
        and not call.keywords
    )


def _is_dict_get(func, callee) -> bool:
    """``d.get(...)`` of a local name (not a module's function)."""
    return (
        isinstance(func, gast.Attribute)
        and func.attr == "get"
        and isinstance(func.value, gast.Name)
        and not is_resolved(callee)
    )


def _is_atom(node) -> bool:
    return isinstance(node, (gast.Name, gast.Constant))


def _is_inert(node) -> bool:
    return isinstance(node, (gast.Compare, gast.BoolOp)) or (
        isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.Not)
    )


def _temp_base(node) -> str:
    if isinstance(node, (gast.BinOp, gast.UnaryOp)):
        return OP_NAMES.get(type(node.op), "op")
    if isinstance(node, gast.Call):
        func = node.func
        base = getattr(func, "attr", None) or getattr(func, "id", None) or "call"
        if isinstance(func, gast.Attribute):  # Model.__call__(m, x): _Model_call
            base = label(base, getattr(func.value, "id", None))
        return base + "ed" if base == "stack" else base  # ``_stack`` is the save stack
    if isinstance(node, gast.Subscript):
        return "item"
    if isinstance(node, gast.Attribute):
        return node.attr
    if isinstance(node, gast.Compare):
        return "cmp"
    if isinstance(node, gast.BoolOp):
        return "cond"
    if isinstance(node, gast.Tuple):
        return "tuple"
    if isinstance(node, gast.List):
        return "list"
    if isinstance(node, gast.Dict):
        return "dict"
    return "tmp"
