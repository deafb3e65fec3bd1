"""Shape classes: names whose values provably have one shape throughout a call."""

from __future__ import annotations

import math

import gast
import numpy

from .. import anno
from ..naming import ADJOINT_PREFIX, STACK_NAME
from ..runtime import facts

SCALAR = "<shape ()>"


UNKNOWN = None


ELEMENTWISE = frozenset(
    "sin cos tan arcsin arccos arctan sinh cosh tanh arcsinh arccosh arctanh exp exp2 "
    "expm1 log log2 log10 log1p sqrt cbrt square reciprocal abs absolute fabs negative "
    "positive copy deg2rad rad2deg degrees radians sign".split()
)


BINARY = frozenset(
    "add subtract multiply divide true_divide power maximum minimum".split()
)


REDUCTIONS = frozenset("sum mean max min amax amin prod".split())


# runtime helpers whose result has the shape of one of their arguments, as declared
SHAPE_OF_ARG = {name: facts.named(name).shape_of for name in facts.names(shape_of=True)}


NUMBERS = (int, float)


class Shapes:
    """Shape classes of a function's names, checked against every assignment."""

    def __init__(self, func, scalars=frozenset()):
        self.defs = definitions(func)
        for name in scalars:
            self.defs[name] = [gast.Constant(value=0.0, kind=None)]
        self.aliases = module_aliases(func)
        self.banned: set[str] = set()
        while True:
            self._solve()
            bad = {
                n
                for n, values in self.defs.items()
                if n not in self.banned
                and any(self.of(v) != self.find(n) for v in values)
            }
            if not bad:
                return
            self.banned |= bad

    def _solve(self):
        """Union every name with the classes of its values; a name whose values
        would join two different known shapes (two arguments, or an argument and
        ``()``) is banned and the solve starts again."""
        while True:
            self.parent: dict = {}
            clash = self._unify()
            if clash is None:
                return
            self.banned.add(clash)

    def _unify(self):
        changed = True
        while changed:
            changed = False
            for name, values in self.defs.items():
                if name in self.banned:
                    continue
                for value in values:
                    merged = self.union(name, self.of(value))
                    if merged is None:
                        return name
                    changed |= merged
        return None

    def find(self, key):
        parent = self.parent.get(key, key)
        if parent == key:
            return key
        root = self.find(parent)
        self.parent[key] = root
        return root

    def union(self, a, b):
        """Merge two classes: True if they were apart, None if both are known shapes."""
        if b is UNKNOWN:
            return False
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if _ground(ra) and _ground(rb):
            return None
        if _ground(rb):
            ra, rb = rb, ra
        self.parent[rb] = ra
        return True

    def of(self, node):
        """The class of an expression, or UNKNOWN."""
        if isinstance(node, gast.Name):
            return UNKNOWN if node.id in self.banned else self.find(node.id)
        if isinstance(node, gast.Constant):
            ok = isinstance(node.value, NUMBERS) and not isinstance(node.value, bool)
            return SCALAR if ok else UNKNOWN
        if isinstance(node, gast.UnaryOp):
            return self.of(node.operand)
        if isinstance(node, gast.BinOp):
            return (
                UNKNOWN
                if isinstance(node.op, gast.MatMult)
                else self._join(node.left, node.right)
            )
        if isinstance(node, gast.Compare) and len(node.comparators) == 1:
            return self._join(node.left, node.comparators[0])
        if isinstance(node, gast.Call) and not node.keywords:
            return self._call(node)
        return UNKNOWN

    def _join(self, a, b):
        ca, cb = self.of(a), self.of(b)
        if ca is UNKNOWN or cb is UNKNOWN:
            return UNKNOWN
        if ca == cb or cb == SCALAR:
            return ca
        return cb if ca == SCALAR else UNKNOWN

    def _call(self, node):
        func, args = node.func, node.args
        if isinstance(func, gast.Name) and func.id in SHAPE_OF_ARG:
            k = SHAPE_OF_ARG[func.id]
            return self.of(args[k]) if len(args) > k else UNKNOWN
        if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)):
            return UNKNOWN
        module = self.aliases.get(func.value.id)
        if module == "math":
            return SCALAR
        if module != "numpy":
            return UNKNOWN
        if func.attr in ELEMENTWISE | {"zeros_like"} and len(args) == 1:
            return self.of(args[0])
        if func.attr in BINARY and len(args) == 2:
            return self._join(args[0], args[1])
        if func.attr in REDUCTIONS and len(args) == 1:
            return SCALAR
        return UNKNOWN

    def simplify(self, node):
        """``node`` without an ``unbroadcast`` that cannot change its argument."""
        if not (
            isinstance(node, gast.Call)
            and isinstance(node.func, gast.Name)
            and node.func.id == "unbroadcast"
            and len(node.args) == 2
        ):
            return node
        g, x = node.args
        cg = self.of(g)
        if cg is not UNKNOWN and cg == self.of(x):
            return g
        return node


