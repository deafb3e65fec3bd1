"""The generated module of one transform: its functions, the helpers and globals
they read, their printed source, and the variants compiled for known arguments."""

from __future__ import annotations

import ast
import copy
import inspect
import sys
import threading
import types

import gast
import numpy

from .. import anno
from .. import optimize as optimizer
from ..naming import Namer, names_in
from ..optimize.inplace import WEAK_FLOAT
from ..transform.calls import Calls
from . import compile as compiler
from . import globals as live
from . import jit
from . import standalone as standalone_helpers
from .comments import with_comments
from .render import to_source

UFUNC_MODULES = ("numpy", "scipy.special")  # where a ufunc a template calls is public


class Module:
    """The generated functions of one transform, with what they need to run."""

    def __init__(self, info):
        self.top = info
        self.functions: list[gast.FunctionDef] = []
        self.infos = [info]
        self.namer = Namer(names_in(info.node) | set(info.func.__globals__))
        self.calls = Calls(self)
        self._compiled: dict[str, object] = {}
        self._jitted: dict[tuple, jit.Jitted] = {}
        self._lock = threading.RLock()
        self._watch: live.Watch | None = None
        self.detached: frozenset = frozenset()
        self.fronts: dict = {}  # the fronts' code that runs a variant (call/front.py)
        # each name the generated code reads: (the function whose scope gives it,
        # its name there); the user's function first, so that it keeps its names
        self.owner: dict[str, tuple] = {}
        for name in sorted(anno.load_names(info.node)):
            if _bound(info, name):
                self.owner[name] = (info, name)

    def detach(self, names: set[str]) -> None:
        """Keep no data of the user's closure cells ``names``: the transform is shared
        by the closures of one ``def``, and each derivative brings its own closure's
        (``cell_values``).  The user's function is kept as a stand-in whose cells hold
        only the functions and modules the transform resolved."""
        self.detached = frozenset(names)
        if not names:
            return
        for name in names:
            self.top.scope.closure[name] = DETACHED
        self.top.func = _stand_in(self.top.func, names)

    def cell_values(self, func) -> dict:
        """The data of ``func``'s closure cells this module reads when it runs."""
        if not self.detached:
            return {}
        func = inspect.unwrap(func)
        cells = zip(func.__code__.co_freevars, func.__closure__ or ())
        return {n: c.cell_contents for n, c in cells if n in self.detached}

    def fresh(self, base: str) -> str:
        return self.namer.fresh(base)

    def add(self, info, defs) -> None:
        self.infos.append(info)
        self._claim(info, defs)
        self.functions.extend(defs)

    # One namespace runs every generated function, but the functions they come from
    # live in different scopes: a name a callee reads (``scale`` of another module,
    # a global the user's closure shadows) that another scope binds to something
    # else is renamed in the callee's code (``scale_2``).
    def _claim(self, info, defs) -> None:
        """Own a name in the generated namespace for each name ``defs`` read from
        ``info``'s scope, renaming those another scope gives another meaning."""
        skip = set(info.helpers) | set(self.aliases()) | {info.np_alias}
        skip |= {f.name for f in self.functions + list(defs)}
        renames = {}
        reads = set().union(*map(_free_reads, defs))
        self.namer.reserve(reads | set(self.owner))
        for name in sorted(reads - skip):
            if not _bound(info, name):
                continue
            owner = self.owner.setdefault(name, (info, name))
            if not _same_meaning(owner, (info, name)):
                renames[name] = self.fresh(name)
                self.owner[renames[name]] = (info, name)
        for d in defs:
            _rename_free(d, renames)

    def finish(self, main: gast.FunctionDef, optimize: bool) -> None:
        self.optimize = optimize
        self.functions.append(main)
        if optimize:
            keep = self.user_names()
            self.functions = [
                optimizer.optimize(f, release=False, keep=keep) for f in self.functions
            ]
            self._unreleased = [anno.clone(f) for f in self.functions]
            self._main_unreleased = self._unreleased[-1]
            for f in self.functions:
                optimizer.finish(f)
        self.main_name = main.name

    def user_names(self) -> frozenset:
        """The names the user's own functions use, which keep their meaning."""
        return frozenset().union(
            *(info.func.__code__.co_varnames for info in self.infos)
        )

    # rendering ---------------------------------------------------------------
    def aliases(self) -> list[str]:
        return sorted({info.np_alias for info in self.infos})

    def helpers(self, used=None) -> dict:
        """Runtime helpers and modules the generated functions may read; with
        ``used``, those among the names they do read."""
        out = {}
        for info in self.infos:
            out.update(info.helpers)
        return (
            out if used is None else {k: v for k, v in sorted(out.items()) if k in used}
        )

    # The printed module differs by backend (the array library's import and name) and
    # by ``standalone`` (the runtime helpers printed in, not imported); the rest is the
    # same for all.
    def source(
        self,
        backend: str = "numpy",
        functions=None,
        standalone: bool = False,
        comments: bool = True,
    ) -> str:
        """The printed module: imports, then the functions; ``standalone`` prints the
        runtime helpers they call into it instead of importing tangentlike;
        ``comments`` quotes the user's line above each block of a sweep."""
        functions = self.functions if functions is None else functions
        text = self._printed(backend, functions, standalone)
        if not comments:
            return text
        files = [self._file_of(f) for f in functions]
        return with_comments(text, self._renamed(backend, functions), files)

    # The Dask code is the NumPy code, which NumPy hands to Dask wherever an argument
    # is a Dask array (``__array_function__``, ``__array_ufunc__``) and runs itself on
    # NumPy values and Python floats (a parameter left in NumPy, a constant), which
    # dask.array's own functions do not all take (``da.sum(1.5)`` raises).
    def _renamed(self, backend: str, functions) -> list:
        aliases = set(self.aliases())
        if backend == "dask":
            return [_for_dask(f, aliases) for f in functions]
        if backend == "cupy":
            target = _cupy_alias(functions)
            return [_rename_alias(f, aliases, target) for f in functions]
        return functions

    def _printed(self, backend: str, functions, standalone: bool) -> str:
        imports = [_import_module(a, numpy) for a in self.aliases()]
        if backend != "numpy":
            if backend == "cupy":
                alias = _cupy_alias(functions)
                imports = ["import cupy" + (f" as {alias}" if alias != "cupy" else "")]
            functions = self._renamed(backend, functions)
        loads = set().union(*(anno.load_names(f) for f in functions))
        stores = set().union(*(anno.store_names(f) for f in functions))
        helpers = {
            **self._globals_used(functions, loads, stores),
            **self.helpers(loads),
        }
        data = [_data_line(*w) for w in self.watch().watched if w[0] in loads]
        if not standalone:
            return to_source(functions, imports + _helper_imports(helpers) + data)
        roots = standalone_helpers.roots(helpers)
        rest = {k: v for k, v in helpers.items() if k not in roots}
        header = imports + _helper_imports(rest) + data
        taken = _bound_names(header) | {f.name for f in functions}
        more, tail = standalone_helpers.printed(roots, taken)
        header = list(dict.fromkeys(imports + more + _helper_imports(rest) + data))
        return to_source(functions, header, tail if roots else "")

    def _globals_used(self, functions, loads, stores) -> dict:
        """Modules and importable functions of the user's that the code reads (``math``,
        a helper from another module), so the printed source imports them."""
        ns = self.namespace()
        defined = {f.name for f in functions} | set(self.aliases()) | stores
        for f in functions:
            defined |= {a.id for a in f.args.args}
        used = {}
        for name in sorted(loads - defined):
            value = ns.get(name)
            if _importable(name, value):
                used[name] = value
        return used

    def watch(self) -> live.Watch:
        """The user's global data the generated code reads (``live``)."""
        if self._watch is None:
            self._watch = live.Watch(self._watched())
        return self._watch

    def _watched(self) -> tuple[tuple[str, dict, str], ...]:
        """``(name, the dict it lives in, its key there)`` of each global holding data
        that a generated function reads, as ``namespace`` gives it."""
        helpers = self.helpers()
        reads = set().union(*map(_free_reads, self.functions))
        found = []
        for name in sorted(reads - set(helpers)):
            info, key = self.owner.get(name) or self._first_binding(name)
            if info is None or key in info.scope.closure:
                continue
            where = info.func.__globals__
            if key in where and live.is_data(where[key]):
                found.append((name, *live.home(key, where)))
        return tuple(found)

    def _first_binding(self, name: str) -> tuple:
        for info in self.infos:
            if _bound(info, name):
                return info, name
        return None, name

    def namespace(self, functions=()) -> dict:
        """What the generated functions (and ``functions``, a variant's) read: each
        name from its owner's scope, the helpers; nothing else of the user's
        modules, whose other values it would keep alive."""
        reads = set().union(*map(_free_reads, [*self.functions, *functions]))
        ns = {"__name__": self.top.func.__module__}
        for name in sorted(reads):
            info, key = self.owner.get(name) or self._first_binding(name)
            if info is not None:
                ns[name] = _value(info, key)
        ns.update(self.helpers())
        return ns

    def _file_of(self, func) -> str:
        """The user file a generated function came from (callees may live elsewhere)."""
        for info in self.infos:
            if info.name in func.name:
                return info.source.filename
        return self.top.source.filename

    def compiled(
        self,
        backend: str = "numpy",
        scalars: tuple[str, ...] = (),
        shapes=None,
        unit_seed: bool = False,
    ):
        """The main generated function for ``backend``.  A variant knows more:
        ``scalars`` names parameters given Python floats, ``shapes`` gives
        ``(name, shape, dtype)`` of array parameters, and ``unit_seed`` says the
        seed is never passed (grad, not vjp), so it is the constant 1.0."""
        key = (backend, scalars, shapes, unit_seed)
        fn = self._compiled.get(key)
        if fn is not None:
            return fn
        with self._lock:
            if key not in self._compiled:
                self._compiled[key] = self._compile(backend, scalars, shapes, unit_seed)
            return self._compiled[key]

    def _compile(self, backend, scalars, shapes, unit_seed):
        functions = self.functions
        if scalars or shapes is not None or unit_seed:
            functions = self.variant_functions(scalars, shapes, unit_seed)
            if functions is self.functions:  # nothing to gain: share the general code
                return self.compiled(backend)
        label = self.label(scalars, shapes)
        files = [self._file_of(f) for f in functions]
        namespace = self.watch().register(self.namespace(functions))
        ns = compiler.load(
            self.source(backend, functions), namespace, label, functions, files
        )
        return ns[self.main_name]

    def label(self, scalars=(), shapes=None) -> str:
        """The main function's name, and the arguments its variant is for."""
        label = f"{self.top.func.__module__}.{self.main_name}"
        if scalars:
            label += f" for float {', '.join(scalars)}"
        if shapes:
            label += " for " + ", ".join(f"{n} {d}{list(s)}" for n, s, d in shapes)
        return label

    def jitted(self, fallback, scalars=(), shapes=None, unit_seed=False, cells=()):
        """The variant ``compiled`` gives (``fallback``), compiled by Numba at its
        first call (``codegen/jit.py``); made once for each variant."""
        key = (fallback, scalars, shapes, unit_seed)
        with self._lock:
            found = self._jitted.get(key)
            if found is None:
                found = jit.make(self, fallback, scalars, shapes, unit_seed, cells)
                self._jitted[key] = found
            return found

    def variant_functions(self, scalars, shapes, unit_seed=False):
        """The functions with main re-optimized knowing what ``compiled`` says."""
        if not self.optimize:
            return self.functions
        known = dtypes = None
        if shapes is not None:
            known = {**{n: s for n, s, _ in shapes}, **{n: () for n in scalars}}
            dtypes = {
                **{n: numpy.dtype(d) for n, _, d in shapes},
                **{n: WEAK_FLOAT for n in scalars},
            }
        keep = self.user_names()
        helpers = {f.name: f for f in self._unreleased[:-1]}
        main = optimizer.optimize_variant(
            anno.clone(self._main_unreleased),
            set(scalars),
            known,
            dtypes,
            unit_seed,
            self.top.np_alias,
            keep,
            helpers,
        )
        calls = anno.get(main, optimizer.CALLS) or {}
        others = optimizer.specialize_helpers(
            self._unreleased[:-1], calls, self.top.np_alias, keep
        )
        others = [
            new if new is not old else general
            for new, old, general in zip(others, self._unreleased, self.functions)
        ]
        others = optimizer.without_unread_saves(others)
        if gast.dump(main) == gast.dump(self.functions[-1]) and all(
            a is b for a, b in zip(others, self.functions)
        ):
            return self.functions
        return others + [main]


