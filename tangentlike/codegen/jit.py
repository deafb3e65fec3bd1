"""Numba: a variant's functions made ready for Numba, printed with a decorator
over each, and loaded from a real file so that Numba caches their machine code on
disk.

Numba compiles Python as it is written, loops included, but not every construct
of the generated code. Rewrites give it what it can type, each keeping the
value (Numba's own loops may round sums differently from NumPy in the last bits):

before:
    _x_saved = [None] * 100
    for i in range(100):
        _x_saved[i] = x
        x = x + a * math.sin(x)
    ba = np.zeros_like(a)
    for i in reversed(range(100)):
        ba += bx * math.sin(_x_saved[i])
after:
    _x_saved = []
    for i in range(100):
        _x_saved.append(x)
        x = x + a * math.sin(x)
    ba = 0.0
    for i in range(99, -1, -1):
        ba += bx * math.sin(_x_saved[i])

A list saved into item by item, in order, grows by ``append`` (a list of
``None`` has no type that a float fits), and the lists one loop saves into,
read only by index, are one list of a tuple a step (one append a step, and one
list for Numba to type); a reversed range counts down; a float
parameter's gradient starts as the float ``0.0`` (a 0-d array in Numba would
make every ``+=`` an array operation). ``reversed(saved)`` becomes a loop down
its indices, ``del`` statements go (Numba frees what a function no longer
reads, and refuses ``del``), and so do ``out=`` keywords (the value is the
same); ``np.add.reduce`` is ``np.sum``; a list literal that nothing changes is
a tuple (what Numba's ``np.concatenate`` takes); a gradient added into a slice,
``bu[1:-1] += g``, is ``add_into(bu[1:-1], g)``, a loop into the view
(``runtime/compiled.py``: Numba's own in-place operator on an array takes
seconds to compile, and allocates). The runtime helpers have
Numba versions for numbers and arrays of one or two dimensions
(``runtime/compiled.py``). What Numba still cannot compile (``np.argsort`` with
a ``kind``, a helper for other arguments) is reported by ``Jitted.explanation``,
and the NumPy code runs instead.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import threading
import warnings
from pathlib import Path

import gast

from .. import anno
from ..errors import JitWarning
from . import disk

DECORATOR = "numba.njit(cache=True)"
IMPORT = "import numba"


# the rewrites -----------------------------------------------------------------------
def for_numba(functions, scalars) -> list:
    """Copies of ``functions`` rewritten for Numba (the module docstring), each
    decorated with ``@numba.njit(cache=True)``."""
    out = []
    for f in functions:
        f = anno.clone(f)
        _appended_saves(f)
        _countdowns(f)
        _saves_together(f)
        _float_zeros(f, set(scalars))
        _no_deletes(f)
        _sums(f)
        _tuples(f)
        _no_out(f)
        _slice_updates(f)
        f.decorator_list = [gast.parse(DECORATOR, mode="eval").body]
        out.append(f)
    return out


def _appended_saves(f) -> None:
    """``L = [None] * n`` stored into only as ``L[i] = v`` right in the body of
    ``for i in range(n)``: ``L = []`` and ``L.append(v)``."""
    for block in anno.blocks(f):
        for stmt in block:
            name = _none_list(stmt)
            if name is None:
                continue
            stores = _item_stores(f, name)
            if stores is not None and all(
                _in_order(loop, s) and any(loop is b for b in block)
                for loop, s in stores
            ):  # each store once a step of a loop that runs once after the list is made
                stmt.value = gast.List(elts=[], ctx=gast.Load())
                for _, s in stores:
                    s.__class__ = gast.Expr
                    s.__dict__ = _append(name, s.value, s).__dict__


def _none_list(stmt) -> str | None:
    """``name`` of ``name = [None] * n``."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1):
        return None
    target, value = stmt.targets[0], stmt.value
    if not (isinstance(target, gast.Name) and isinstance(value, gast.BinOp)):
        return None
    items = value.left
    if not (isinstance(value.op, gast.Mult) and isinstance(items, gast.List)):
        return None
    only_none = [getattr(e, "value", 0) for e in items.elts] == [None]
    return target.id if only_none else None


