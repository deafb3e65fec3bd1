"""Analyze: which names are active (depend on a wrt input and reach the output),
and where each name is assigned, to decide which values the reverse sweep must save."""

from __future__ import annotations

import builtins
import operator
import random
from dataclasses import dataclass, field

import gast

from .. import anno, constants
from ..naming import is_stack_name
from . import custom_items

CONSTANT_ATTRS = {"shape", "ndim", "dtype", "size", "itemsize", "nbytes"}


# floor division and bitwise operators: piecewise constant or integer-valued
INTEGER_OPS = (
    gast.FloorDiv,
    gast.BitAnd,
    gast.BitOr,
    gast.BitXor,
    gast.LShift,
    gast.RShift,
)


def is_differentiable_value(value) -> bool:
    """Whether an operation's result can carry a derivative from its operands."""
    if isinstance(value, (gast.Compare, gast.BoolOp, gast.Constant)):
        return False
    if isinstance(value, gast.UnaryOp) and isinstance(
        value.op, (gast.Not, gast.Invert)
    ):
        return False
    if isinstance(value, gast.BinOp) and type(value.op) in INTEGER_OPS:
        return False
    if isinstance(value, gast.Attribute) and value.attr in CONSTANT_ATTRS:
        return False
    if isinstance(value, gast.Call):
        callee = anno.get(value, anno.CALLEE)
        if callee is not None and constants.is_constant(callee):
            return False
    return True


def _reads(value) -> set[str]:
    """The names whose values an operation's result carries a derivative from: a
    call's arguments but those declared constant (``np.full``'s shape), and the
    function called when it is a value (``layer(x)``, ``poly.deriv()``); an
    item's container, and its index where the container is not a local name
    (``np.r_[a, b]`` builds its result from the index) or is an object whose
    ``__getitem__`` may compute from it (``analysis/custom_items.py``)."""
    if isinstance(value, gast.Subscript):
        if is_built_from_index(value) or anno.get(value, custom_items.COMPUTED, False):
            return anno.load_names(value)
        return anno.load_names(value.value)
    if isinstance(value, gast.Call):
        callee = anno.get(value, anno.CALLEE)
        kept = {id(a) for a in constants.constant_atoms(callee, value)}
        names = anno.load_names(value.func)
        for a in value.args + [k.value for k in value.keywords]:
            if id(a) in kept:
                continue
            if isinstance(a, gast.Call):  # a loop's header: reversed(range(len(xs)))
                names |= _reads(a) if is_differentiable_value(a) else set()
            else:
                names |= anno.load_names(a)
        return names
    return anno.load_names(value)


def is_built_from_index(value) -> bool:
    """An item of something other than a local name (``np.r_[a, b]``,
    ``np.mgrid[0:t:5j]``): an object whose ``[]`` makes its result from the index
    itself, not a selection of a local container's items."""
    return isinstance(value, gast.Subscript) and not isinstance(value.value, gast.Name)


def dataflow_edges(body, stacks=False) -> list[tuple[set[str], set[str]]]:
    """(targets, sources) pairs along which derivatives flow; with ``stacks``,
    also into the save stacks of generated code (a reverse sweep follows a stack
    that leaves its function, in a forward function's saved values)."""
    # One branch a way a statement moves a value into a name: an assignment (to a
    # name, or into a container or object it names), an append, a call that updates
    # its argument in place, and a loop's target taking the items it iterates.
    edges = []
    for node in _statements(body):
        if isinstance(node, gast.Assign):
            target = node.targets[0]
            if is_stack_call(node.value, "pop"):
                continue  # a popped value is the value its name held: no new dataflow
            outs = anno.out_names(node.value)
            if outs:  # np.sin(x, out=y): y changes too
                edges.append((outs, anno.load_names(node.value) | outs))
            if isinstance(target, (gast.Subscript, gast.Attribute)):
                tname = anno.load_names(target.value)  # p.a = v: p holds v
                edges.append((tname, anno.load_names(node.value) | tname))
            elif is_differentiable_value(node.value):
                edges.append((anno.store_names(target), _reads(node.value)))
        elif isinstance(node, gast.Expr) and _is_append(node.value):
            lst = node.value.func.value.id
            if is_stack_name(lst) and not stacks:
                continue
            edges.append(({lst}, anno.load_names(node.value.args[0]) | {lst}))
        elif isinstance(node, gast.Expr) and isinstance(node.value, gast.Call):
            changed = mutated_names(node.value)
            if changed:
                edges.append((changed, anno.load_names(node.value) | changed))
        elif isinstance(node, gast.For) and not anno.get(node, anno.KEYS):
            # a loop over a dict's keys moves no derivative: keys are constants
            edges.append((anno.store_names(node.target), _reads(node.iter)))
    return edges