def _bound_names(lines: list[str]) -> set[str]:
    """The names import and assignment lines bind."""
    found = set()
    for stmt in ast.parse("\n".join(lines)).body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            found |= {a.asname or a.name.partition(".")[0] for a in stmt.names}
        elif isinstance(stmt, ast.Assign):
            found |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
    return found


def _importable(name, value) -> bool:
    if isinstance(value, types.ModuleType):
        return True
    module = getattr(value, "__module__", None) or ""
    return (
        callable(value)
        and getattr(value, "__name__", None) == name
        and module not in ("", "__main__", "builtins")
        and not module.startswith("<")
        and _found_in(module, name, value)
    )


def _found_in(module: str, name: str, value) -> bool:
    """``from module import name`` gives ``value`` (not a function defined in
    another function, which its module does not hold); a module not imported
    yet is taken at its word."""
    held = getattr(sys.modules.get(module), name, _NOTHING)
    return held is value or module not in sys.modules


def _data_line(name: str, where: dict, key: str) -> str:
    """How the printed source gets a global the code reads: its value where it is
    a literal, else an import from its module (a comment where it has none)."""
    value, module = where.get(key), where.get("__name__", "")
    if _is_literal(value):
        return f"{name} = {value!r}"
    alias = "" if key == name else f" as {name}"
    if (
        getattr(sys.modules.get(module), key, _NOTHING) is value
        and module != "__main__"
    ):
        return f"from {module} import {key}{alias}"
    return f"# {name}: the global {key} of {module or 'the calling module'}"