def _item_stores(f, name: str):
    """``(loop, statement)`` of each ``name[...] = v`` in ``f``, the loop the
    statement is directly in; None where ``name`` is stored otherwise."""
    found = []
    for loop_block in _blocks_with_loops(f):
        loop, block = loop_block
        for stmt in block:
            if _stores_item(stmt, name):
                found.append((loop, stmt))
    count = sum(
        isinstance(n, gast.Subscript)
        and isinstance(n.ctx, gast.Store)
        and isinstance(n.value, gast.Name)
        and n.value.id == name
        for n in anno.walk(f)
    )
    return found if found and count == len(found) else None


def _blocks_with_loops(f):
    """``(the statement owning the block, or None, the block)`` for every block."""
    yield None, f.body
    for node in anno.walk(f):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(node, gast.stmt) and isinstance(block, list):
                yield (node if field == "body" else None), block
        for handler in getattr(node, "handlers", ()):
            yield None, handler.body


def _stores_item(stmt, name: str) -> bool:
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1):
        return False
    target = stmt.targets[0]
    return (
        isinstance(target, gast.Subscript)
        and isinstance(target.value, gast.Name)
        and target.value.id == name
    )


def _in_order(loop, stmt) -> bool:
    """``stmt`` stores at the counter of ``loop``, a ``for i in range(n)``, once
    per step (the statement is in the loop's body itself, not in a branch, and
    no ``break``, ``continue`` or ``return`` can skip it)."""
    if not isinstance(loop, gast.For) or not isinstance(loop.target, gast.Name):
        return False
    it = loop.iter
    counting = _is_range(it) and len(it.args) == 1 and not anno.jumps(loop)
    index = stmt.targets[0].slice
    return counting and isinstance(index, gast.Name) and index.id == loop.target.id


def _append(name: str, value, where) -> gast.Expr:
    call = anno.call(anno.attr(anno.name(name), "append"), [value])
    return anno.copy_location(gast.Expr(value=call), where)


def _countdowns(f) -> None:
    """``for i in reversed(range(a, b))``: ``for i in range(b - 1, a - 1, -1)``;
    ``for v in reversed(L)``: a loop down the indices of ``L`` that reads ``v``."""
    for node in anno.walk(f):
        if not isinstance(node, gast.For):
            continue
        inner = _reversed_of(node.iter)
        if inner is None:
            continue
        if _is_range(inner) and len(inner.args) in (1, 2):
            start, stop = (
                (anno.const(0), inner.args[0]) if len(inner.args) == 1 else inner.args
            )
            node.iter = anno.call(
                anno.name("range"),
                [_minus_one(stop), _minus_one(start), anno.const(-1)],
            )
        elif isinstance(inner, gast.Name):
            index = f"_{inner.id}_i"
            length = anno.call(anno.name("len"), [anno.name(inner.id)])
            item = gast.Subscript(
                value=anno.name(inner.id), slice=anno.name(index), ctx=gast.Load()
            )
            read = anno.copy_location(anno.assign(node.target, item), node)
            node.target = anno.store(index)
            node.iter = anno.call(
                anno.name("range"),
                [_minus_one(length), anno.const(-1), anno.const(-1)],
            )
            node.body.insert(0, read)


def _saves_together(f) -> None:
    """The lists a loop appends to once a step (two or more, read only by index
    and ``len``): one list of a tuple a step (Numba runs one append, not one a
    list, and keeps one list)."""
    for block in anno.blocks(f):
        for loop in block:
            if not _counting_loop(loop):
                continue
            lists = [n for n in _appended_once(loop, block) if _read_by_index(f, n)]
            if len(lists) > 1:
                _combine(f, block, loop, lists)


