"""Multiplications by one, where the other factor provably holds a float (a
Python float or a NumPy floating scalar, for which they are exact):

given: scalars={"x"}
before:
    def f(x):
        _sqrt = math.sqrt(x * x + 1.0)
        _sin = math.sin(x)
        _abs = abs(x)
        b_abs = unbroadcast(1.0, _abs)
        bx = np.zeros_like(x)
        bx += 1.0 * (0.5 / _sqrt) * x + -1.0 * _sin * b_abs
        return _sqrt, bx
after:
    def f(x):
        _sqrt = math.sqrt(x * x + 1.0)
        _sin = math.sin(x)
        _abs = abs(x)
        b_abs = 1.0
        bx = 0.0
        bx += 0.5 / _sqrt * x + -_sin * b_abs
        return _sqrt, bx

``1.0 * x`` of an array is a copy, and of an integer a float, so a factor counts
only where it is known to be a float: a float literal, a parameter a variant is
compiled for a float, a ``math`` function's result, ``abs`` or a NumPy
elementwise function of a float, and arithmetic of floats and numbers; a name
whose every assignment is one (values popped off a save stack are values it held
before).  ``unbroadcast(g, x)`` of two floats is ``g``, and ``np.zeros_like(x)``
of a float, a 0-d array that made every ``+=`` into it a NumPy call, is ``0.0``.

Where a variant knows the dtypes, ``1.0 * a`` of a float array is ``a`` too when
the product is an operand of more arithmetic, which makes the new array itself,
or ``a`` is a new array already:

given: shapes={"x": (3,), "y": (3,)}
before:
    def f(x, y):
        bx = 1.0 * y * x ** (y - 1)
        by = 1.0 * np.cos(x)
        bz = 1.0 * x
        return bx, by, bz
after:
    def f(x, y):
        bx = y * x ** (y - 1)
        by = np.cos(x)
        bz = 1.0 * x
        return bx, by, bz

(``bz = 1.0 * x`` stays: it is a copy, which a gradient must be.)
"""

from __future__ import annotations

import math

import gast
import numpy

from .. import anno, runtime
from ..analysis import activity as analyze
from ..analysis.shape_classes import ELEMENTWISE, module_aliases

# NumPy 2 keeps a NumPy scalar's dtype under ``1.0 *`` (NEP 50); NumPy 1 may
# promote a float32 to float64, so there nothing is folded
WEAK_FLOATS = int(numpy.__version__.split(".")[0]) >= 2
ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, gast.Mod)
# arithmetic that gives a new array (never one of its operands)
ARRAY_ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, gast.MatMult)
# math functions whose results are floats (math.floor and its kin give integers)
MATH = frozenset(
    "sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh exp expm1 "
    "log log1p log2 log10 sqrt pow hypot fabs copysign erf erfc gamma lgamma "
    "degrees radians fmod".split()
)


def fold_float_units(
    func: gast.FunctionDef, scalars=frozenset(), np_alias: str = "np", kinds=None
) -> bool:
    """Fold the multiplications by one; ``scalars`` are parameters known to be
    floats, ``kinds`` (a variant's ``DTypes``, if known) the dtype of each name.
    Whether anything changed."""
    if not WEAK_FLOATS:
        return False
    floats = Floats(func, scalars, np_alias)
    folder = _Folder(floats, kinds, _operands_of_arithmetic(func))
    folder.visit(func)
    return folder.changed


def _operands_of_arithmetic(func) -> set[int]:
    """The ids of the nodes that are operands of arithmetic (``+ - * / ** @``)."""
    return {
        id(side)
        for node in anno.walk(func)
        if isinstance(node, gast.BinOp) and isinstance(node.op, ARRAY_ARITHMETIC)
        for side in (node.left, node.right)
    }


class Floats:
    """Which names and expressions of a function provably hold floats."""

    def __init__(self, func, scalars, np_alias: str = "np"):
        self.modules = {np_alias: "numpy", **module_aliases(func)}
        defs = _definitions(func)
        self.names = set(scalars) | {n for n, values in defs.items() if values}
        for name in {a.id for a in func.args.args} - set(scalars):
            self.names.discard(name)
        changed = True
        while changed:  # optimistic: drop a name while one of its values is not
            bad = {n for n in self.names if not all(map(self.of, defs.get(n, [])))}
            self.names -= bad
            changed = bool(bad)

    def of(self, node) -> bool:
        """Whether ``node`` provably evaluates to a float."""
        if isinstance(node, gast.Constant):
            return type(node.value) is float
        if isinstance(node, gast.Name):
            return node.id in self.names
        if isinstance(node, gast.UnaryOp):
            return isinstance(node.op, (gast.USub, gast.UAdd)) and self.of(node.operand)
        if isinstance(node, gast.BinOp) and isinstance(node.op, ARITHMETIC):
            sides = (node.left, node.right)
            return any(map(self.of, sides)) and all(map(self._number, sides))
        if isinstance(node, gast.IfExp):
            return self.of(node.body) and self.of(node.orelse)
        if isinstance(node, gast.Call):
            return self._call(node)
        return False

    def _number(self, node) -> bool:
        value = getattr(node, "value", None)
        literal = isinstance(node, gast.Constant) and type(value) in (int, float)
        return literal or self.of(node)

    def _call(self, node) -> bool:
        func = node.func
        if node.keywords:
            return False
        if anno.is_call_to(node, "abs"):
            return len(node.args) == 1 and self.of(node.args[0])
        if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)):
            return False
        module = self.modules.get(func.value.id)
        if module == "math":
            return func.attr in MATH and all(map(self._number, node.args))
        single = len(node.args) == 1 and self.of(node.args[0])
        return module == "numpy" and func.attr in ELEMENTWISE and single


