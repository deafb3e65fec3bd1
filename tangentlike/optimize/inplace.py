"""Write elementwise results into a temporary that dies with them.

In a variant compiled for known shapes and dtypes, a fresh array that is read
once, by an elementwise operation whose result has its shape and dtype, can hold
that result, as NumPy's own temporary elision does for nested expressions:

given: shapes={"X": (1000, 784), "W1": (784, 512), "b1": (512,)}, keep={"h1"}
before:
    def f(X, W1, b1):
        _matmul = X @ W1
        _add = _matmul + b1
        h1 = np.tanh(_add)
        return h1
after:
    def f(X, W1, b1):
        _matmul = X @ W1
        _add = np.add(_matmul, b1, out=_matmul)
        h1 = np.tanh(_add, out=_add)
        return h1

A temporary or an adjoint qualifies (never a name of the user's own function),
made and read in one straight-line block (the function's, or a loop's body),
assigned once, never saved or read anywhere else, and made by an operation that
returns a new array (arithmetic, a matrix product, a ufunc, a reduction over an
axis): never an argument, a view, or a broadcast.  So does one rebound by the
operation that reads it, read nowhere since it was made (``bd = bd + bd`` after
``bd = b_mul * d``: ``np.add(bd, bd, out=bd)``); and at the function's top level,
where a last read is the last, a negation passed to a call negates in place
(``np.sum(np.negative(bd, out=bd), axis=0)``, no array of its own); a read
that holds no array (``p[np.arange(n), labels]``, a copy; an argument of a
runtime helper whose result does not hold it) lets the array stay fresh.
"""

from __future__ import annotations

import gast
import numpy

from .. import anno
from ..analysis.shape_classes import BINARY, ELEMENTWISE, PART
from ..analysis.shapes import (
    LIKE,
    PENDING,
    REDUCTIONS,
    UNKNOWN,
    ConcreteShapes,
    Packed,
    argument_item,
    fixpoint,
    item_of,
)
from ..runtime import facts

WEAK_FLOAT, WEAK_INT = "<python float>", "<python int>"
UFUNC_OPS = {
    gast.Add: "add",
    gast.Sub: "subtract",
    gast.Mult: "multiply",
    gast.Div: "divide",
}


def write_in_place(
    func, shapes: ConcreteShapes, kinds: DTypes, np_alias: str, keep=frozenset()
) -> bool:
    """Give elementwise results the buffers of dead temporaries (never of the
    user's own names, ``keep``); whether any was.  ``kinds``: the dtypes."""
    loads = anno.name_counts(func)
    stores = anno.name_counts(func, load=False)
    changed = False
    for block in anno.blocks(func):
        changed |= _block_in_place(
            block, shapes, kinds, (loads, stores, keep), np_alias
        )
    changed |= _negations_in_place(func.body, shapes, kinds, keep, np_alias)
    return changed


# At the function's top level, a statement that reads a name for the last time
# reads its array for the last time (no loop runs it again).
def _negations_in_place(body, shapes, kinds, keep, np_alias) -> bool:
    """``np.sum(-g, axis=0)`` -> ``np.sum(np.negative(g, out=g), axis=0)`` where
    ``g`` is a float array made by an operation at the top level and read there
    for the last time: the negation needs no array of its own."""
    later = [anno.name_counts(s) for s in body]
    for k in range(len(body) - 2, -1, -1):
        for name, n in later[k + 1].items():
            later[k][name] = later[k].get(name, 0) + n
    fresh, changed = set(), False
    for k, stmt in enumerate(body):
        after = later[k + 1] if k + 1 < len(body) else {}
        here = anno.name_counts(stmt)
        for call in _calls(stmt):
            for i, arg in enumerate(call.args):
                name = _negated(arg)
                if name in fresh and here[name] == 1 and not after.get(name):
                    if _float_array(shapes, kinds, name):
                        call.args[i] = _ufunc(np_alias, "negative", [arg.operand], name)
                        changed = True
        target = _target(stmt)
        # written into a fresh array (np.add(g, g, out=g)): the same array, fresh
        into = anno.out_names(stmt.value) if target else set()
        new = target and (
            _makes_new_array(shapes, stmt.value) or (into and into <= fresh)
        )
        fresh -= anno.updated_names(stmt) | _escaping(stmt, np_alias)
        if new and target not in keep:
            fresh.add(target)
    return changed