def _counting_loop(stmt) -> bool:
    """``for i in range(n)`` with no ``break``, ``continue`` or ``return``."""
    return (
        isinstance(stmt, gast.For)
        and isinstance(stmt.target, gast.Name)
        and _is_range(stmt.iter)
        and len(stmt.iter.args) == 1
        and not anno.jumps(stmt)
    )


def _appended_once(loop, block) -> list[str]:
    """The lists made empty in ``block`` that the body of ``loop`` appends to,
    each once, right in the body; in the order of their appends."""
    made = [
        s.targets[0].id
        for s in block
        if isinstance(s, gast.Assign)
        and len(s.targets) == 1
        and isinstance(s.targets[0], gast.Name)
        and isinstance(s.value, gast.List)
        and not s.value.elts
    ]
    appended = [_appended_to(s) for s in loop.body]
    read = {  # in the loop itself: the step's item must be there at once
        n.value.id
        for n in anno.walk(loop)
        if isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name)
    }
    return [
        n for n in appended if n in made and appended.count(n) == 1 and n not in read
    ]


def _appended_to(stmt) -> str | None:
    """``L`` of the statement ``L.append(v)``."""
    call = stmt.value if isinstance(stmt, gast.Expr) else None
    if not (
        isinstance(call, gast.Call)
        and isinstance(call.func, gast.Attribute)
        and call.func.attr == "append"
        and isinstance(call.func.value, gast.Name)
        and len(call.args) == 1
    ):
        return None
    return call.func.value.id


def _read_by_index(f, name: str) -> bool:
    """``name`` is made once and appended to once in ``f``, and otherwise only
    read as ``name[i]`` or ``len(name)``."""
    uses = [n for n in anno.walk(f) if isinstance(n, gast.Name) and n.id == name]
    made = appended = read = 0
    for node in anno.walk(f):
        if isinstance(node, gast.Subscript) and _is_name(node.value, name):
            read += isinstance(node.ctx, gast.Load)
        elif anno.is_call_to(node, "len") and len(node.args) == 1:
            read += _is_name(node.args[0], name)
        elif isinstance(node, gast.Attribute) and _is_name(node.value, name):
            appended += node.attr == "append"
        elif isinstance(node, gast.Assign) and len(node.targets) == 1:
            made += _is_name(node.targets[0], name)
    return made == 1 and appended == 1 and made + appended + read == len(uses)


def _is_name(node, name: str) -> bool:
    return isinstance(node, gast.Name) and node.id == name


def _combine(f, block, loop, lists: list[str]) -> None:
    """``lists`` as one list of tuples, appended at the end of ``loop``'s body."""
    taken = {n.id for n in anno.walk(f) if isinstance(n, gast.Name)}
    combined = _unused("_steps_saved", taken)
    items = {name: _unused(f"{name}_item", taken | {combined}) for name in lists}
    taken |= set(items.values())
    for k, stmt in enumerate(block):
        if isinstance(stmt, gast.Assign) and _is_name(stmt.targets[0], lists[0]):
            block[k] = anno.copy_location(
                anno.assign(anno.store(combined), gast.List(elts=[], ctx=gast.Load())),
                stmt,
            )
    block[:] = [
        s
        for s in block
        if not (isinstance(s, gast.Assign) and s.targets[0].__class__ is gast.Name)
        or s.targets[0].id not in lists[1:]
    ]
    for k, stmt in enumerate(loop.body):
        name = _appended_to(stmt)
        if name in items:
            value = stmt.value.args[0]
            loop.body[k] = anno.copy_location(
                anno.assign(anno.store(items[name]), value), stmt
            )
    row = gast.Tuple(elts=[anno.name(items[n]) for n in lists], ctx=gast.Load())
    loop.body.append(_append(combined, row, loop.body[-1]))
    _ReadCombined(combined, {n: k for k, n in enumerate(lists)}).visit(f)


def _unused(base: str, taken: set[str]) -> str:
    name, k = base, 2
    while name in taken:
        name, k = f"{base}{k}", k + 1
    return name


