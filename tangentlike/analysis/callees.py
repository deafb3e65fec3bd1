"""Facts about the functions a differentiated function calls."""

from __future__ import annotations

import functools
import inspect
import os
import site
import sysconfig

from .. import template as tpl


def is_user_function(obj, table) -> bool:
    """A Python function with no template in ``table``: transformed from its source
    (the user's, or a library's: NumPy's ``array_function_dispatch`` wrappers and
    ``functools.wraps`` wrappers are read through ``__wrapped__``)."""
    if tpl.lookup(table, obj) is not None:
        return False
    func = source_function(obj)
    if func is None:
        return False
    return not (func.__module__ or "").startswith("tangentlike.")


def source_function(obj):
    """The Python function behind ``obj``, unwrapped, or None."""
    try:
        func = inspect.unwrap(obj)
    except (ValueError, TypeError):
        return None
    return func if inspect.isfunction(func) else None


def is_library(obj) -> bool:
    """A function of an installed package or of the standard library, not the user's:
    its errors are reported at the user's call, its source is not the user's to edit."""
    func = source_function(obj)
    if func is None:
        return False
    path = os.path.realpath(func.__code__.co_filename)
    return path.startswith(_library_folders())


@functools.cache
def _library_folders() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    folders = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    folders.update(site.getsitepackages())
    folders.add(site.getusersitepackages())
    return tuple(sorted(os.path.join(os.path.realpath(f), "") for f in folders))
