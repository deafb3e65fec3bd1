"""Specialise a generated function to the shapes of the arrays it is called with.

Knowing that ``W1`` is 784x512 and ``b1`` has 512 elements, the shape helpers of
the generic code become the plain NumPy a person would write:

given: shapes={"X": (1000, 784), "W1": (784, 512), "b1": (512,)}
before:
    def f(X, W1, b1, b_mean=1.0):
        _matmul = X @ W1
        _add = _matmul + b1
        _mean = np.mean(_add)
        n = reduced_size(_add, None)
        b_add = unreduce(b_mean / n, _add, None, False)
        b_matmul = unbroadcast(b_add, _matmul)
        bb1 = unbroadcast(b_add, b1)
        bW1 = matmul_rhs(b_matmul, X, W1)
        return _mean, (bW1, bb1)
after:
    def f(X, W1, b1, b_mean=1.0):
        _matmul = X @ W1
        _add = _matmul + b1
        _mean = np.mean(_add)
        n = 512000
        b_add = unreduce(b_mean / n, _add, None, False)
        b_matmul = b_add
        bb1 = np.sum(b_add, axis=0)
        bW1 = X.T @ b_matmul
        return _mean, (bW1, bb1)

An ``unreduce`` whose every reader broadcasts it the same way goes too:

given: shapes={"x": (1000,)}
before:
    def f(x, b_mean=1.0):
        _add = x + 1.0
        _sub = 1.0 - x
        _mean = np.mean(_add)
        b_add = unreduce(-0.001, _add, None, False)
        b_log = b_add * _sub
        return _mean, b_log
after:
    def f(x, b_mean=1.0):
        _add = x + 1.0
        _sub = 1.0 - x
        _mean = np.mean(_add)
        b_add = -0.001
        b_log = b_add * _sub
        return _mean, b_log

The shapes come from ``concrete_shapes``; only rewrites whose result NumPy
defines exactly are made.
"""

from __future__ import annotations

import gast

from .. import anno, runtime
from ..analysis.shapes import (
    NOT_CONSTANT,
    UNKNOWN,
    ConcreteShapes,
    Packed,
    broadcast_shape,
    constant,
    reduction_size,
    solid,
)

ELEMENTWISE_OPS = (gast.Add, gast.Sub, gast.Mult, gast.Div)


def specialize(func: gast.FunctionDef, shapes: dict[str, tuple], np_alias: str) -> bool:
    """Rewrite shape helpers given the argument shapes in ``shapes``; whether any was."""
    known = ConcreteShapes(func, shapes)
    rewriter = _Rewriter(known, np_alias)
    rewriter.visit(func)
    changed = rewriter.changed or _unbroadcast_reads(func, known, np_alias)
    return _item_grads(func, known) or changed


def _item_grads(func, known: ConcreteShapes) -> bool:
    """``t = array_grad(g, items)`` becomes ``t = g`` where ``items`` is a list
    written out of arrays or numbers of one shape, ``g`` the array they stacked
    into, and every read of ``t`` takes one item (``t[0]``): ``g[0]``, the very
    item ``array_grad`` gives (a user's function returning ``np.array([a, b])``)."""
    found = {}
    for node in anno.walk(func):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
            value = node.value
            if (
                isinstance(value, gast.Call)
                and isinstance(value.func, gast.Name)
                and value.func.id == runtime.array_grad.__name__
                and len(value.args) == 2
                and not value.keywords
                and len(known.defs.get(node.targets[0].id, ())) == 1
                and _stacked_items(known, *value.args)
            ):
                found[node.targets[0].id] = node
    if not found:
        return False
    reads, taken = anno.name_counts(func), {}
    for n in anno.walk(func):  # reads that take one item: t[0], never stores
        if (
            isinstance(n, gast.Subscript)
            and isinstance(n.ctx, gast.Load)
            and isinstance(n.value, gast.Name)
            and isinstance(n.slice, gast.Constant)
            and type(n.slice.value) is int
        ):
            taken[n.value.id] = taken.get(n.value.id, 0) + 1
    changed = False
    for name, stmt in found.items():
        if reads.get(name) and taken.get(name) == reads[name]:
            stmt.value = stmt.value.args[0]
            changed = True
    return changed


def _stacked_items(known, g, items) -> bool:
    """Whether ``items`` is known as a list of arrays (or numbers) of one shape,
    and ``g`` as the array of their stack."""
    packed = known.of(items)
    if not isinstance(packed, Packed) or not packed.items:
        return False
    shapes = set(packed.items)
    item = shapes.pop()
    if shapes or not isinstance(item, tuple):
        return False
    return solid(known.of(g)) == (len(packed.items), *item)