def _definitions(func) -> dict[str, list]:
    """name -> the values assigned to it; an empty list where some binding is not
    a plain assignment (a loop target, an unpacking); pops left out."""
    defs: dict[str, list] = {}
    unknown = set()
    for node in anno.walk(func):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
            if not analyze.is_stack_call(node.value, "pop"):
                defs.setdefault(node.targets[0].id, []).append(node.value)
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            name = node.target.id
            value = gast.BinOp(left=anno.name(name), op=node.op, right=node.value)
            defs.setdefault(name, []).append(value)
        elif isinstance(node, (gast.Assign, gast.For, gast.AugAssign)):
            targets = node.targets if isinstance(node, gast.Assign) else [node.target]
            for target in targets:
                unknown |= anno.store_names(target) | {anno.root_name(target)}
    return {n: ([] if n in unknown else v) for n, v in defs.items()}


class _Folder(gast.NodeTransformer):
    def __init__(self, floats: Floats, kinds=None, operands=frozenset()):
        self.floats = floats
        self.kinds = kinds
        self.operands = operands
        self.changed = False

    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right = node.left, node.right
        if isinstance(node.op, gast.Mult):
            for one, other in ((left, right), (right, left)):
                new = self._times(one, other)
                if new is None and (id(node) in self.operands or _made(other)):
                    new = self._array_times_one(one, other)
                if new is not None:
                    self.changed = True
                    return new
        if (
            isinstance(node.op, gast.Div)
            and _unit(right) == 1.0
            and self.floats.of(left)
        ):
            self.changed = True
            return left
        return node

    def _times(self, one, other):
        unit = _unit(one)
        if unit is None or not self.floats.of(other):
            return None
        if unit == 1.0:
            return other
        return gast.UnaryOp(op=gast.USub(), operand=other)

    def _array_times_one(self, one, other):
        """``other`` for ``1.0 * other`` of a float array, else None: where the
        product is an operand of arithmetic, or ``other`` a new array itself,
        the copy the product makes is not needed."""
        if self.kinds is None or _unit(one) != 1.0:
            return None
        dtype = self.kinds.of(other)
        return other if isinstance(dtype, numpy.dtype) and dtype.kind == "f" else None

    def visit_Call(self, node):
        self.generic_visit(node)
        if anno.is_call_to(node, runtime.unbroadcast.__name__) and len(node.args) == 2:
            if not node.keywords and all(map(self.floats.of, node.args)):
                self.changed = True
                return node.args[0]
        if self._zeros_of_float(node):
            self.changed = True
            return anno.const(0.0)
        return node

    def _zeros_of_float(self, node) -> bool:
        """``np.zeros_like(x)`` of a float: a 0-d array, where ``0.0`` adds the
        same numbers as a float, without a NumPy call for every ``+=``."""
        func = node.func
        return (
            isinstance(func, gast.Attribute)
            and isinstance(func.value, gast.Name)
            and self.floats.modules.get(func.value.id) == "numpy"
            and func.attr == "zeros_like"
            and len(node.args) == 1
            and not node.keywords
            and self.floats.of(node.args[0])
        )


def _made(node) -> bool:
    """An expression that makes a new array, when its dtype is known: arithmetic,
    a negation, or a call writing into no ``out=`` (the calls whose dtype
    ``DTypes`` knows are ufuncs and reductions)."""
    if isinstance(node, gast.UnaryOp):
        return isinstance(node.op, gast.USub)
    if isinstance(node, gast.BinOp):
        return isinstance(node.op, ARRAY_ARITHMETIC)
    return isinstance(node, gast.Call) and all(k.arg != "out" for k in node.keywords)


def _unit(node):
    """1.0 or -1.0 for those float literals (``-1.0`` as a constant or negated), else
    None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        inner = _unit(node.operand)
        return None if inner is None else -inner
    if isinstance(node, gast.Constant) and type(node.value) is float:
        return node.value if math.fabs(node.value) == 1.0 else None
    return None