_NOTHING = object()


class _Detached:
    """The value of a closure cell a shared transform does not keep: each
    derivative puts its own closure's in its namespace."""

    def __repr__(self):
        return "<a closure cell's value, given by each derivative>"


DETACHED = _Detached()


def _stand_in(func, names):
    """``func`` with the data of its cells ``names`` left out."""
    code = func.__code__
    cells = tuple(
        types.CellType(None) if n in names else c
        for n, c in zip(code.co_freevars, func.__closure__ or ())
    )
    twin = types.FunctionType(code, func.__globals__, func.__name__, None, cells)
    twin.__qualname__, twin.__module__ = func.__qualname__, func.__module__
    return twin


def _free_reads(f) -> set[str]:
    """The names a generated function reads and does not bind."""
    params = {a.id for a in f.args.args}
    return anno.load_names(f) - anno.store_names(f) - params


def _bound(info, name: str) -> bool:
    return name in info.scope.closure or name in info.func.__globals__


def _value(info, key: str):
    closure = info.scope.closure
    return closure[key] if key in closure else info.func.__globals__[key]


def _same_meaning(a: tuple, b: tuple) -> bool:
    """Two scopes' names mean the same: the same module, function or class, or, for
    data, the same place (a global of one module, a cell of one function)."""
    va, vb = _value(*a), _value(*b)
    if not (live.is_data(va) or live.is_data(vb)):
        return va is vb
    return _place(*a) == _place(*b)