# Two walks: the first finds the lazy unreduces assigned once, the second counts
# for each the reads that broadcast it as unreduce would (+ - * / with an operand
# of the full shape, not itself).  Only where every read does can it go.
def _unbroadcast_reads(func, known: ConcreteShapes, np_alias: str = "np") -> bool:
    """``t = unreduce(g, x, ...)`` becomes ``t = g`` where ``g`` broadcasts as it is
    (a full reduction's number, or ``keepdims``) and every read of ``t`` (or of
    ``-t``) is ``+ - * /`` with an operand of ``x``'s shape, which broadcasts ``g``
    the same way (the module's second example); over literal axes without
    ``keepdims``, ``t = np.expand_dims(g, axis)``, a view, which those reads
    broadcast as ``unreduce`` would (and ``x`` need not be kept for its shape)."""
    defs: dict[str, gast.Assign] = {}
    for node in anno.walk(func):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
            value = node.value
            if (_is_lazy_unreduce(value) or _axes_dropped(value) is not None) and len(
                known.defs.get(node.targets[0].id, ())
            ) == 1:
                defs[node.targets[0].id] = node
    if not defs:
        return False
    reads = anno.name_counts(func)
    good: dict[str, int] = {}
    for node in anno.walk(func):
        if isinstance(node, gast.BinOp) and isinstance(node.op, ELEMENTWISE_OPS):
            for side, other in ((node.left, node.right), (node.right, node.left)):
                name = _unreduced(side, defs)
                if name is None:  # (t * 2) * other: t beside a number first
                    name = _beside_a_number(side, defs)
                if name is None or anno.load_names(other) & defs.keys():
                    continue
                full = solid(known.of(defs[name].value.args[1]))
                if full is not UNKNOWN and solid(known.of(other)) == full:
                    good[name] = good.get(name, 0) + 1
    changed = False
    for name, stmt in defs.items():
        if reads.get(name) and good.get(name) == reads[name]:
            g, axes = stmt.value.args[0], _axes_dropped(stmt.value)
            if axes is not None:
                func_name = anno.dotted(f"{np_alias}.expand_dims")
                g = gast.Call(func=func_name, args=[g, _literal(axes)], keywords=[])
            stmt.value = g
            changed = True
    return changed


def _unreduced(node, defs) -> str | None:
    """The name of ``t`` or ``-t`` (which broadcasts as ``t`` does), ``t`` one of
    ``defs``; else None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        node = node.operand
    return node.id if isinstance(node, gast.Name) and node.id in defs else None


def _beside_a_number(node, defs) -> str | None:
    """``t`` of ``t * 2`` (``+ - * /``, either side): the number broadcasts to
    ``t``'s shape as ``t`` does, so the result broadcasts as ``t`` would."""
    if not (isinstance(node, gast.BinOp) and isinstance(node.op, ELEMENTWISE_OPS)):
        return None
    for side, other in ((node.left, node.right), (node.right, node.left)):
        number = isinstance(other, gast.Constant) and type(other.value) in (int, float)
        if number:
            return _unreduced(side, defs)
    return None


def _axes_dropped(value):
    """The literal axes (an int or a tuple of ints) of ``unreduce(g, x, axis,
    False)``, the axes its reduction took away; None for any other value."""
    if not (isinstance(value, gast.Call) and isinstance(value.func, gast.Name)):
        return None
    if value.func.id != runtime.unreduce.__name__:
        return None
    if value.keywords or len(value.args) != 4 or constant(value.args[3]) is not False:
        return None
    axis = constant(value.args[2])
    if type(axis) is int or (
        isinstance(axis, tuple) and axis and all(type(a) is int for a in axis)
    ):
        return axis
    return None


def _is_lazy_unreduce(value) -> bool:
    if not (isinstance(value, gast.Call) and isinstance(value.func, gast.Name)):
        return False
    if value.func.id != runtime.unreduce.__name__:
        return False
    if value.keywords or len(value.args) != 4:
        return False
    axis, keepdims = constant(value.args[2]), constant(value.args[3])
    return axis is None or keepdims is True