class _ReadCombined(gast.NodeTransformer):
    """``L[i]`` as ``combined[i][k]`` and ``len(L)`` as ``len(combined)``."""

    def __init__(self, combined: str, index: dict[str, int]):
        self.combined = combined
        self.index = index

    def visit_Subscript(self, node):
        if not (isinstance(node.value, gast.Name) and node.value.id in self.index):
            return self.generic_visit(node)
        k = self.index[node.value.id]
        row = gast.Subscript(
            value=anno.name(self.combined),
            slice=self.visit(node.slice),
            ctx=gast.Load(),
        )
        item = gast.Subscript(value=row, slice=anno.const(k), ctx=node.ctx)
        return anno.copy_location(item, node)

    def visit_Name(self, node):
        if node.id in self.index and isinstance(node.ctx, gast.Load):
            node.id = self.combined  # len(L)
        return node


def _reversed_of(it):
    if anno.is_call_to(it, "reversed") and len(it.args) == 1:
        return it.args[0]
    return None


def _is_range(node) -> bool:
    return anno.is_call_to(node, "range") and not node.keywords


def _minus_one(expr):
    if isinstance(expr, gast.Constant) and type(expr.value) is int:
        return anno.const(expr.value - 1)
    return gast.BinOp(left=expr, op=gast.Sub(), right=anno.const(1))


def _no_deletes(f) -> None:
    """No ``del``: Numba frees what a function no longer reads by itself, and
    refuses ``del`` of a name."""
    for block in anno.blocks(f):
        block[:] = [s for s in block if not isinstance(s, gast.Delete)] or [gast.Pass()]


# ufunc reductions Numba lacks, and the function that computes each
_REDUCTIONS = {"add": "sum", "maximum": "max", "minimum": "min", "multiply": "prod"}


def _sums(f) -> None:
    """``np.add.reduce(x, axis=None)``: ``np.sum(x)`` (Numba has no ufunc
    ``reduce``); an integer axis is kept for ``np.sum``."""
    for node in anno.walk(f):
        if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)):
            continue
        ufunc = node.func.value
        if not (
            node.func.attr == "reduce"
            and isinstance(ufunc, gast.Attribute)
            and ufunc.attr in _REDUCTIONS
            and len(node.args) == 1
        ):
            continue
        axis = [k for k in node.keywords if k.arg == "axis"]
        if len(axis) != len(node.keywords):
            continue
        if axis and _is_none(axis[0].value):
            node.keywords = []
        if node.keywords and ufunc.attr != "add":
            continue
        ufunc.attr = _REDUCTIONS[ufunc.attr]
        node.func = ufunc


def _is_none(node) -> bool:
    return isinstance(node, gast.Constant) and node.value is None


def _tuples(f) -> None:
    """A list literal assigned to a name that is only read, never changed nor
    returned: a tuple (Numba's ``np.concatenate`` takes a tuple, and a tuple may
    hold arrays of several layouts)."""
    changed = _changed_names(f) | _returned_names(f)
    for node in anno.walk(f):
        if (
            isinstance(node, gast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], gast.Name)
            and isinstance(node.value, gast.List)
            and node.value.elts
            and node.targets[0].id not in changed
        ):
            node.value = gast.Tuple(elts=node.value.elts, ctx=gast.Load())


def _returned_names(f) -> set[str]:
    """Names a ``return`` gives back, alone or in tuples (a list returned stays a
    list)."""
    found = set()
    todo = [n.value for n in anno.walk(f) if isinstance(n, gast.Return) and n.value]
    while todo:
        value = todo.pop()
        if isinstance(value, gast.Tuple):
            todo.extend(value.elts)
        elif isinstance(value, gast.Name):
            found.add(value.id)
    return found


def _changed_names(f) -> set[str]:
    """Names whose value may change in place: an item stored, a method called
    (``append``), an augmented assignment."""
    found = set()
    for node in anno.walk(f):
        if isinstance(node, (gast.Subscript, gast.Attribute)) and not isinstance(
            node.ctx, gast.Load
        ):
            found.add(anno.root_name(node))
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute):
            found.add(anno.root_name(node.func.value))
        elif isinstance(node, gast.AugAssign):
            found.add(anno.root_name(node.target))
    return found