def _place(info, key: str) -> tuple:
    if key in info.scope.closure:
        return ("cell", id(info.func), key)
    where, key = live.home(key, info.func.__globals__)
    return ("global", id(where), key)


def _rename_free(f, renames: dict[str, str]) -> None:
    """Rename the names ``f`` reads from outside (not its own locals)."""
    free = {k: v for k, v in renames.items() if k in _free_reads(f)}
    for node in anno.walk(f):
        if isinstance(node, gast.Name) and node.id in free:
            node.id = free[node.id]


def _is_literal(value) -> bool:
    if isinstance(value, tuple):
        return all(_is_literal(v) for v in value)
    if type(value) is float:
        return value == value and value not in (float("inf"), float("-inf"))
    return type(value) in (int, bool, str, complex, type(None))


def _helper_imports(helpers: dict) -> list[str]:
    """Import lines for the helpers generated code uses: modules, then functions."""
    modules = sorted(n for n, v in helpers.items() if isinstance(v, types.ModuleType))
    lines = [_import_module(n, helpers[n]) for n in modules]
    by_module: dict[str, list[str]] = {}
    for name, value in helpers.items():
        if not isinstance(value, types.ModuleType):
            by_module.setdefault(public_module(value), []).append(name)
    for module, names in sorted(by_module.items()):
        lines.append(f"from {module} import {', '.join(sorted(names))}")
    return lines


