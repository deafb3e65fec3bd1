"""Specialise a generated function to the shapes of the arrays it is called with.

Knowing that ``W1`` is 784x512 and ``b1`` has 512 elements, the shape helpers of
the generic code become the plain NumPy a person would write:

    b_matmul = unbroadcast(b_add, _matmul)   ->   b_matmul = b_add
    bb1 = unbroadcast(b_add, b1)             ->   bb1 = np.sum(b_add, axis=0)
    bW1 = matmul_rhs(b_matmul, X, W1)        ->   bW1 = X.T @ b_matmul
    n = reduced_size(_add2, None)            ->   n = 1000

A forward analysis gives every name the one shape it holds throughout a call, or
none: arguments start with their own shapes, every assignment of a name must
give it the same shape (loops are solved to a fixed point, optimistically), and
a name with any assignment the analysis cannot follow has no shape.  A value
popped off ``_stack`` is one the name held before; a popped shape is the shape
that was pushed.  Only rewrites whose result NumPy defines exactly are made.
"""

from __future__ import annotations

import gast

from . import anno
from .optimize_shapes import BINARY, ELEMENTWISE, _definitions, _module_aliases
from .optimize_stack import saved_values

UNKNOWN = None
ELEMENTWISE_OPS = (gast.Add, gast.Sub, gast.Mult, gast.Div)
PENDING = "<pending>"  # not solved yet: optimistically, whatever the others say
REDUCTIONS = frozenset("sum mean max min amax amin prod".split())
LIKE = frozenset("zeros_like ones_like empty_like copy".split())
HELPER_SHAPE_ARG = {"unbroadcast": 1, "unreduce": 1, "matmul_lhs": 1, "matmul_rhs": 2,
                    "zeros_like": 0, "broadcast_like": 1, "unbroadcast_as": 1,
                    "max_grad": 2, "var_grad": 1, "prod_grad": 1, "ptp_grad": 1,
                    "nan_grad": 1, "cumsum_grad": 1, "cumprod_grad": 1}  # fmt: skip


def specialize(func: gast.FunctionDef, shapes: dict[str, tuple], np_alias: str) -> bool:
    """Rewrite shape helpers given the argument shapes in ``shapes``; whether any was."""
    known = ConcreteShapes(func, shapes)
    rewriter = _Rewriter(known, np_alias)
    rewriter.visit(func)
    return rewriter.changed or _unbroadcast_reads(func, known)


def _unbroadcast_reads(func, known: ConcreteShapes) -> bool:
    """``t = unreduce(g, x, ...)`` becomes ``t = g`` where ``g`` broadcasts as it is
    (a full reduction's number, or ``keepdims``) and every read of ``t`` is ``+ - * /``
    with an operand of ``x``'s shape, which broadcasts ``g`` the same way:

        b_add = unreduce(-0.001, _add2, None, False)   ->   b_add = -0.001
        b_log = b_add * _sub                                b_log = b_add * _sub
    """
    defs: dict[str, gast.Assign] = {}
    for node in gast.walk(func):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
            value = node.value
            if _is_lazy_unreduce(value) and len(known.defs.get(node.targets[0].id, ())) == 1:
                defs[node.targets[0].id] = node
    if not defs:
        return False
    reads = anno.name_counts(func)
    good: dict[str, int] = {}
    for node in gast.walk(func):
        if isinstance(node, gast.BinOp) and isinstance(node.op, ELEMENTWISE_OPS):
            for side, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(side, gast.Name) and side.id in defs:
                    full = _solid(known.of(defs[side.id].value.args[1]))
                    mine = isinstance(other, gast.Name) and other.id == side.id
                    if full is not UNKNOWN and not mine and _solid(known.of(other)) == full:
                        good[side.id] = good.get(side.id, 0) + 1
    changed = False
    for name, stmt in defs.items():
        if reads.get(name) and good.get(name) == reads[name]:
            stmt.value = stmt.value.args[0]
            changed = True
    return changed


def _is_lazy_unreduce(value) -> bool:
    if not (isinstance(value, gast.Call) and isinstance(value.func, gast.Name)):
        return False
    if value.func.id != "unreduce" or value.keywords or len(value.args) != 4:
        return False
    axis, keepdims = _constant(value.args[2]), _constant(value.args[3])
    return axis is None or keepdims is True