def _no_out(f) -> None:
    """``np.tanh(a, out=a)``: ``np.tanh(a)`` (Numba takes no ``out=``; the value
    is the same, in an array of its own)."""
    for node in anno.walk(f):
        if isinstance(node, gast.Call) and node.keywords:
            node.keywords = [k for k in node.keywords if k.arg != "out"]


ADD_INTO = "add_into"  # runtime/compiled.py: ``a += v`` of a view, as a loop


def _slice_updates(f) -> None:
    """``x[1:-1] += v``: ``add_into(x[1:-1], v)``, a loop into the view (Numba's
    in-place operator on an array compiles for seconds, for the message it would
    give if the shapes did not broadcast)."""
    for block in anno.blocks(f):
        for k, stmt in enumerate(block):
            if _slice_update(stmt):
                target = anno.clone(stmt.target)
                for node in anno.walk(target):
                    if isinstance(getattr(node, "ctx", None), gast.Store):
                        node.ctx = gast.Load()
                call = anno.call(anno.name(ADD_INTO), [target, stmt.value])
                block[k] = anno.copy_location(gast.Expr(value=call), stmt)


def _slice_update(stmt) -> bool:
    """``x[...] += v`` with a slice in the index: an update of a view."""
    if not (isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, gast.Add)):
        return False
    target = stmt.target
    if not (isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name)):
        return False
    index = target.slice
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    return any(isinstance(p, gast.Slice) for p in parts)


def _float_zeros(f, scalars: set[str]) -> None:
    """``np.zeros_like(a)`` of a float parameter ``a``: ``0.0``."""
    for node in anno.walk(f):
        for field, value in gast.iter_fields(node):
            if _zeros_of_scalar(value, scalars):
                setattr(node, field, anno.const(0.0))


def _zeros_of_scalar(node, scalars) -> bool:
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Attribute)
        and node.func.attr == "zeros_like"
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], gast.Name)
        and node.args[0].id in scalars
    )


def source(module, functions, scalars=(), **options) -> str:
    """The decorated module Numba compiles: ``functions`` rewritten, printed
    (``Module.source``'s ``options``)."""
    rewritten = for_numba(functions, scalars)
    printed = module.source("numpy", rewritten, **options)
    if any(ADD_INTO in anno.load_names(f) for f in rewritten):
        printed = _imported(
            printed, f"from tangentlike.runtime.compiled import {ADD_INTO}"
        )
    return f"{IMPORT}\n{printed}"


def _imported(printed: str, line: str) -> str:
    """``printed`` with ``line`` after the imports it opens with."""
    lines = printed.split("\n")
    k = 0
    while k < len(lines) and lines[k].startswith(("import ", "from ")):
        k += 1
    return "\n".join([*lines[:k], line, *lines[k:]])


def make(module, fallback, scalars, shapes, unit_seed, cells=()) -> Jitted:
    """The variant of ``module`` for these arguments (``Module.compiled``), to be
    compiled by Numba; ``fallback``, the NumPy variant, where it cannot be."""
    label = module.label(scalars, shapes)
    why = _not_compilable(module, cells)
    if why:
        why = f"{label} runs as NumPy code: {why}"
        warnings.warn(why, JitWarning, stacklevel=5)
        return Jitted(label, fallback, why=why)
    functions = module.functions
    if scalars or shapes is not None or unit_seed:
        functions = module.variant_functions(scalars, shapes, unit_seed)
    text = source(module, functions, scalars)
    import numba

    from ..runtime import compiled  # the helpers, as Numba compiles them

    namespace = {**module.namespace(functions), "numba": numba}
    namespace[ADD_INTO] = compiled.add_into
    dispatcher = load(text, namespace)[module.main_name]
    return Jitted(label, fallback, dispatcher, text)