def public_module(value) -> str:
    """The module to import ``value`` from: runtime helpers from ``tangentlike.runtime``,
    a ufunc (which names no module) from the module of NumPy or SciPy that holds it."""
    module = getattr(value, "__module__", None) or _ufunc_module(value)
    if module.startswith("tangentlike.runtime."):
        return "tangentlike.runtime"
    return _public_parent(module, value)


def _public_parent(module: str, value) -> str:
    """``scipy.linalg`` for a function of ``scipy.linalg._basic`` it exports."""
    while "._" in module:
        parent = module.rsplit(".", 1)[0]
        name = getattr(value, "__name__", None)
        if name is None or getattr(sys.modules.get(parent), name, None) is not value:
            break
        module = parent
    return module


def _ufunc_module(ufunc) -> str:
    for module in UFUNC_MODULES:
        if getattr(sys.modules.get(module), ufunc.__name__, None) is ufunc:
            return module
    return "numpy"


def _import_module(name, module) -> str:
    real = module.__name__
    if real == name:
        return f"import {name}"
    if "." in real and real.rsplit(".", 1)[1] == name:
        return f"from {real.rsplit('.', 1)[0]} import {name}"
    return f"import {real} as {name}"


def _cupy_alias(functions) -> str:
    """The name CuPy goes by: ``cupy``, or ``cupy_`` where the functions use the
    name ``cupy`` themselves."""
    taken = set()
    for f in functions:
        taken |= anno.load_names(f) | anno.store_names(f)
        params = [*f.args.posonlyargs, *f.args.args, *f.args.kwonlyargs]
        params += [a for a in (f.args.vararg, f.args.kwarg) if a is not None]
        taken |= {a.id for a in params}
    alias = "cupy"
    while alias in taken:
        alias += "_"
    return alias


def _rename_alias(func, aliases: set[str], target: str):
    """The function with the array namespace bound to ``target`` (``cupy``)."""
    func = copy.deepcopy(func)
    for node in anno.walk(func):
        if isinstance(node, gast.Name) and node.id in aliases:
            node.id = target
    return func


def _for_dask(func, aliases: set[str]):
    """The function as Dask runs it: Dask implements no ``numpy.copy``, so
    ``np.copy(v)`` becomes ``v.copy()``; and a Dask gradient may meet a NumPy one
    (a parameter left in NumPy), which cannot take a Dask array in place, so
    ``bw += g`` becomes ``bw = bw + g``."""
    func = copy.deepcopy(func)
    _ReplaceAugAssign().visit(func)
    for node in anno.walk(func):
        if _is_namespace_copy(node, aliases):
            node.func = anno.attr(node.args[0], "copy")
            node.args = []
    return func


class _ReplaceAugAssign(gast.NodeTransformer):
    """``x += v`` as ``x = x + v``: a new value, of whichever library the operands'
    sum is in; ``x[i] += v`` as ``x[i] = x[i] + v``, which a NumPy ``x`` takes from
    a Dask ``v`` (computing it) where ``+=`` would refuse it."""

    def visit_AugAssign(self, node):
        read = copy.deepcopy(node.target)
        for n in anno.walk(read):
            if isinstance(getattr(n, "ctx", None), gast.Store):
                n.ctx = gast.Load()
        value = gast.BinOp(read, node.op, node.value)
        return gast.copy_location(anno.assign(node.target, value), node)


def _is_namespace_copy(node, aliases) -> bool:
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Attribute)
        and node.func.attr == "copy"
        and isinstance(node.func.value, gast.Name)
        and node.func.value.id in aliases
        and len(node.args) == 1
    )