def _ground(key) -> bool:
    """A shape known from outside: ``()`` or an argument's own."""
    return key == SCALAR or key.startswith("<argument ")


# Every way a name gets a value is a definition the shape classes check: a
# parameter, the seed (shaped like the value), a plain or augmented assignment;
# names bound by loops, unpacking, ``with``, ``try`` or nested scopes get no shape.
# Pops are left out: they restore a value the name held.
def definitions(func, parts: bool = False) -> dict:
    """name -> the expressions assigned to it (pops from ``_stack`` left out).
    With ``parts``, a name unpacked from a tuple of names (``a, b = v``) is
    assigned ``v[i]``, a subscript marked ``PART``."""
    defs: dict[str, list] = {
        a.id: [_name(f"<argument {a.id}>")] for a in func.args.args
    }
    defaults = func.args.defaults
    seed = func.args.args[-1].id if func.args.args else None
    ret = func.body[-1] if func.body else None
    if (
        seed
        and seed.startswith(ADJOINT_PREFIX)
        and len(defaults) == 1
        and isinstance(defaults[0], gast.Constant)
        and defaults[0].value == 1.0
        and isinstance(ret, gast.Return)
        and isinstance(ret.value, gast.Tuple)
        and len(ret.value.elts) == 2
    ):
        defs[seed] = [ret.value.elts[0]]  # the seed is shaped like the value
    for node in anno.walk(func):
        if isinstance(node, gast.Assign):
            target = node.targets[0]
            if isinstance(target, gast.Name):
                if not _is_pop(node.value):
                    defs.setdefault(target.id, []).append(node.value)
            elif parts and _names_tuple(target):
                for i, elt in enumerate(target.elts):
                    defs.setdefault(elt.id, []).append(part(node.value, i))
            else:
                _unknown(defs, target)
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            value = gast.BinOp(left=_name(node.target.id), op=node.op, right=node.value)
            defs.setdefault(node.target.id, []).append(value)
        elif isinstance(node, (gast.For, gast.comprehension)):
            _unknown(defs, node.target)
        elif isinstance(
            node,
            (
                gast.With,
                gast.Try,
                gast.Lambda,
                gast.FunctionDef,
                gast.NamedExpr,
                gast.Global,
                gast.Nonlocal,
            ),
        ):
            if node is not func:
                _unknown(defs, node)
    return defs


PART = "tl_part"  # on a subscript made by ``part``: item i of an unpacked value


def part(value, i: int) -> gast.Subscript:
    """``value[i]``, as unpacking ``a, b = value`` gives ``b`` (marked ``PART``)."""
    node = gast.Subscript(value=value, slice=gast.Constant(value=i, kind=None))
    node.ctx = gast.Load()
    setattr(node, PART, True)
    return node


def _names_tuple(target) -> bool:
    return isinstance(target, gast.Tuple) and all(
        isinstance(e, gast.Name) for e in target.elts
    )


def _name(id_):
    return gast.Name(id=id_, ctx=gast.Load(), annotation=None, type_comment=None)


def _unknown(defs, target):
    for sub in anno.walk(target):
        if isinstance(sub, gast.Name) and isinstance(sub.ctx, (gast.Store, gast.Del)):
            defs.setdefault(sub.id, []).append(gast.Tuple(elts=[], ctx=gast.Load()))


def _is_pop(value) -> bool:
    return (
        isinstance(value, gast.Call)
        and isinstance(value.func, gast.Attribute)
        and value.func.attr == "pop"
        and isinstance(value.func.value, gast.Name)
        and value.func.value.id == STACK_NAME
        and not value.args
    )


def module_aliases(func) -> dict[str, str]:
    """Names that forward calls show to be the numpy or math module."""
    found: dict[str, str] = {}
    for node in anno.walk(func):
        callee = getattr(node, "tl_callee", None)
        if callee is None or not isinstance(node.func, gast.Attribute):
            continue
        base = node.func.value
        if not isinstance(base, gast.Name):
            continue
        for label, module in (("numpy", numpy), ("math", math)):
            if getattr(module, node.func.attr, None) is callee:
                found.setdefault(base.id, label)
    return found
