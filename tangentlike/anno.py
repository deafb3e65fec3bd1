"""Annotations carried on gast nodes between passes, and small node builders."""

from __future__ import annotations

import collections
import copy

import gast

CALLEE = "tl_callee"  # on a call: the live object it calls
KEYS = "tl_keys"  # on a ``for k in d.keys()`` loop: keys are constants
# on a statement of a derivative sweep: from the first one on, the printed code
# quotes the user's line each block of statements differentiates
SWEEP = "tl_sweep"


def get(node, key, default=None):
    return getattr(node, key, default)


def set_(node, key, value) -> None:
    setattr(node, key, value)


def name(id_: str, ctx=None) -> gast.Name:
    return gast.Name(id=id_, ctx=ctx or gast.Load(), annotation=None, type_comment=None)


def store(id_: str) -> gast.Name:
    return name(id_, gast.Store())


def const(value) -> gast.Constant:
    return gast.Constant(value=value, kind=None)


def assign(target: str | gast.expr, value) -> gast.Assign:
    tgt = store(target) if isinstance(target, str) else target
    return gast.Assign(targets=[tgt], value=value, type_comment=None)


def call(func, args=(), keywords=()) -> gast.Call:
    return gast.Call(func=func, args=list(args), keywords=list(keywords))


def attr(value, attr_: str) -> gast.Attribute:
    return gast.Attribute(value=value, attr=attr_, ctx=gast.Load())


def dotted(path: str) -> gast.expr:
    """``"np.linalg.solve"`` as an expression."""
    parts = path.split(".")
    node = name(parts[0])
    for part in parts[1:]:
        node = attr(node, part)
    return node


def as_load(node):
    node = copy.deepcopy(node)
    for sub in walk(node):
        if hasattr(sub, "ctx"):
            sub.ctx = gast.Load()
    return node


def copy_location(new, old):
    """Give ``new`` and its children ``old``'s location where they have none."""
    for sub in walk(new):
        if hasattr(old, "lineno") and getattr(sub, "lineno", None) is None:
            if "lineno" in getattr(sub, "_attributes", ()):
                sub.lineno = old.lineno
                sub.col_offset = getattr(old, "col_offset", 0)
                sub.end_lineno = getattr(old, "end_lineno", old.lineno)
                sub.end_col_offset = getattr(old, "end_col_offset", 0)
    return new


def mark_sweep(stmts) -> list:
    """Mark statements as the derivative sweep (``SWEEP``); returns them."""
    for stmt in stmts:
        setattr(stmt, SWEEP, True)
    return stmts


def walk(node):
    """Every node under ``node`` but expression contexts (``Load``, ``Store``),
    breadth first, in the order of ``ast.walk``, several times faster."""
    todo = collections.deque((node,))
    pop, push = todo.popleft, todo.append
    node_type = gast.AST
    fields_of = _CHILD_FIELDS
    while todo:
        node = pop()
        fields = fields_of.get(node.__class__)
        if fields is None:
            fields = _child_fields(node.__class__)
        for field in fields:
            value = getattr(node, field, None)
            if isinstance(value, node_type):
                push(value)
            elif value.__class__ is list:
                for item in value:
                    if isinstance(item, node_type):
                        push(item)
        yield node


# fields that never hold a node but a context: strings, numbers, flags
_LEAF_FIELDS = frozenset(
    {
        "ctx",
        "id",
        "attr",
        "arg",
        "module",
        "level",
        "kind",
        "type_comment",
        "conversion",
        "is_async",
        "simple",
    }
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls) -> tuple[str, ...]:
    fields = (
        ()
        if cls is gast.Constant
        else tuple(f for f in cls._fields if f not in _LEAF_FIELDS)
    )
    _CHILD_FIELDS[cls] = fields
    return fields


def load_names(node) -> set[str]:
    return {
        n.id
        for n in walk(node)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
    }


def store_names(node) -> set[str]:
    return {
        n.id
        for n in walk(node)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    }


def root_name(node) -> str | None:
    """The name under subscripts and attributes: ``x`` of ``x[i].real``."""
    while isinstance(node, (gast.Subscript, gast.Attribute)):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None


def updated_names(stmt) -> set[str]:
    """Names the statement binds or may update in place."""
    names = set()
    for node in walk(stmt):
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, gast.Store):
                names.add(node.id)
        elif isinstance(node, (gast.AugAssign, gast.Assign)):
            targets = node.targets if isinstance(node, gast.Assign) else [node.target]
            names |= {root_name(t) for t in targets} - {None}
        elif isinstance(node, gast.Call):
            names |= out_names(node)
            if isinstance(node.func, gast.Attribute):  # methods may update their object
                names |= load_names(node.func.value)
    return names


def out_names(value) -> set[str]:
    """The names an ``out=`` keyword of a call writes into."""
    if not isinstance(value, gast.Call):
        return set()
    return {n for kw in value.keywords if kw.arg == "out" for n in load_names(kw.value)}


def jumps(node) -> bool:
    """Whether ``node`` holds a ``break``, ``continue`` or ``return``."""
    return any(
        isinstance(n, (gast.Break, gast.Continue, gast.Return)) for n in walk(node)
    )


def substitute(node, name: str, value):
    """``node`` with a copy of ``value`` wherever it reads ``name``."""
    return _Substitute(name, value).visit(node)


class _Substitute(gast.NodeTransformer):
    def __init__(self, name, value):
        self.name, self.value = name, value

    def visit_Name(self, node):
        if node.id == self.name and isinstance(node.ctx, gast.Load):
            return clone(self.value)
        return node


def is_call_to(node, name: str) -> bool:
    """``name(...)``: a call of a plain name (``range(n)``, ``reversed(r)``)."""
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Name)
        and node.func.id == name
    )


def name_counts(node, load: bool = True) -> dict[str, int]:
    """How often each name is read (``load``) or bound (otherwise) in ``node``."""
    counts: dict[str, int] = {}
    for n in walk(node):
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) == load:
            counts[n.id] = counts.get(n.id, 0) + 1
    return counts


def blocks(func):
    """Every statement list in ``func``, outermost first (breadth first, in the
    order a walk of the whole tree finds them, without visiting expressions)."""
    out = [func.body]
    queue = collections.deque(func.body)
    while queue:
        stmt = queue.popleft()
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], gast.stmt):
                out.append(inner)
                queue.extend(inner)
    return out


def clone(node):
    """A deep copy of a gast tree, several times faster than ``copy.deepcopy``;
    annotations that are not nodes (live callees) are shared, not copied."""
    if isinstance(node, list):
        return [clone(n) for n in node]
    if isinstance(node, gast.AST):
        new = node.__class__.__new__(node.__class__)
        new.__dict__ = {k: clone(v) for k, v in node.__dict__.items()}
        return new
    return node