class ConcreteShapes:
    """The shape of each name of ``func`` (a tuple), or UNKNOWN."""

    def __init__(self, func, shapes: dict[str, tuple]):
        self.arguments = dict(shapes)
        self.aliases = _module_aliases(func)
        self.defs = _definitions(func)
        self.saved = saved_values(func)
        self.ints = _loop_counters(func)
        self.shape: dict[str, object] = {}
        fixpoint(self.defs, self.of, self.shape)

    # shapes of expressions -------------------------------------------------------
    def of(self, node):
        """A tuple, UNKNOWN, or PENDING while solving."""
        if isinstance(node, gast.Name):
            if node.id.startswith("<argument "):
                return self.arguments.get(node.id[len("<argument ") : -1], UNKNOWN)
            if node.id not in self.defs:
                return UNKNOWN
            return self.shape.get(node.id, PENDING)
        if isinstance(node, gast.Constant):
            number = isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
            return () if number else UNKNOWN
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
            return self.of(node.operand)
        if isinstance(node, gast.BinOp):
            return self._binop(node)
        if isinstance(node, gast.Subscript):
            return self._subscript(node)
        if isinstance(node, gast.Attribute) and node.attr == "T":
            s = self.of(node.value)
            return s[::-1] if isinstance(s, tuple) and len(s) > 1 else UNKNOWN
        if isinstance(node, gast.Call):
            return self._call(node)
        return UNKNOWN

    def _binop(self, node):
        a, b = self.of(node.left), self.of(node.right)
        if isinstance(node.op, gast.MatMult):
            return _lift(matmul_shape, a, b)
        if isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)):
            return _lift(broadcast_shape, a, b)
        return UNKNOWN

    def _subscript(self, node):
        """``xs[t]`` with ``t`` a loop counter or an integer: the first axis goes."""
        index = node.slice
        integer = (isinstance(index, gast.Constant) and type(index.value) is int) or (
            isinstance(index, gast.Name) and index.id in self.ints
        )
        if not integer:
            return UNKNOWN
        if isinstance(self.value_shape(node.value), tuple):
            return ()  # an entry of a shape: an int
        s = self.of(node.value)
        if s == PENDING or s is UNKNOWN:
            return s
        return s[1:] if s else UNKNOWN

    def _call(self, node):
        func, args = node.func, node.args
        if isinstance(func, gast.Name):
            if getattr(node, "tl_callee", None) is not None:
                return UNKNOWN  # the user's function, not a runtime helper
            if func.id in HELPER_SHAPE_ARG and not node.keywords:
                k = HELPER_SHAPE_ARG[func.id]
                return self.of(args[k]) if len(args) > k else UNKNOWN
            if func.id == "sum_to" and len(args) == 2 and not node.keywords:
                return self.value_shape(args[1])
            return UNKNOWN
        if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)):
            return UNKNOWN
        module = self.aliases.get(func.value.id)
        if module == "math":
            return ()
        if module != "numpy":
            return UNKNOWN
        if func.attr in ELEMENTWISE | LIKE and len(args) == 1 and not node.keywords:
            return self.of(args[0])
        if func.attr in BINARY and len(args) == 2 and not node.keywords:
            return _lift(broadcast_shape, self.of(args[0]), self.of(args[1]))
        if func.attr in REDUCTIONS:
            return self._reduction(node)
        return UNKNOWN

    def _reduction(self, node):
        options = reduction_options(node)
        if options is None:
            return UNKNOWN
        s = self.of(node.args[0])
        if s == PENDING or s is UNKNOWN:
            return s
        return reduced_shape(s, *options)

    def value_shape(self, node):
        """The shape tuple that ``node`` evaluates to (``np.shape(x)``, ``x.shape``,
        or a name a pop restored it into): a tuple, UNKNOWN or PENDING."""
        if isinstance(node, gast.Call) and _is_attr(node.func, "shape") and len(node.args) == 1:
            if self.aliases.get(node.func.value.id) == "numpy":
                return self.of(node.args[0])
        if isinstance(node, gast.Attribute) and node.attr == "shape":
            return self.of(node.value)
        if isinstance(node, gast.Name) and node.id in self.saved and node.id not in self.defs:
            found = {self.value_shape(v) for v in self.saved[node.id]}
            if UNKNOWN in found or len(found - {PENDING}) > 1:
                return UNKNOWN
            return (found - {PENDING}).pop() if found - {PENDING} else PENDING
        if isinstance(node, gast.Name) and len(self.defs.get(node.id, ())) == 1:
            return self.value_shape(self.defs[node.id][0])
        return UNKNOWN


