"""The shape of every name of a generated function, given its arguments' shapes.

A forward analysis gives every name the one shape it holds throughout a call, or
none: arguments start with their own shapes, every assignment of a name must
give it the same shape (loops are solved to a fixed point, optimistically), and
a name with any assignment the analysis cannot follow has no shape.  A value
popped off ``_stack`` is one the name held before; a popped shape is the shape
that was pushed.
"""

from __future__ import annotations

from dataclasses import dataclass

import gast
import numpy

from .. import anno
from ..anno import is_call_to, name_counts
from ..runtime import facts
from .saves import saved_values
from .shape_arithmetic import (  # noqa: F401 (the analysis's vocabulary, read by passes)
    NOT_CONSTANT,
    PENDING,
    UNKNOWN,
    basic_index,
    broadcast_shape,
    constant,
    dot_shape,
    indexed_shape,
    lift,
    matmul_shape,
    reduced_shape,
    reduction_options,
    reduction_size,
    solid,
    without_dtype,
)
from .shape_classes import (
    BINARY,
    ELEMENTWISE,
    PART,
    REDUCTIONS,
    SHAPE_OF_ARG,
    definitions,
    module_aliases,
)
from .shape_values import dims_value, reshaped

SHAPE_KEEPING = ("softmax", "log_softmax")  # SciPy's, along any axis
ELEMENTWISE_OPS = (
    gast.Add,
    gast.Sub,
    gast.Mult,
    gast.Div,
    gast.Pow,
    gast.BitAnd,
    gast.BitOr,
    gast.BitXor,
)
LIKE = frozenset("zeros_like ones_like empty_like copy".split())
HELPERS = (
    "tl_helpers"  # on a function: the Helpers its calls of generated functions read
)


@dataclass(frozen=True)
class Packed:
    """The shapes of the items of a tuple (a generated function's results, or the
    values it saves): not a shape itself."""

    items: tuple


class Helpers:
    """The generated functions a function calls (the forward and backward halves
    of the user's own functions), by name, and the shapes of their results for the
    argument shapes met so far."""

    def __init__(self, functions: dict):
        self.functions = functions
        self.results: dict = {}
        self.result_kinds: dict = {}

    def kinds(self, name: str, shapes: tuple, kinds: tuple, analysis):
        """The dtypes (a ``Packed`` for a tuple) of what ``name`` returns for
        arguments of these shapes and dtypes, as ``analysis`` (the optimizer's
        ``DTypes``) works them out; UNKNOWN while being worked out, or where the
        arguments' are not known."""
        key = (name, shapes, kinds)
        if key not in self.result_kinds:
            self.result_kinds[key] = UNKNOWN
            func = self.functions[name]
            params = [a.id for a in func.args.args]
            known = ConcreteShapes(
                func,
                {p: s for p, s in zip(params, shapes) if s is not UNKNOWN},
                self,
            )
            found = analysis(known, dict(zip(params, kinds)))
            ret = func.body[-1] if func.body else None
            if isinstance(ret, gast.Return) and ret.value is not None:
                self.result_kinds[key] = found.of(ret.value)
        return self.result_kinds[key]

    def result(self, name: str, arguments: tuple):
        """The shape (a ``Packed`` for a tuple) of what ``name`` returns for
        arguments of these shapes; UNKNOWN while it is being worked out (a
        recursive call) or where it cannot be."""
        key = (name, arguments)
        if key not in self.results:
            self.results[key] = UNKNOWN
            func = self.functions[name]
            params = [a.id for a in func.args.args]
            shapes = {
                p: s for p, s in zip(params, arguments) if s not in (UNKNOWN, PENDING)
            }
            known = ConcreteShapes(func, shapes, self)
            ret = func.body[-1] if func.body else None
            if isinstance(ret, gast.Return) and ret.value is not None:
                self.results[key] = _packed(known, ret.value)
        return self.results[key]


def item_of(whole, i: int):
    """Item ``i`` of what a ``Packed`` fact describes: PENDING while solving,
    UNKNOWN for anything else."""
    if whole == PENDING:
        return PENDING
    if isinstance(whole, Packed) and i < len(whole.items):
        return whole.items[i]
    return UNKNOWN


def _packed(known, node):
    """The shape of a returned value: a ``Packed`` for a tuple, and for a list or
    tuple written out and bound once to a name nothing updates (``_list = [a, b]``,
    saved for ``array_grad``)."""
    if isinstance(node, gast.Tuple):
        return Packed(tuple(_packed(known, e) for e in node.elts))
    if isinstance(node, gast.Name) and node.id not in known.updated:
        found = known.defs.get(node.id, ())
        if len(found) == 1 and isinstance(found[0], (gast.List, gast.Tuple)):
            return Packed(tuple(_packed(known, e) for e in found[0].elts))
    return solid(known.of(node))