def _escaping(stmt, np_alias: str) -> set[str]:
    """Names the statement reads other than as an operand of arithmetic or an
    argument of a NumPy call (``y = g``, ``f(g)``, ``[g]``): another name or
    object may hold their arrays from here on."""
    consumed = set()
    for node in anno.walk(stmt):
        if isinstance(node, (gast.BinOp, gast.UnaryOp, gast.Compare)):
            consumed.update(id(c) for c in gast.iter_child_nodes(node))
        elif isinstance(node, gast.Call) and _fresh_result(node, np_alias):
            consumed.update(id(a) for a in node.args)
            consumed.update(id(k.value) for k in node.keywords)
        elif isinstance(node, gast.Subscript) and _copying_index(node.slice, np_alias):
            consumed.add(id(node.value))  # p[np.arange(n), labels]: a copy
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
            held = _held(node.func.id)  # a helper's arguments its result cannot hold
            consumed.update(id(a) for i, a in enumerate(node.args) if i not in held)
    return {
        n.id
        for n in anno.walk(stmt)
        if isinstance(n, gast.Name)
        and isinstance(n.ctx, gast.Load)
        and id(n) not in consumed
    }


def _held(name: str):
    """The positions of the arguments a runtime helper's result may hold (every
    position, for a function that is not a helper or declares none)."""
    declared = facts.named(name)
    if declared is None or not declared.held:
        return _EVERY
    return declared.held


class _Every:
    def __contains__(self, item) -> bool:
        return True


_EVERY = _Every()


def _copying_index(index, np_alias: str) -> bool:
    """An index holding ``np.arange(...)``: an integer array, so the item read is
    a copy (advanced indexing), never a view."""
    items = index.elts if isinstance(index, gast.Tuple) else [index]
    return any(
        isinstance(i, gast.Call)
        and isinstance(i.func, gast.Attribute)
        and i.func.attr == "arange"
        and isinstance(i.func.value, gast.Name)
        and i.func.value.id == np_alias
        for i in items
    )


def _fresh_result(node, np_alias: str) -> bool:
    """``np.exp(g)``, ``np.add.reduce(g)``, ``np.sum(g)``: a ufunc or a reduction,
    whose result is a new array (or number) that holds none of its arguments."""
    func = node.func
    if isinstance(func, gast.Attribute) and func.attr == "reduce":
        func = func.value  # np.add.reduce
    if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)):
        return False
    ufunc = isinstance(getattr(numpy, func.attr, None), numpy.ufunc)
    return func.value.id == np_alias and (ufunc or func.attr in REDUCTIONS)


def _calls(stmt) -> list:
    value = stmt.value if isinstance(stmt, gast.Assign) else None
    return [n for n in anno.walk(value) if isinstance(n, gast.Call)] if value else []


def _negated(node) -> str | None:
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        if isinstance(node.operand, gast.Name):
            return node.operand.id
    return None


def _target(stmt) -> str | None:
    if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
        return stmt.targets[0].id
    return None


def _float_array(shapes, kinds, name) -> bool:
    shape, dtype = shapes.shape.get(name), kinds.kind.get(name)
    return (
        bool(isinstance(shape, tuple) and shape) and getattr(dtype, "kind", "") == "f"
    )