def _not_compilable(module, cells) -> str:
    """Why Numba is not asked to compile ``module``'s code, or ''."""
    if not numba_available():
        return "Numba is not installed (pip install 'tangentlike[jit]')"
    if cells:
        return (
            f"it reads the data of its closure ({', '.join(sorted(cells))}), which "
            "Numba would freeze when it compiles: pass it as an argument"
        )
    data = [name for name, _, _ in module.watch().watched]
    if data:
        return (
            f"it reads the global data {', '.join(data)}, which Numba would freeze "
            "when it compiles: pass it as an argument"
        )
    return ""


# loading ----------------------------------------------------------------------------
def cache_folder() -> Path:
    """Where the decorated modules and Numba's machine code are kept: the folder
    ``jit`` of the cache folder (``disk.root()``)."""
    return disk.root() / "jit"


def load(source: str, namespace: dict) -> dict:
    """Run ``source`` from a file named after its digest in ``cache_folder()``
    (written once: Numba keys its cache on the file), in ``namespace``."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:16]
    folder = cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"tl_{digest}.py"
    if not path.exists() or path.read_text() != source:
        scratch = folder / f".{path.name}.{os.getpid()}.{threading.get_ident()}"
        scratch.write_text(source)
        os.replace(scratch, path)
    namespace["__file__"] = str(path)
    exec(compile(source, str(path), "exec"), namespace)
    return namespace


def numba_available() -> bool:
    return importlib.util.find_spec("numba") is not None


class Jitted:
    """A variant compiled by Numba at its first call; where Numba cannot compile
    it, the NumPy variant runs, and ``explanation`` says which line stopped it."""

    def __init__(self, label: str, fallback, dispatcher=None, source="", why=""):
        self.label = label
        self.fallback = fallback
        self.dispatcher = dispatcher
        self.source = source
        self.explanation = why or f"{label}: Numba compiles it at its first call"
        self.run = self._first if dispatcher is not None else fallback
        self._lock = threading.Lock()

    def __call__(self, *args):
        return self.run(*args)

    @property
    def compiled(self) -> bool:
        return self.run is self.dispatcher

    def _first(self, *args):
        with self._lock:
            if self.run != self._first:  # another thread compiled it meanwhile
                return self.run(*args)
            try:
                out = self.dispatcher(*args)
            except Exception as exc:
                if self.dispatcher.signatures:  # compiled: the code itself raised
                    self._compiled()
                    raise
                self.explanation = self._stopped(exc)  # whatever Numba raised
                self.run = self.fallback
                warnings.warn(self.explanation, JitWarning, stacklevel=6)
                return self.fallback(*args)
            self._compiled()
            return out

    def _compiled(self) -> None:
        self.explanation = f"{self.label}: compiled by Numba"
        self.run = self.dispatcher

    def _stopped(self, exc) -> str:
        """Which line of the decorated module stopped Numba, and why."""
        message = str(exc)
        lines = self.source.splitlines()
        found = re.findall(r'File "([^"]*)", line (\d+)', message)
        where = ""
        for _, number in reversed(found):
            n = int(number)
            if 0 < n <= len(lines) and not lines[n - 1].lstrip().startswith("@"):
                where = f" at line {n}: {lines[n - 1].strip()}"
                break
        return (
            f"{self.label} runs as NumPy code: Numba cannot compile it{where}\n"
            f"({_reason(message)})"
        )


def _reason(message: str) -> str:
    """The line of Numba's message that says what it could not do."""
    lines = [line.strip() for line in message.splitlines()]
    for k, line in enumerate(lines):
        if line and not line.startswith(("Failed in", "File", "During", ">>>")):
            then = [x for x in lines[k + 1 :] if x][:1]
            if line.endswith("signature:") and then and then[0].startswith(">>>"):
                return f"{line} {then[0][3:].strip()}"
            return line
    return message.strip().splitlines()[0] if message.strip() else "no reason given"
