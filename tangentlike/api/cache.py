"""One transform per request: the generated module for a function, a mode, the
positions to differentiate and the options, made once and shared.

The cache holds functions weakly: a function that dies drops its transforms (and so
the data its closure holds), and at most ``MAX_FUNCTIONS`` functions keep theirs,
the least recently asked for going first.  ``kept`` gives, where it can, a module
whose code is kept on disk (``codegen/stored.py``): a later process loads it and
transforms nothing.  Closures made by one ``def`` share one
transform when they close over the same functions and modules and over data of the
same kinds (arrays, numbers): the transform keeps no cell's data, and each
derivative runs it with its own closure's (``Module.detach``, ``Derivative``).
"""

from __future__ import annotations

import inspect
import threading
import types
import weakref
from collections import OrderedDict

import numpy

from ..analysis.scope import is_data
from ..codegen import disk, fingerprint
from ..codegen.stored import StoredModule

MAX_FUNCTIONS = 1024
# the data a shared transform reads from each closure when it runs
SHAREABLE = (numpy.ndarray, numpy.generic, float, int, complex, bool, type(None))

_LOCK = threading.RLock()
_BY_FUNCTION: OrderedDict = OrderedDict()  # weakref(func) -> {request: module}
_SHARED: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_BUILDING: dict = {}  # request key -> lock, while it is being built


def transform(
    func, mode: str, positions, optimize: bool, verbose: int, owners=(), bound=()
):
    """The generated module for ``func`` (with ``owners``, ``(parameter, class)``
    pairs, for the objects whose methods it calls, and ``bound``, ``(parameter,
    function)`` pairs, for the parameters it calls, if given); the same request
    reuses the first result."""
    from .. import pipeline
    from .. import template as tpl

    tpl.load_templates()
    request = (mode, positions, optimize, resolved_globals(func))
    if owners or bound:
        request += (tuple(owners), tuple(bound))
    found = _lookup(func, request)
    if found is not None:
        return found
    share = share_key(func, request)
    key = share or (id(func), request)  # only while func is alive, building
    with _LOCK:
        lock = _BUILDING.setdefault(key, threading.Lock())
    with lock:
        found = _lookup(func, request)
        if found is None and share is not None:
            found = _SHARED.get(share)
        if found is None:
            found = pipeline.build(
                func, positions, mode, optimize, verbose, dict(owners), dict(bound)
            )
            if share is not None:
                found.detach(shared_cells(func))
                _SHARED[share] = found
        _store(func, request, found)
    with _LOCK:
        _BUILDING.pop(key, None)
    return found


def kept(func, mode: str, positions, optimize: bool, variety="", make=False):
    """``transform(func, mode, positions, optimize)`` as a module whose code is
    kept on disk, loaded from there where a process kept it before, else (with
    ``make``) transformed now and kept as it compiles; None where nothing is
    kept (turned off, or a function whose transform has no key).  ``variety``
    tells apart requests that check the transform differently (a ``vjp``'s)."""
    if not disk.enabled():
        return None
    request = (mode, positions, optimize, "kept", variety)
    here = request + (resolved_globals(func),)  # in this process: by identity
    found = _lookup(func, here)
    if found is not None:
        return found
    key = fingerprint.key(func, request)
    if key is None:
        return None

    def build():
        return transform(func, mode, positions, optimize, 0)

    found = StoredModule.opened(key, func, build)
    if found is None and make:
        found = StoredModule(key, func, real=build())
    if found is not None:
        _store(func, here, found)
    return found


def _lookup(func, request):
    with _LOCK:
        ref = _ref(func)
        entries = _BY_FUNCTION.get(ref) if ref is not None else None
        if entries is None or request not in entries:
            return None
        _BY_FUNCTION.move_to_end(ref)
        return entries[request]


def _store(func, request, module) -> None:
    ref = _ref(func, create=True)
    with _LOCK:
        if ref is None:  # not weakly referable: not kept
            return
        _BY_FUNCTION.setdefault(ref, {})[request] = module
        _BY_FUNCTION.move_to_end(ref)
        while len(_BY_FUNCTION) > MAX_FUNCTIONS:
            _BY_FUNCTION.popitem(last=False)


def _ref(func, create: bool = False):
    try:
        return weakref.ref(func, _forget) if create else weakref.ref(func)
    except TypeError:
        return None


def _forget(ref) -> None:
    with _LOCK:
        _BY_FUNCTION.pop(ref, None)


def clear() -> None:
    """Forget every transform."""
    with _LOCK:
        _BY_FUNCTION.clear()
        _SHARED.clear()


def cached_functions() -> int:
    """How many functions the cache keeps transforms for."""
    with _LOCK:
        return len(_BY_FUNCTION)


def resolved_globals(func) -> tuple:
    """The functions, classes and modules ``func`` reaches through global names
    (and those the functions of the user's it reaches do), by identity: the
    transform resolves them when it is made, so a global rebound to another
    function (``g = tl.grad(cube)`` after ``g = tl.grad(square)``) asks for a new
    one.  Data is read when the code runs (``Module.watch``) and is left out."""
    found, seen, todo = [], set(), [inspect.unwrap(func)]
    while todo:
        f = todo.pop()
        code = getattr(f, "__code__", None)
        space = getattr(f, "__globals__", None)
        if code is None or space is None or id(f) in seen:
            continue
        seen.add(id(f))
        for name in sorted(_global_names(code)):
            if name not in space or is_data(space[name]):
                continue
            value = space[name]
            found.append((getattr(code, "co_qualname", code.co_name), name, id(value)))
            if isinstance(value, types.FunctionType) and not _library(value):
                todo.append(inspect.unwrap(value))
    return tuple(found)


def _global_names(code) -> set[str]:
    """The names a code object (and the code nested in it) may read as globals."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _library(func) -> bool:
    """A function of an installed package or of tangentlike, not the user's."""
    module = getattr(func, "__module__", "") or ""
    return module.split(".")[0] in ("numpy", "scipy", "tangentlike", "dask")


def share_key(func, request) -> tuple | None:
    """What makes two functions' transforms the same: the code, the module, what
    the closure's cells hold (the same functions and modules, data of the same
    kinds), the request; None for a function that cannot share."""
    func = inspect.unwrap(func)
    code = getattr(func, "__code__", None)
    if not isinstance(func, types.FunctionType) or code is None:
        return None
    cells = []
    for name, value in _cells(func).items():
        if is_data(value) and isinstance(value, SHAREABLE):
            cells.append((name, type(value)))
        else:
            cells.append((name, id(value)))
    return (code, id(func.__globals__), tuple(cells), request)


def shared_cells(func) -> set[str]:
    """The closure cells whose data each derivative brings (arrays and numbers)."""
    cells = _cells(inspect.unwrap(func))
    return {n for n, v in cells.items() if is_data(v) and isinstance(v, SHAREABLE)}


def _cells(func) -> dict:
    code = getattr(func, "__code__", None)
    closure = getattr(func, "__closure__", None) or ()
    found = {}
    for name, cell in zip(code.co_freevars if code else (), closure):
        try:
            found[name] = cell.cell_contents
        except ValueError:  # not yet assigned
            found[name] = _EMPTY
    return found


_EMPTY = object()  # a cell not assigned yet (not data: its identity is the key)