# NumPy functions that update their first argument in place
IN_PLACE = frozenset(
    ("copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis")
)
# functions of Python's that update their first argument: setattr(p, "a", v)
UPDATES_FIRST = (builtins.setattr, operator.setitem, random.shuffle)


def mutated_names(call) -> set[str]:
    """Names a call used as a statement may update in place: the object of a method
    (``y.fill(v)``, ``lst.reverse()``), an ``out=`` array, the first argument of
    ``np.copyto``-like functions, of ``setattr`` and of ``ufunc.at``
    (``np.add.at(y, i, v)``); the save stacks of generated code excepted."""
    names = anno.out_names(call)
    func = call.func
    callee = anno.get(call, anno.CALLEE)
    if (
        is_ufunc_at(call)
        or (isinstance(func, gast.Attribute) and func.attr in IN_PLACE)
        or any(callee is f for f in UPDATES_FIRST)
    ):
        if call.args and isinstance(call.args[0], gast.Name):
            names.add(call.args[0].id)
    elif isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
        resolved = anno.get(call, anno.CALLEE) is not None  # np.multiply: not a method
        if not resolved and not is_stack_name(func.value.id):
            names.add(func.value.id)
    return names


def is_ufunc_at(call) -> bool:
    """``np.add.at(y, index, v)`` (or another ufunc's ``at``) on a local name."""
    func = call.func
    return (
        isinstance(func, gast.Attribute)
        and func.attr == "at"
        and isinstance(func.value, gast.Attribute)
        and len(call.args) == 3
        and isinstance(call.args[0], gast.Name)
    )


def is_stack_call(call, method: str) -> bool:
    """``_stack.append(x)`` or ``_stack.pop()`` on one of the save stacks."""
    return is_method_call(call, method) and is_stack_name(call.func.value.id)


def is_method_call(call, method: str) -> bool:
    """``name.method(...)`` on a local name (``lst.append(v)``)."""
    return (
        isinstance(call, gast.Call)
        and isinstance(call.func, gast.Attribute)
        and call.func.attr == method
        and isinstance(call.func.value, gast.Name)
    )


def _is_append(call) -> bool:
    return is_method_call(call, "append") and len(call.args) == 1


def _statements(body):
    for stmt in body:
        yield stmt
        for field_name in ("body", "orelse"):
            yield from _statements(getattr(stmt, field_name, []) or [])


def active_names(body, wrt: set[str], outputs: set[str], stacks=False) -> set[str]:
    """Names that depend on ``wrt`` and that ``outputs`` depend on."""
    edges = dataflow_edges(body, stacks)
    varied = _closure(set(wrt), [(t, s) for t, s in edges])
    useful = _closure(set(outputs), [(s, t) for t, s in edges])
    return varied & useful


def _closure(seed: set[str], edges) -> set[str]:
    found = set(seed)
    changed = True
    while changed:
        changed = False
        for targets, sources in edges:
            if sources & found and not targets <= found:
                found |= targets
                changed = True
    return found


@dataclass
class Sites:
    """Pre-order positions of statements and of the assignments to each name."""

    order: dict[int, int] = field(default_factory=dict)
    span: dict[int, int] = field(default_factory=dict)
    loops: dict[int, list[int]] = field(default_factory=dict)
    assigned: dict[str, list[int]] = field(default_factory=dict)

    def overwritten_after(self, name: str, stmt) -> bool:
        """Whether ``name`` may be rebound between ``stmt`` and its reverse."""
        here = self.order[id(stmt)]
        for site in self.assigned.get(name, ()):
            if site > here:
                return True
            for loop in self.loops[id(stmt)]:
                if self.order[loop] <= site <= self.span[loop]:
                    return True
        return False

    def in_loop(self, stmt) -> bool:
        return bool(self.loops[id(stmt)])


def index_sites(body, exclude=()) -> Sites:
    """Number the statements of ``body``; ``exclude`` holds ids of nodes not to count."""
    sites = Sites()
    counter = [0]

    def visit(stmts, loops):
        for stmt in stmts:
            counter[0] += 1
            sites.order[id(stmt)] = counter[0]
            sites.loops[id(stmt)] = loops
            if id(stmt) not in exclude:
                for name in _bound_by(stmt):
                    sites.assigned.setdefault(name, []).append(counter[0])
            inner = (
                loops + [id(stmt)]
                if isinstance(stmt, (gast.For, gast.While))
                else loops
            )
            visit(getattr(stmt, "body", []) or [], inner)
            visit(getattr(stmt, "orelse", []) or [], inner)
            sites.span[id(stmt)] = counter[0]

    visit(body, [])
    return sites


def _bound_by(stmt) -> set[str]:
    if isinstance(stmt, gast.Assign):
        target = stmt.targets[0]
        if isinstance(target, gast.Subscript):
            return set()
        return anno.store_names(target)
    if isinstance(stmt, gast.For):
        return anno.store_names(stmt.target)
    return set()
