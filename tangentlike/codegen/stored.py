"""A generated module whose code is kept on disk (``codegen/disk.py``).

A process that finds a transform's code on disk runs it without transforming:
``StoredModule.opened`` loads the general code, and each variant a call asks
for (``compiled``) is loaded from its own file when one is kept.  The names the
code reads are found as the printed module imports them (a module by its name,
a function by its module and qualified name, the user's globals in the
function's module), and the user's global data is watched as a transform's is
(``codegen/globals.py``).  Whatever else is asked of the module (its printed
source, a variant not kept, the code for Numba) transforms the function then,
through ``build``, and each variant compiled from the transform is written to
disk for the next process.
"""

from __future__ import annotations

import importlib
import linecache
import sys
import threading
import types

from . import compile as compiler
from . import disk, linemap
from . import globals as live

GENERAL = ("numpy", (), None, False)  # the variant ``grad()`` compiles at once
_OWN = ("__builtins__", "__name__", "__file__")


class StoredModule:
    """The generated module of one transform, from disk where its code is kept;
    the transform itself (``real``) is made only when something else is asked."""

    def __init__(self, key: str, func, build=None, real=None, record=None):
        self.key = key
        self.func = func
        self._build = build  # () -> the transform's Module
        self._real = real
        self._record = record  # the general code's, as kept
        self._compiled: dict[tuple, object] = {}
        self._watch: live.Watch | None = None
        self._lock = threading.RLock()
        self.fronts: dict = {}  # the fronts' code that runs a variant (call/front.py)

    @classmethod
    def opened(cls, key: str, func, build) -> StoredModule | None:
        """The module whose general code is kept under ``key``, or None where none
        is kept (or the names it reads cannot be found as they were)."""
        record = disk.read(key, GENERAL)
        if record is None:
            return None
        found = cls(key, func, build, record=record)
        try:
            found.compiled(*GENERAL)
        except LookupError:
            return None
        return found

    def real(self):
        """The transform's Module, made the first time it is needed."""
        with self._lock:
            if self._real is None:
                self._real = self._build()
                if self._watch is not None:
                    self._real._watch = self._watch
            return self._real

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.real(), name)

    @property
    def infos(self) -> list:
        """The transform's infos, the user's function's first (what a derivative
        reads of it at once is known without transforming)."""
        if self._real is not None:
            return self._real.infos
        return [_KnownInfo(self)]

    def cell_values(self, func) -> dict:
        """A kept transform reads no closure's cells (``fingerprint.key``)."""
        return {}

    def watch(self) -> live.Watch:
        """The user's global data the code reads, as the transform watches it."""
        with self._lock:
            if self._watch is None:
                if self._real is not None:
                    self._watch = self._real.watch()
                else:
                    self._watch = live.Watch(self._watched(self._record["watched"]))
            return self._watch

    def compiled(
        self,
        backend: str = "numpy",
        scalars: tuple[str, ...] = (),
        shapes=None,
        unit_seed: bool = False,
    ):
        """The main function for these arguments (``Module.compiled``): loaded
        from disk where kept, else compiled from the transform and kept."""
        variant = (backend, tuple(scalars), shapes, unit_seed)
        fn = self._compiled.get(variant)
        if fn is not None:
            return fn
        with self._lock:
            if variant not in self._compiled:
                record = self._record if variant == GENERAL else None
                if record is None and self._real is None:
                    record = disk.read(self.key, variant)
                fn = self._loaded(record) if record is not None else None
                if fn is None:
                    fn = self.real().compiled(*variant)
                    self._keep(variant, fn)
                self._compiled[variant] = fn
            return self._compiled[variant]

    # loading ------------------------------------------------------------------
    def _loaded(self, record: dict):
        """The main function of a kept variant, or None where a name it reads
        cannot be found (it is compiled from the transform then)."""
        try:
            namespace = {
                name: self._resolve(where) for name, where in record["names"].items()
            }
            namespace["__name__"] = self.func.__module__
            self.watch()
        except (LookupError, ImportError, AttributeError, TypeError):
            if record is self._record:
                raise LookupError("a name the kept code reads is gone") from None
            return None
        namespace = self.watch().register(namespace)
        origins = {line: (path, n) for line, path, n in record["origins"]}
        found = compiler.load(
            record["source"], namespace, record["label"], origins=origins
        )
        return found[record["main"]]

    def _resolve(self, where: list):
        kind = where[0]
        if kind == "module":
            return importlib.import_module(where[1])
        if kind == "global":
            return self.func.__globals__[where[1]]
        value = importlib.import_module(where[1])
        for part in where[2].split("."):
            value = getattr(value, part)
        return value

    def _watched(self, kept: list) -> tuple:
        found = []
        for name, module, key in kept:
            where = self.func.__globals__ if module is None else _module_dict(module)
            if where is None:
                raise LookupError(f"module {module} is not imported")
            found.append((name, where, key))
        return tuple(found)

    # keeping ------------------------------------------------------------------
    def _keep(self, variant: tuple, fn) -> None:
        """Write the code of ``fn``, compiled from the transform, to disk, with
        how to find each name it reads; nothing where a name cannot be found so."""
        if self._real.infos[0].methods:  # checked at each call, by the transform
            return
        filename = fn.__code__.co_filename
        lines = linecache.getlines(filename)
        names = self._locations(fn)
        watched = self._watched_locations()
        if not lines or names is None or watched is None:
            return
        origins = linemap.origins(filename) if filename in linemap.ORIGINS else {}
        record = {
            "source": "".join(lines),
            "main": fn.__name__,
            "label": filename[len("<tangentlike ") :].rsplit(" ", 1)[0],
            "names": names,
            "watched": watched,
            "origins": sorted([n, *where] for n, where in origins.items()),
        }
        disk.write(self.key, variant, record)

    def _locations(self, fn) -> dict | None:
        """Each name ``fn``'s namespace holds, as ``_resolve`` finds it again."""
        namespace = fn.__globals__
        watched = {name for name, _, _ in self.watch().watched}
        found = {}
        for name, value in namespace.items():
            if name in _OWN or name.startswith("_tl_") or name in watched:
                continue
            if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
                continue  # a generated function
            where = self._location(name, value)
            if where is None:
                return None
            found[name] = where
        return found

    def _location(self, name: str, value) -> list | None:
        if isinstance(value, types.ModuleType):
            if sys.modules.get(value.__name__) is value:
                return ["module", value.__name__]
        elif self.func.__globals__.get(name, _NONE) is value:
            return ["global", name]
        for module in _modules_of(value):
            path = _attribute_path(sys.modules.get(module), value)
            if path is not None:
                return ["attr", module, path]
        return None

    def _watched_locations(self) -> list | None:
        """Each watched global as ``(name, module or None for the function's own,
        key)``; None where one lives elsewhere."""
        found = []
        for name, where, key in self.watch().watched:
            if where is self.func.__globals__:
                found.append([name, None, key])
            elif _module_dict(where.get("__name__")) is where:
                found.append([name, where["__name__"], key])
            else:
                return None
        return found


class _KnownInfo:
    """What a derivative reads of the user's function's info at once, known of a
    kept transform (made only where the transform succeeded, returning one
    value, calling no method of an object passed in); the rest from the
    transform."""

    methods = ()
    returns_many = None

    def __init__(self, module: StoredModule):
        self._module = module

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._module.real().infos[0], name)


_NONE = object()


def _module_dict(name) -> dict | None:
    module = sys.modules.get(name) if isinstance(name, str) else None
    return None if module is None else module.__dict__


def _modules_of(value) -> list[str]:
    """Where ``value`` may be found: its module, else NumPy's and SciPy's
    (a ufunc may name none)."""
    module = getattr(value, "__module__", None)
    found = [module] if isinstance(module, str) else []
    return found + ["numpy", "scipy.special"]


def _attribute_path(module, value) -> str | None:
    """The dotted name under which ``module`` holds ``value``, or None."""
    if module is None:
        return None
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if not isinstance(name, str):
        return None
    found = module
    for part in name.split("."):
        found = getattr(found, part, _NONE)
    return name if found is value else None