def fixpoint(defs: dict, of, facts: dict) -> None:
    """Fill ``facts`` (name -> fact) so that every value assigned to a name has
    the name's fact, optimistically: while solving, a name no value has settled
    yet is PENDING; ``of(expr)`` reads ``facts``.  Conflicts give UNKNOWN."""
    changed = True
    while changed:
        changed = False
        for name, values in defs.items():
            current = facts.get(name, PENDING)
            if current is UNKNOWN:
                continue
            new = current
            for value in values:
                s = of(value)
                if s == PENDING:
                    continue
                if s is UNKNOWN or (new != PENDING and new != s):
                    new = UNKNOWN
                    break
                new = s
            if new != current:
                facts[name] = new
                changed = True
    for name, s in facts.items():
        if s == PENDING:
            facts[name] = UNKNOWN


class _Rewriter(gast.NodeTransformer):
    """Replaces shape helpers whose shapes are known by plain expressions."""

    def __init__(self, shapes: ConcreteShapes, np_alias: str):
        self.shapes = shapes
        self.np = np_alias
        self.changed = False

    def visit_Call(self, node):
        self.generic_visit(node)
        if not isinstance(node.func, gast.Name) or node.keywords:
            return node
        rewrite = {
            "unbroadcast": self._unbroadcast,
            "sum_to": self._sum_to,
            "matmul_lhs": self._matmul_lhs,
            "matmul_rhs": self._matmul_rhs,
            "reduced_size": self._reduced_size,
        }.get(node.func.id)
        new = rewrite(*node.args) if rewrite and len(node.args) >= 2 else None
        if new is None:
            return node
        self.changed = True
        return new

    def _unbroadcast(self, g, x):
        return self._sum_to(g, _solid(self.shapes.of(x)))

    def _sum_to(self, g, shape):
        if isinstance(shape, gast.AST):
            shape = _solid(self.shapes.value_shape(shape))
        have = _solid(self.shapes.of(g))
        if shape is UNKNOWN or have is UNKNOWN or len(have) < len(shape):
            return None
        if have == shape:
            return g
        lead = len(have) - len(shape)
        kept = [lead + i for i, n in enumerate(shape) if n == 1 and have[lead + i] != 1]
        if lead and kept:
            return None
        axes = list(range(lead)) or kept
        if broadcast_shape(shape, have) != have:
            return None
        keywords = [] if not shape else [("axis", axes[0] if len(axes) == 1 else tuple(axes))]
        if kept:
            keywords.append(("keepdims", True))
        return self._numpy("sum", [g], keywords)

    def _matmul_lhs(self, g, x, y, *rest):
        nx, ny = self._ndim(x), self._ndim(y)
        if rest or nx not in (1, 2) or ny not in (1, 2):
            return None
        if ny == 2:
            return _matmul(g, _transpose(y)) if nx == 2 else _matmul(y, g)
        return self._numpy("outer", [g, y], []) if nx == 2 else _mul(g, y)

    def _matmul_rhs(self, g, x, y, *rest):
        nx, ny = self._ndim(x), self._ndim(y)
        if rest or nx not in (1, 2) or ny not in (1, 2):
            return None
        if nx == 2:
            return _matmul(_transpose(x), g)
        return self._numpy("outer", [x, g], []) if ny == 2 else _mul(g, x)

    def _reduced_size(self, x, axis, *rest):
        s = _solid(self.shapes.of(x))
        axes = _constant(axis)
        if rest or s is UNKNOWN or axes is _NOT_CONSTANT:
            return None
        if axes is None:
            axes = tuple(range(len(s)))
        axes = axes if isinstance(axes, tuple) else (axes,)
        if any(not isinstance(a, int) or not -len(s) <= a < len(s) for a in axes):
            return None
        size = 1
        for a in axes:
            size *= s[a]
        return gast.Constant(value=size, kind=None)

    def _ndim(self, node):
        s = _solid(self.shapes.of(node))
        return None if s is UNKNOWN else len(s)

    def _numpy(self, attr, args, keywords):
        kws = [gast.keyword(arg=k, value=_literal(v)) for k, v in keywords]
        return gast.Call(func=anno.dotted(f"{self.np}.{attr}"), args=args, keywords=kws)