def _block_in_place(block, shapes, kinds, counts, np_alias) -> bool:
    """In one straight-line block: a temporary made here and read once, later in
    the same block, is read in the same iteration of any loop around it."""
    loads, stores, keep = counts
    made: dict[str, gast.expr] = {}
    read_since: dict[str, int] = {}  # made name -> reads since, before this statement
    changed = False
    for stmt in block:
        here = anno.name_counts(stmt)
        for name in anno.updated_names(stmt):  # updated in place: not ours alone
            here[name] = here.get(name, 0) + 1
        if not (
            isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
        ):
            _count_reads(read_since, here)
            continue
        value, target = stmt.value, stmt.targets[0].id
        for operand in _operands(value):
            name = operand.id
            once = loads.get(name) == 1 and stores.get(name) == 1
            if made.get(name) is None or not (
                once or _rebound(name, target, read_since)
            ):
                continue
            if not _same_buffer_ok(shapes, kinds, name, value):
                continue
            stmt.value = _with_out(value, name, np_alias)
            changed = True
            break
        _count_reads(read_since, here)
        made.pop(target, None)
        read_since.pop(target, None)
        if target not in keep and _makes_new_array(shapes, value):
            made[target] = value
            read_since[target] = 0
    return changed


def _count_reads(read_since: dict, here: dict) -> None:
    for name in read_since:
        read_since[name] += here.get(name, 0)


def _rebound(name: str, target: str, read_since: dict) -> bool:
    """``x = x + y`` of an ``x`` made in this block and read nowhere since: the
    array it held dies here, and can hold what replaces it (``bd = bd + bd``)."""
    return name == target and read_since.get(name) == 0


