"""What determines the code a transform generates, as one digest: the key of the
generated code kept on disk (``codegen/disk.py``).

A function's part is its source lines, file and first line, its compiled code
(what runs, even where the file has changed since), its defaults, and what each
name it reads is bound to: a module by its name; a function of the user's by
the same digest, recursively (a helper it calls, edited, changes the key); a
function or class of an installed library or of tangentlike by its module, name
and the library's version; a number or string by its value, an array by its
dtype and shape.  Whatever else a function reads (an object, a list, a class of
the user's, a closure's cell) leaves it without a key: it is transformed as
usual and nothing is kept.  The rest of the key is what the generated code
depends on beyond the function: the Python, NumPy, gast and astor in use, the
digest of tangentlike's own sources and its templates', which optional template
families are loaded, and the request (mode, positions, options).
"""

from __future__ import annotations

import hashlib
import importlib.util
import linecache
import os
import sys
import sysconfig
import types

import numpy

from .. import debug
from ..made import MARK

VERSION = "1"  # of the layout of a kept entry
# the modules whose import loads an optional family of templates (template.OPTIONAL)
OPTIONAL_MODULES = (
    "scipy._lib._array_api",
    "scipy.special",
    "scipy.stats",
    "scipy.linalg",
)
_DATA = (int, float, bool, str, complex, bytes, type(None))
_LIBRARY_PATHS = tuple(
    {
        os.path.realpath(sysconfig.get_path(name))
        for name in ("stdlib", "platstdlib", "purelib", "platlib")
    }
)


class Unkeyable(Exception):
    """The function reads something whose meaning no digest captures."""


def key(func, request: tuple) -> str | None:
    """The digest of ``func``'s transform for ``request``, or None where the
    function cannot have one (it reads what no digest captures)."""
    try:
        parts = [VERSION, repr(request), *environment()]
        parts.append(_function(func, {}, top=True))
    except Unkeyable:
        return None
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def environment() -> list[str]:
    """What the generated code depends on besides the function and the request."""
    if user_templates():
        raise Unkeyable("templates of the user's own are registered")
    loaded = [m for m in OPTIONAL_MODULES if m in sys.modules]
    return [
        sys.version,
        numpy.__version__,
        package_digest(),
        _dependency("gast"),
        _dependency("astor"),
        repr(loaded),
        repr(debug.enabled()),
    ]


def user_templates() -> bool:
    """Templates registered by the user (``tl.adjoint``), which no digest covers;
    the tables are read again only when their content has changed."""
    template = sys.modules.get("tangentlike.template")
    if template is None:
        return False
    tables = (template.ADJOINTS, template.TANGENTS)
    state = tuple((len(t), sum(map(id, list(t.values())))) for t in tables)
    if _SCANNED.get("state") != state:
        found = any(
            _users(t, template._BUILT_IN) for table in tables for t in table.values()
        )
        _SCANNED.update(state=state, found=found)
    return _SCANNED["found"]


_SCANNED: dict = {}


def _users(found, built_in: str) -> bool:
    """A template defined outside tangentlike's templates."""
    if found.func is not None:
        return not (getattr(found.func, "__module__", None) or "").startswith(built_in)
    spaces = [a for a in getattr(found._make, "args", ()) if isinstance(a, dict)]
    return any(not str(s.get("__name__", "")).startswith("tangentlike") for s in spaces)


_PACKAGE: list[str] = []


def package_digest() -> str:
    """The digest of tangentlike's sources and its templates' (once a process)."""
    if not _PACKAGE:
        digest = hashlib.sha256()
        for folder in source_folders():
            for path in _python_files(folder):
                digest.update(os.path.relpath(path, folder).encode())
                with open(path, "rb") as file:
                    digest.update(file.read())
        _PACKAGE.append(digest.hexdigest())
    return _PACKAGE[0]


def source_folders() -> list[str]:
    """tangentlike's package folder and its templates' folder."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folders = [here]
    inside = os.path.join(here, "templates")
    beside = os.path.join(os.path.dirname(here), "templates")
    if not os.path.isdir(inside) and os.path.isdir(beside):
        folders.append(beside)  # a source checkout
    return folders


def _python_files(folder: str) -> list[str]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found += [os.path.join(root, f) for f in sorted(files) if f.endswith(".py")]
    return found


def _dependency(name: str) -> str:
    """A dependency's installed version, as its package file's size and time."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        return f"{name}: absent"
    stat = os.stat(spec.origin)
    return f"{name}: {spec.origin} {stat.st_size} {stat.st_mtime_ns}"