def item_name(name: str, key: str) -> str:
    """How the shapes (and dtypes) a variant is compiled for name item ``key`` of
    the dict argument ``name``: ``params['W1']``."""
    return f"{name}[{key!r}]"


def argument_item(known, node) -> str | None:
    """``item_name`` of ``p['key']`` where ``p`` is a parameter that nothing
    rebinds or updates (a dict argument's item), else None."""
    index, value = node.slice, node.value
    if not (
        isinstance(index, gast.Constant)
        and type(index.value) is str
        and isinstance(value, gast.Name)
        and value.id not in known.updated
    ):
        return None
    defs = known.defs.get(value.id, ())
    argument = f"<argument {value.id}>"
    if len(defs) != 1 or not (
        isinstance(defs[0], gast.Name) and defs[0].id == argument
    ):
        return None
    return item_name(value.id, index.value)


class ConcreteShapes:
    """The shape of each name of ``func`` (a tuple), or UNKNOWN."""

    def __init__(self, func, shapes: dict[str, tuple], helpers=None):
        self.arguments = dict(shapes)
        self.aliases = module_aliases(func)
        self.helpers = helpers or anno.get(func, HELPERS)
        self.defs = definitions(func, parts=self.helpers is not None)
        self.saved = saved_values(func)
        self.ints = _loop_counters(func)
        self.updated = _updated_in_place(func)
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
            number = isinstance(node.value, (int, float)) and not isinstance(
                node.value, bool
            )
            return () if number else UNKNOWN
        if isinstance(node, gast.UnaryOp) and isinstance(
            node.op, (gast.USub, gast.UAdd, gast.Invert)
        ):
            return self.of(node.operand)
        if isinstance(node, gast.BinOp):
            return self._binop(node)
        if isinstance(node, gast.Compare) and len(node.comparators) == 1:
            left, right = self.of(node.left), self.of(node.comparators[0])
            return lift(broadcast_shape, left, right)
        if isinstance(node, gast.Subscript):
            if getattr(node, PART, False):
                return self._part(node.value, node.slice.value)
            return self._subscript(node)
        if isinstance(node, gast.Attribute) and node.attr == "T":
            s = self.of(node.value)
            return s[::-1] if isinstance(s, tuple) else s
        if isinstance(node, gast.Call):
            return self._call(node)
        return UNKNOWN

    def _binop(self, node):
        a, b = self.of(node.left), self.of(node.right)
        if isinstance(node.op, gast.MatMult):
            return lift(matmul_shape, a, b)
        if isinstance(node.op, ELEMENTWISE_OPS):
            return lift(broadcast_shape, a, b)
        return UNKNOWN

    def _part(self, value, i: int):
        """Item ``i`` of an unpacked tuple: of a generated function's results, or
        of a tuple of saved values passed in."""
        whole = self._helper_call(value) if isinstance(value, gast.Call) else None
        return item_of(self.of(value) if isinstance(value, gast.Name) else whole, i)

    def _helper_call(self, node):
        func = node.func
        if (
            self.helpers is None
            or not isinstance(func, gast.Name)
            or func.id not in self.helpers.functions
            or node.keywords
        ):
            return UNKNOWN
        arguments = tuple(self.of(a) for a in node.args)
        if PENDING in arguments:
            return PENDING
        return self.helpers.result(func.id, arguments)

    def _subscript(self, node):
        """Basic indexing: integers (a loop counter or a literal) take an axis away,
        slices of literal bounds shorten one, ``None`` adds one of length 1; an item
        of a dict argument has the shape the variant was compiled for."""
        item = argument_item(self, node)
        if item is not None:
            return self.arguments.get(item, UNKNOWN)
        index = node.slice
        if self._integer(index) and isinstance(self.value_shape(node.value), tuple):
            return ()  # an entry of a shape: an int
        items_of = self._items_of(node.value)
        if items_of is not None and self._integer(index):
            node = gast.Subscript(value=items_of, slice=index, ctx=gast.Load())
        items = index.elts if isinstance(index, gast.Tuple) else [index]
        if not all(self._integer(i) or basic_index(i) for i in items):
            return UNKNOWN
        s = self.of(node.value)
        if s == PENDING or s is UNKNOWN:
            return s
        if not isinstance(s, tuple):
            return UNKNOWN  # an item of a Packed list: not followed here
        return indexed_shape(s, [None if self._integer(i) else i for i in items])

    def _items_of(self, value):
        """``g`` where ``value`` names ``array_grad(g, items)``, the gradients of the
        items an array was made of: item ``i`` is shaped as ``g[i]``."""
        if not isinstance(value, gast.Name) or len(self.defs.get(value.id, ())) != 1:
            return None
        made = self.defs[value.id][0]
        if is_call_to(made, "array_grad") and len(made.args) == 2:
            return made.args[0]
        return None

    def _integer(self, index) -> bool:
        return (isinstance(index, gast.Constant) and type(index.value) is int) or (
            isinstance(index, gast.Name) and index.id in self.ints
        )

    # A call's shape depends on what is called: a runtime helper shaped like one of its
    # arguments, ``sum_to``, a ``math`` function (a number), NumPy's elementwise,
    # binary and reduction functions.  Anything else is unknown, never guessed.
    def _call(self, node):
        func, args = node.func, node.args
        if isinstance(func, gast.Name):
            callee = getattr(node, "tl_callee", None)
            if callee is not None:  # a library function's, else the user's: unknown
                return self._library(callee, node)
            if func.id == "zeros_items" and len(args) == 1 and not node.keywords:
                shape = self.of(args[0])  # an array's zeros_items is its zeros
                return (
                    shape if isinstance(shape, tuple) or shape == PENDING else UNKNOWN
                )
            if func.id == "add_at" and len(args) == 4 and not node.keywords:
                return self._added_at(*args[:2])
            if func.id == "picked_sum" and len(args) == 4 and not node.keywords:
                return self._kept_axis(self.of(args[1]), constant(args[3]))
            if func.id == "add" and len(args) == 2 and not node.keywords:
                # runtime.add: gradients of known shapes are arrays or numbers: +
                return lift(broadcast_shape, self.of(args[0]), self.of(args[1]))
            if func.id in SHAPE_OF_ARG and not node.keywords:
                k = SHAPE_OF_ARG[func.id]
                return self.of(args[k]) if len(args) > k else UNKNOWN
            declared = facts.named(func.id)
            k = None if declared is None else declared.shape_value
            if k is not None and len(args) > k and not node.keywords:
                return self.value_shape(args[k])
            return UNKNOWN
        if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)):
            return UNKNOWN
        module = self.aliases.get(func.value.id)
        if module == "math":
            return ()
        if module != "numpy":
            callee = getattr(node, "tl_callee", None)
            return UNKNOWN if callee is None else self._library(callee, node)
        if func.attr == "expand_dims" and len(args) == 2 and not node.keywords:
            axis, shape = constant(args[1]), self.of(args[0])
            if type(axis) is not int or not isinstance(shape, tuple):
                return shape if shape == PENDING else UNKNOWN
            if not -len(shape) - 1 <= axis <= len(shape):
                return UNKNOWN
            axis %= len(shape) + 1
            return shape[:axis] + (1,) + shape[axis:]
        if func.attr == "array" and len(args) == 1 and not node.keywords:
            return self._stacked(args[0])
        if func.attr == "reshape" and len(args) == 2 and not node.keywords:
            return self._reshaped(args[0], args[1])
        if func.attr == "zeros" and len(args) == 1 and not node.keywords:
            shape = constant(args[0])
            ok = isinstance(shape, tuple) and all(type(n) is int for n in shape)
            return shape if ok else UNKNOWN
        into = all(k.arg == "out" for k in node.keywords)  # out=: the result's array
        if func.attr in ELEMENTWISE | LIKE and len(args) == 1 and into:
            shape = self.of(args[0])
            return shape if isinstance(shape, tuple) or shape == PENDING else UNKNOWN
        if func.attr in BINARY and len(args) == 2 and into:
            return lift(broadcast_shape, self.of(args[0]), self.of(args[1]))
        if func.attr == "dot" and len(args) == 2 and not node.keywords:
            return lift(dot_shape, self.of(args[0]), self.of(args[1]))
        if func.attr == "polyval" and len(args) == 2 and not node.keywords:
            return self._polyval(self.of(args[0]), self.of(args[1]))
        if func.attr in REDUCTIONS:
            return self._reduction(node)
        return UNKNOWN

    def _kept_axis(self, shape, axis):
        """``shape`` summed along ``axis`` with ``keepdims``: ``picked_sum``'s."""
        if not isinstance(shape, tuple) or type(axis) is not int:
            return shape if shape == PENDING else UNKNOWN
        if not -len(shape) <= axis < len(shape):
            return UNKNOWN
        axis %= len(shape)
        return shape[:axis] + (1,) + shape[axis + 1 :]

    def _library(self, callee, node):
        """A library function called by name: an elementwise ufunc (SciPy's
        special functions) broadcasts its arguments, a softmax keeps its argument's
        shape; anything else is unknown."""
        args = node.args
        if isinstance(callee, numpy.ufunc) and callee.nout == 1 and not node.keywords:
            if callee.nin == len(args) == 1:
                return self.of(args[0])
            if callee.nin == len(args) == 2:
                return lift(broadcast_shape, self.of(args[0]), self.of(args[1]))
        module = getattr(callee, "__module__", None) or ""
        name = getattr(callee, "__name__", "")
        if module.startswith("scipy.special") and name in SHAPE_KEEPING and args:
            return self.of(args[0])
        return UNKNOWN

    def _polyval(self, p, x):
        """``np.polyval(p, x)``: ``x``'s shape broadcast with a coefficient's (a row
        of ``p``)."""
        if isinstance(p, tuple) and not p:
            return UNKNOWN  # a 0-d p is no polynomial
        return lift(broadcast_shape, p[1:] if isinstance(p, tuple) else p, x)

    def _added_at(self, g, x):
        """``add_at(g, x, index, value)`` of an array: ``g``, or zeros like ``x``
        where ``g`` is None."""
        shape = self.of(x if isinstance(g, gast.Constant) and g.value is None else g)
        return shape if isinstance(shape, tuple) or shape == PENDING else UNKNOWN

    def _reshaped(self, x, dims):
        """``np.reshape(x, dims)`` with ``dims`` integers the code spells."""
        shape, dims = self.of(x), dims_value(self, dims)
        if shape == PENDING:
            return PENDING
        if not isinstance(shape, tuple) or dims is None:
            return UNKNOWN
        return reshaped(shape, dims)

    def _stacked(self, node):
        """The shape of ``np.array(items)``: a list or tuple written out (or a name
        assigned one once) of items of one known shape."""
        if isinstance(node, gast.Name) and len(self.defs.get(node.id, ())) == 1:
            node = self.defs[node.id][0]
        if not isinstance(node, (gast.List, gast.Tuple)) or not node.elts:
            return UNKNOWN
        shapes = {self.of(e) for e in node.elts}
        if PENDING in shapes:
            return PENDING
        if len(shapes) != 1 or not isinstance(next(iter(shapes)), tuple):
            return UNKNOWN
        return (len(node.elts), *shapes.pop())

    def _reduction(self, node):
        options = reduction_options(without_dtype(node))
        if options is None:
            return UNKNOWN
        s = self.of(node.args[0])
        if s == PENDING or s is UNKNOWN:
            return s
        return reduced_shape(s, *options) if isinstance(s, tuple) else UNKNOWN

    # A shape tuple reaches the code in several forms (``np.shape(x)``, ``x.shape``, a
    # name a pop restored it into, a name assigned it once); each is followed to the
    # array it measures, and a restored shape must agree with every push.
    def value_shape(self, node):
        """The shape tuple that ``node`` evaluates to (``np.shape(x)``, ``x.shape``,
        or a name a pop restored it into): a tuple, UNKNOWN or PENDING."""
        if (
            isinstance(node, gast.Call)
            and _is_attr(node.func, "shape")
            and len(node.args) == 1
        ):
            if self.aliases.get(node.func.value.id) == "numpy":
                return self.of(node.args[0])
        if isinstance(node, gast.Attribute) and node.attr == "shape":
            return self.of(node.value)
        if (
            isinstance(node, gast.Name)
            and node.id in self.saved
            and node.id not in self.defs
        ):
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