class _Rewriter(gast.NodeTransformer):
    """Replaces shape helpers whose shapes are known by plain expressions."""

    def __init__(self, shapes: ConcreteShapes, np_alias: str):
        self.shapes = shapes
        self.np = np_alias
        self.changed = False

    def visit_Call(self, node):
        self.generic_visit(node)
        if self._is_numpy_shape(node):
            shape = solid(self.shapes.of(node.args[0]))
            if shape is not UNKNOWN:  # np.shape(h): the tuple it is, h not kept
                self.changed = True
                return _literal(shape)
        if not isinstance(node.func, gast.Name) or node.keywords:
            return node
        rewrite = {
            runtime.unbroadcast.__name__: self._unbroadcast,
            runtime.sum_to.__name__: self._sum_to,
            runtime.matmul_lhs.__name__: self._matmul_lhs,
            runtime.matmul_rhs.__name__: self._matmul_rhs,
            runtime.reduced_size.__name__: self._reduced_size,
            runtime.add.__name__: self._add,
        }.get(node.func.id)
        if node.func.id == runtime.zeros_items.__name__ and len(node.args) == 1:
            rewrite = self._zeros_items
        if node.func.id == runtime.array_grad.__name__:
            rewrite = self._array_grad
        enough = len(node.args) >= (1 if rewrite == self._zeros_items else 2)
        new = rewrite(*node.args) if rewrite and enough else None
        if new is None:
            return node
        self.changed = True
        return new

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ELEMENTWISE_OPS):
            node.left = self._broadcast_by(node.left, node.right)
            node.right = self._broadcast_by(node.right, node.left)
        return node

    def visit_Compare(self, node):
        self.generic_visit(node)
        if len(node.comparators) == 1:
            (right,) = node.comparators
            node.left = self._broadcast_by(node.left, right)
            node.comparators = [self._broadcast_by(right, node.left)]
        return node

    def _is_numpy_shape(self, node) -> bool:
        func = node.func
        return (
            isinstance(func, gast.Attribute)
            and func.attr == "shape"
            and isinstance(func.value, gast.Name)
            and func.value.id == self.np
            and len(node.args) == 1
            and not node.keywords
        )

    def _broadcast_by(self, operand, other):
        """``unreduce(g, x, ...)`` beside an operand of ``x``'s shape is ``g``, which
        that operand broadcasts the same way (a number, or ``keepdims``):
        ``x == unreduce(m, x, 1, True)`` -> ``x == m``."""
        if not _is_lazy_unreduce(operand):
            return operand
        full = solid(self.shapes.of(operand.args[1]))
        if full is UNKNOWN or solid(self.shapes.of(other)) != full:
            return operand
        self.changed = True
        return operand.args[0]

    def _add(self, a, b, *rest):
        """``add(a, b)`` of gradients of known shapes, arrays or numbers: ``a + b``."""
        known = [solid(self.shapes.of(x)) for x in (a, b)]
        if rest or UNKNOWN in known:
            return None
        return gast.BinOp(left=a, op=gast.Add(), right=b)

    def _zeros_items(self, x):
        """An array of a known shape: its gradient's zeros are an array."""
        shape = solid(self.shapes.of(x))
        return None if shape is UNKNOWN else self._numpy("zeros_like", [x], [])

    def _array_grad(self, g, a):
        """``np.array(a)``'s gradient for an array ``a`` of a known shape: ``g``."""
        return None if solid(self.shapes.of(a)) is UNKNOWN else g

    def _unbroadcast(self, g, x):
        return self._sum_to(g, solid(self.shapes.of(x)))

    # Each bail-out is a pair of shapes one np.sum call does not reduce exactly: an
    # unknown shape, fewer axes than the target, leading axes to drop together with
    # axes to keep, a target that does not broadcast to the gradient's shape.
    def _sum_to(self, g, shape):
        if isinstance(shape, gast.AST):
            shape = solid(self.shapes.value_shape(shape))
        have = solid(self.shapes.of(g))
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
        keywords = (
            [] if not shape else [("axis", axes[0] if len(axes) == 1 else tuple(axes))]
        )
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

    def _reduced_size(self, x, axis, ddof=None, *rest):
        axes = constant(axis)
        ddof = 0 if ddof is None else constant(ddof)
        if rest or axes is NOT_CONSTANT or ddof is NOT_CONSTANT:
            return None
        size = reduction_size(solid(self.shapes.of(x)), axes)
        if size is None or size <= ddof:  # nothing to divide by: left to run
            return None
        return gast.Constant(value=size - ddof, kind=None)

    def _ndim(self, node):
        s = solid(self.shapes.of(node))
        return None if s is UNKNOWN else len(s)

    def _numpy(self, attr, args, keywords):
        kws = [gast.keyword(arg=k, value=_literal(v)) for k, v in keywords]
        return gast.Call(func=anno.dotted(f"{self.np}.{attr}"), args=args, keywords=kws)


def _literal(value):
    if isinstance(value, tuple):
        return gast.Tuple(elts=[_literal(v) for v in value], ctx=gast.Load())
    return gast.Constant(value=value, kind=None)


def _transpose(node):
    return gast.Attribute(value=node, attr="T", ctx=gast.Load())


def _matmul(a, b):
    return gast.BinOp(left=a, op=gast.MatMult(), right=b)


def _mul(a, b):
    return gast.BinOp(left=a, op=gast.Mult(), right=b)