# functions and what they read ---------------------------------------------------------
def _function(func, seen: dict, top: bool = False) -> str:
    """The digest of a function of the user's: its code, lines, defaults and the
    meaning of every name it reads."""
    if not isinstance(func, types.FunctionType) or getattr(func, MARK, None):
        raise Unkeyable("not a plain function")
    if func.__code__.co_filename.startswith("<tangentlike"):
        raise Unkeyable("generated code")
    if id(func) in seen:
        return seen[id(func)]
    seen[id(func)] = f"recursive {func.__qualname__}"
    code = func.__code__
    if top and func.__closure__:
        raise Unkeyable("a closure")
    parts = [
        func.__module__ or "",
        func.__qualname__,
        code.co_filename,
        str(code.co_firstlineno),
        _code(code),
        _lines(code),
        _value(func.__defaults__, seen),
        _value(tuple(sorted((func.__kwdefaults__ or {}).items())), seen),
        *_reads(func, seen),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    seen[id(func)] = digest
    return digest


def _reads(func, seen: dict) -> list[str]:
    """What each name ``func`` reads is bound to: in its closure, its module's
    globals or the builtins."""
    code = func.__code__
    cells = dict(zip(code.co_freevars, func.__closure__ or ()))
    scope = func.__globals__
    builtins = scope.get("__builtins__", {})
    builtins = getattr(builtins, "__dict__", builtins)
    names = _names(code)
    found = []
    for name in sorted(names):
        if name in cells:
            try:
                value = cells[name].cell_contents
            except ValueError:
                raise Unkeyable(f"the empty cell {name}") from None
        elif name in scope:
            value = scope[name]
        elif name in builtins:
            value = builtins[name]
        else:
            found.append(f"{name}: unbound")
            continue
        found.append(f"{name}: {_value(value, seen)}")
        found += _attributes(name, value, names, seen)
    return found


def _attributes(path: str, value, names: set[str], seen: dict) -> list[str]:
    """What a module of the user's gives under each name the code reads, as an
    attribute (``helpers.scale(x)``), recursively (``pkg.sub.scale``)."""
    if not isinstance(value, types.ModuleType) or _library_module(value):
        return []
    found = []
    done = seen.setdefault("attributes", set())
    for name in sorted(names):
        inner = getattr(value, name, _ABSENT)
        if inner is _ABSENT or f"{value.__name__}.{name}" in done:
            continue
        done.add(f"{value.__name__}.{name}")
        found.append(f"{path}.{name}: {_value(inner, seen)}")
        found += _attributes(f"{path}.{name}", inner, names, seen)
    return found


_ABSENT = object()


def _code(code) -> str:
    """The digest of what ``code`` runs: its bytecode, constants (nested code
    too), names and arguments."""
    parts = [
        code.co_code.hex(),
        repr(code.co_names),
        repr(code.co_varnames),
        repr(code.co_freevars),
        repr(code.co_cellvars),
        repr((code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount)),
        str(code.co_flags),
        *map(_constant, code.co_consts),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _constant(value) -> str:
    if isinstance(value, types.CodeType):
        return f"code {value.co_name} {_code(value)}"
    if isinstance(value, tuple):
        return "(" + ", ".join(map(_constant, value)) + ")"
    if isinstance(value, frozenset):
        return "frozenset(" + ", ".join(sorted(map(_constant, value))) + ")"
    return f"{type(value).__name__} {value!r}"


def _names(code) -> set[str]:
    """The global and free names ``code`` and the code nested in it read."""
    found = set(code.co_names) | set(code.co_freevars)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found |= _names(const) - set(code.co_varnames) - set(code.co_cellvars)
    return found


def _lines(code) -> str:
    """The digest of the source lines of ``code`` as the file holds them now."""
    linecache.checkcache(code.co_filename)
    lines = linecache.getlines(code.co_filename)
    numbers = [n for _, _, n in code.co_lines() if n is not None]
    last = max(numbers, default=code.co_firstlineno)
    for const in code.co_consts:  # a nested function may end later
        if isinstance(const, types.CodeType):
            last = max([last, *(n for _, _, n in const.co_lines() if n is not None)])
    text = "".join(lines[code.co_firstlineno - 1 : last])
    return hashlib.sha256(text.encode()).hexdigest()


def _value(value, seen: dict) -> str:
    """What a name read means, as text that changes when its meaning does."""
    if isinstance(value, _DATA):
        return f"{type(value).__name__} {value!r}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_value(v, seen) for v in value) + ")"
    if isinstance(value, numpy.ndarray):
        return f"array {value.dtype.str} {value.shape}"
    if isinstance(value, numpy.generic):
        return f"{value.dtype.str} {value!r}"
    if isinstance(value, types.ModuleType):
        return f"module {value.__name__}"
    if isinstance(value, types.FunctionType) and not _library(value):
        return f"function {_function(value, seen)}"
    if _library(value) and _named(value):
        return f"library {_qualified(value)}"
    raise Unkeyable(f"{type(value).__name__} value")


def _qualified(value) -> str:
    """``module.qualname`` and the version of the library that defines ``value``."""
    module = getattr(value, "__module__", None) or ""
    name = _name(value)
    top = sys.modules.get(module.partition(".")[0])
    version = getattr(top, "__version__", "")
    return f"{module}.{name} {version}"


def _named(value) -> bool:
    """``value`` is what its module and qualified name give (a function or class,
    not an object such as a ``functools.partial`` whose meaning is its data)."""
    found = sys.modules.get(getattr(value, "__module__", None) or "")
    for part in _name(value).split("."):
        found = getattr(found, part, None)
    return found is value


def _name(value) -> str:
    return getattr(value, "__qualname__", None) or getattr(value, "__name__", "<none>")


def _library(value) -> bool:
    """A function or class of an installed library, the standard library, a
    built-in or tangentlike itself (whose sources the key covers)."""
    if not callable(value) or isinstance(value, types.MethodType):
        return False
    module = getattr(value, "__module__", None)
    if not isinstance(module, str) or not module:
        return False
    if module == "builtins" or module.startswith("tangentlike."):
        return True
    if module == "__main__" or module.startswith("<"):
        return False
    found = sys.modules.get(module)
    return found is not None and _library_module(found)


def _library_module(module) -> bool:
    """A module of the standard library, an installed library or tangentlike."""
    name = module.__name__
    if name == "tangentlike" or name.startswith("tangentlike."):
        return True
    path = getattr(module, "__file__", None)
    if path is None:
        return name in sys.builtin_module_names
    path = os.path.realpath(path)
    return any(path.startswith(root + os.sep) for root in _LIBRARY_PATHS)