def _is_attr(node, attr) -> bool:
    return (
        isinstance(node, gast.Attribute)
        and node.attr == attr
        and isinstance(node.value, gast.Name)
    )


def _updated_in_place(func) -> set[str]:
    """Names whose value a statement may change without rebinding them (an item
    or attribute assigned, ``+=``, a method called, ``out=``)."""
    found = set()
    for node in anno.walk(func):
        if isinstance(node, gast.AugAssign):
            found.add(anno.root_name(node.target))
        elif isinstance(node, gast.Assign):
            targets = [t for t in node.targets if not isinstance(t, gast.Name)]
            found |= {anno.root_name(t) for t in targets}
        elif isinstance(node, gast.Call):
            found |= anno.out_names(node)
            if isinstance(node.func, gast.Attribute):
                found |= anno.load_names(node.func.value)
    return found - {None}


def _loop_counters(func) -> set[str]:
    """Names bound nowhere but as the target of ``for t in range(...)`` (or of
    ``reversed(range(...))``): integers."""
    loops: dict[str, int] = {}
    for node in anno.walk(func):
        if isinstance(node, gast.For) and isinstance(node.target, gast.Name):
            it = node.iter
            if is_call_to(it, "reversed") and it.args:
                it = it.args[0]
            if is_call_to(it, "range"):
                loops[node.target.id] = loops.get(node.target.id, 0) + 1
    stores = name_counts(func, load=False)  # parameters count too: never counters
    return {n for n, k in loops.items() if stores.get(n) == k}