class DTypes:
    """The dtype of each name: a NumPy dtype, a Python number, or UNKNOWN."""

    def __init__(self, shapes: ConcreteShapes, dtypes: dict):
        self.shapes = shapes
        self.arguments = dtypes
        self.kind: dict = {}
        fixpoint(shapes.defs, self.of, self.kind)

    def of(self, node):
        if isinstance(node, gast.Name):
            if node.id.startswith("<argument "):
                return self.arguments.get(node.id[len("<argument ") : -1], UNKNOWN)
            return (
                self.kind.get(node.id, PENDING)
                if node.id in self.shapes.defs
                else UNKNOWN
            )
        if isinstance(node, gast.Constant):
            if type(node.value) is float:
                return WEAK_FLOAT
            return WEAK_INT if type(node.value) is int else UNKNOWN
        if isinstance(node, gast.UnaryOp) and isinstance(
            node.op, (gast.USub, gast.UAdd)
        ):
            return self.of(node.operand)
        if isinstance(node, gast.BinOp):
            if isinstance(node.op, (*UFUNC_OPS, gast.MatMult, gast.Pow)):
                return _combine(self.of(node.left), self.of(node.right))
            return UNKNOWN
        if isinstance(node, gast.Attribute) and node.attr == "T":
            return self.of(node.value)
        if isinstance(node, gast.Subscript) and getattr(node, PART, False):
            return self._part(node.value, node.slice.value)
        item = (
            argument_item(self.shapes, node)
            if isinstance(node, gast.Subscript)
            else None
        )
        if item is not None:  # an item of a dict argument
            return self.arguments.get(item, UNKNOWN)
        if isinstance(node, gast.Subscript) and _entry_of_shape(self.shapes, node):
            return WEAK_INT  # X.shape[0]: a Python int
        if isinstance(node, gast.Subscript) and self.shapes.of(node) not in (
            UNKNOWN,
            PENDING,
        ):
            kind = self.of(node.value)  # basic indexing: the array's dtype
            return kind if isinstance(kind, numpy.dtype) or kind == PENDING else UNKNOWN
        if isinstance(node, gast.Tuple):
            return Packed(tuple(self.of(e) for e in node.elts))
        if isinstance(node, gast.Call):
            return self._call(node)
        return UNKNOWN

    # The runtime helpers of a reverse sweep whose result is an array of a dtype
    # one argument has: the gradient added into (or zeros like x), summed to a
    # shape, zeros like an array, picks' gradients added into zeros like p.
    def _helper(self, name: str, args):
        if name == "add_at" and len(args) == 4:
            g, x = args[:2]
            none = isinstance(g, gast.Constant) and g.value is None
            return self._array_kind(x if none else g)
        if name == "unbroadcast" and len(args) == 2:
            numbers = self.shapes.of(args[0]) == () == self.shapes.of(args[1])
            return self._array_kind(args[0], numbers)
        if name == "zeros_items" and len(args) == 1:
            return self._array_kind(args[0])
        if name == "picked_sum" and len(args) == 4:
            return self._array_kind(args[1])  # added into zeros like p
        return UNKNOWN

    def _array_kind(self, node, number=False):
        """The float dtype of an array of known shape (or, with ``number``, of a
        NumPy number); PENDING while solving."""
        shape, kind = self.shapes.of(node), self.of(node)
        if kind == PENDING or shape == PENDING:
            return PENDING
        ok = isinstance(shape, tuple) and (shape or number)
        ok = ok and isinstance(kind, numpy.dtype)
        return kind if ok and kind.kind == "f" else UNKNOWN

    def _stacked(self, items):
        """``np.array(items)`` of a list or tuple written out (or a name bound to
        one once) of floats of one dtype: that dtype (Python floats: float64)."""
        if (
            isinstance(items, gast.Name)
            and len(self.shapes.defs.get(items.id, ())) == 1
        ):
            items = self.shapes.defs[items.id][0]
        if not isinstance(items, (gast.List, gast.Tuple)) or not items.elts:
            return UNKNOWN
        kinds = {self.of(e) for e in items.elts}
        if PENDING in kinds:
            return PENDING
        kinds = {numpy.dtype(numpy.float64) if k == WEAK_FLOAT else k for k in kinds}
        (kind,) = kinds if len(kinds) == 1 else (UNKNOWN,)
        return kind if isinstance(kind, numpy.dtype) and kind.kind == "f" else UNKNOWN

    # An item of an unpacked tuple: of a generated function's results (worked
    # out by its own DTypes, for its arguments' shapes and dtypes), or of a
    # tuple of saved values passed in.
    def _part(self, value, i: int):
        whole = self._helper_call(value) if isinstance(value, gast.Call) else UNKNOWN
        return item_of(self.of(value) if isinstance(value, gast.Name) else whole, i)

    def _helper_call(self, node):
        helpers = self.shapes.helpers
        func = node.func
        if (
            helpers is None
            or not isinstance(func, gast.Name)
            or func.id not in helpers.functions
            or node.keywords
        ):
            return UNKNOWN
        shapes = tuple(self.shapes.of(a) for a in node.args)
        kinds = tuple(self.of(a) for a in node.args)
        if PENDING in shapes or PENDING in kinds:
            return PENDING
        return helpers.kinds(func.id, shapes, kinds, DTypes)

    def _call(self, node):
        func = node.func
        if isinstance(func, gast.Name):
            return self._helper(func.id, node.args) if not node.keywords else UNKNOWN
        if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)):
            return UNKNOWN
        module = self.shapes.aliases.get(func.value.id)
        if module == "math":
            return WEAK_FLOAT
        if module != "numpy" or not node.args:
            return UNKNOWN
        if func.attr in LIKE and len(node.args) == 1 and not node.keywords:
            return self.of(node.args[0])
        if func.attr == "array" and len(node.args) == 1 and not node.keywords:
            return self._stacked(node.args[0])
        if func.attr == "reshape" and len(node.args) == 2 and not node.keywords:
            return self._array_kind(node.args[0])
        if func.attr == "expand_dims" and len(node.args) == 2 and not node.keywords:
            return self._array_kind(node.args[0], number=True)
        if func.attr == "zeros" and len(node.args) == 1 and not node.keywords:
            return numpy.dtype(numpy.float64)
        if _float_ufunc(func.attr) and all(k.arg == "out" for k in node.keywords):
            kinds = [self.of(a) for a in node.args]
            result = kinds[0]
            for k in kinds[1:]:
                result = _combine(result, k)
            for k in node.keywords:  # out=: an array of the result's dtype, or unknown
                into = self.of(k.value)
                same = into == PENDING or (
                    isinstance(into, numpy.dtype) and into == result
                )
                result = result if same else UNKNOWN
            return (
                result
                if isinstance(result, numpy.dtype) or result == PENDING
                else UNKNOWN
            )
        if func.attr in REDUCTIONS:
            return self.of(node.args[0])
        return UNKNOWN