# shape arithmetic ----------------------------------------------------------------
def broadcast_shape(a: tuple, b: tuple):
    """NumPy's broadcast of two shapes, or UNKNOWN where they do not broadcast."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for p, q in zip(a, b):
        if p != q and 1 not in (p, q):
            return UNKNOWN
        out.append(q if p == 1 else p)
    return tuple(out)


def matmul_shape(a: tuple, b: tuple):
    """The shape of ``a @ b``, or UNKNOWN where the product is not defined."""
    if not a or not b:
        return UNKNOWN
    a2 = (1,) + a if len(a) == 1 else a
    b2 = b + (1,) if len(b) == 1 else b
    if a2[-1] != b2[-2]:
        return UNKNOWN
    batch = broadcast_shape(a2[:-2], b2[:-2])
    if batch is UNKNOWN:
        return UNKNOWN
    return batch + (a2[-2],) * (len(a) > 1) + (b2[-1],) * (len(b) > 1)


def reduced_shape(shape: tuple, axis, keepdims: bool):
    """The shape of a reduction over ``axis`` (None: all axes)."""
    axes = range(len(shape)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    if any(not -len(shape) <= a < len(shape) for a in axes):
        return UNKNOWN
    axes = {a % len(shape) for a in axes}
    if keepdims:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def reduction_options(node):
    """``(axis, keepdims)`` of ``np.sum(x, axis, keepdims=...)`` when both are
    literal, else None."""
    options = {"axis": None, "keepdims": False}
    if len(node.args) > 2 or not node.args:
        return None
    if len(node.args) == 2:
        options["axis"] = _constant(node.args[1])
    for kw in node.keywords:
        if kw.arg not in options:
            return None
        options[kw.arg] = _constant(kw.value)
    axis, keepdims = options["axis"], options["keepdims"]
    axis_ok = (
        axis is None
        or type(axis) is int
        or (isinstance(axis, tuple) and all(type(a) is int for a in axis))
    )
    return (axis, keepdims) if axis_ok and type(keepdims) is bool else None


_NOT_CONSTANT = object()


def _constant(node):
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.Tuple):
        values = tuple(_constant(e) for e in node.elts)
        return _NOT_CONSTANT if _NOT_CONSTANT in values else values
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        value = _constant(node.operand)
        return -value if type(value) is int else _NOT_CONSTANT
    return _NOT_CONSTANT


def _literal(value):
    if isinstance(value, tuple):
        return gast.Tuple(elts=[_literal(v) for v in value], ctx=gast.Load())
    return gast.Constant(value=value, kind=None)


def _lift(fn, a, b):
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    if a == PENDING or b == PENDING:
        return PENDING
    return fn(a, b)


def _solid(shape):
    return shape if isinstance(shape, tuple) else UNKNOWN


def _is_attr(node, attr) -> bool:
    return (
        isinstance(node, gast.Attribute) and node.attr == attr and isinstance(node.value, gast.Name)
    )


def _loop_counters(func) -> set[str]:
    """Names bound nowhere but as the target of ``for t in range(...)`` (or of
    ``reversed(range(...))``): integers."""
    loops: dict[str, int] = {}
    for node in gast.walk(func):
        if isinstance(node, gast.For) and isinstance(node.target, gast.Name):
            it = node.iter
            if _calls(it, "reversed") and it.args:
                it = it.args[0]
            if _calls(it, "range"):
                loops[node.target.id] = loops.get(node.target.id, 0) + 1
    stores: dict[str, int] = {}
    for node in gast.walk(func):
        if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
            stores[node.id] = stores.get(node.id, 0) + 1
    return {n for n, k in loops.items() if stores.get(n) == k and n not in func_params(func)}


def func_params(func) -> set[str]:
    return {a.id for a in func.args.args}


def _calls(node, name) -> bool:
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id == name


def _transpose(node):
    return gast.Attribute(value=node, attr="T", ctx=gast.Load())


def _matmul(a, b):
    return gast.BinOp(left=a, op=gast.MatMult(), right=b)


def _mul(a, b):
    return gast.BinOp(left=a, op=gast.Mult(), right=b)