def _entry_of_shape(shapes, node) -> bool:
    index = node.slice
    literal = isinstance(index, gast.Constant) and type(index.value) is int
    return literal and isinstance(shapes.value_shape(node.value), tuple)


def _combine(a, b):
    """The dtype NumPy gives an arithmetic result of floats of one dtype and
    Python numbers; UNKNOWN for anything else (mixed dtypes, integers)."""
    if a == PENDING or b == PENDING:
        return PENDING
    for x, y in ((a, b), (b, a)):
        if isinstance(x, numpy.dtype) and x.kind == "f":
            # never y == x alone: NumPy reads None (UNKNOWN) as float64
            same = isinstance(y, numpy.dtype) and y == x
            return x if same or y in (WEAK_FLOAT, WEAK_INT) else UNKNOWN
    if a in (WEAK_FLOAT, WEAK_INT) and b in (WEAK_FLOAT, WEAK_INT):
        return WEAK_INT if a == b == WEAK_INT else WEAK_FLOAT
    return UNKNOWN


def _float_ufunc(attr: str) -> bool:
    """An elementwise NumPy ufunc giving floats for floats (not ``matmul``)."""
    return attr in ELEMENTWISE | BINARY and isinstance(
        getattr(numpy, attr, None), numpy.ufunc
    )


def _operands(value):
    """Names an elementwise ``value`` could be written into."""
    if isinstance(value, gast.BinOp) and type(value.op) in UFUNC_OPS:
        sides = [value.left, value.right]
    elif isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub):
        sides = [value.operand]
    elif isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute):
        sides = (
            value.args if _float_ufunc(value.func.attr) and not value.keywords else []
        )
    else:
        sides = []
    return [s for s in sides if isinstance(s, gast.Name)]


def _same_buffer_ok(shapes, kinds, name, value) -> bool:
    have, want = shapes.shape.get(name), shapes.of(value)
    dtype = kinds.kind.get(name)
    return (
        isinstance(have, tuple)
        and have
        and have == want
        and isinstance(dtype, numpy.dtype)
        and dtype.kind == "f"
        and isinstance(kinds.of(value), numpy.dtype)  # None == float64 in NumPy
        and kinds.of(value) == dtype
    )


def _makes_new_array(shapes, value) -> bool:
    """Whether ``value`` surely returns a new array, not a view or a scalar."""
    s = shapes.of(value)
    if not (isinstance(s, tuple) and s):
        return False
    if isinstance(value, gast.BinOp):
        return type(value.op) in UFUNC_OPS or isinstance(value.op, gast.MatMult)
    if isinstance(value, gast.UnaryOp):
        return isinstance(value.op, gast.USub)
    if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute):
        attr = value.func.attr
        return shapes.aliases.get(
            getattr(value.func.value, "id", None)
        ) == "numpy" and (_float_ufunc(attr) or attr in REDUCTIONS)
    return False


def _with_out(value, name, np_alias):
    if isinstance(value, gast.BinOp):
        ufunc = UFUNC_OPS[type(value.op)]
        return _ufunc(np_alias, ufunc, [value.left, value.right], name)
    if isinstance(value, gast.UnaryOp):
        return _ufunc(np_alias, "negative", [value.operand], name)
    value.keywords = [gast.keyword(arg="out", value=anno.name(name))]
    return value


def _ufunc(np_alias, ufunc: str, args, out: str):
    """``np.<ufunc>(*args, out=out)``, its callee known to the analyses after."""
    func = anno.dotted(f"{np_alias}.{ufunc}")
    keywords = [gast.keyword(arg="out", value=anno.name(out))]
    call = gast.Call(func=func, args=args, keywords=keywords)
    anno.set_(call, anno.CALLEE, getattr(numpy, ufunc))
    return call
