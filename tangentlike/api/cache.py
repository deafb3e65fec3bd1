"""One transform per request: the generated module for a function, a mode, the
positions to differentiate and the options, made once and shared.
"""

from __future__ import annotations

import threading

from .. import pipeline
from .. import template as tpl

_CACHE: dict = {}
_CACHE_LOCK = threading.Lock()
_KEY_LOCKS: dict = {}


def transform(func, mode: str, positions, optimize: bool, verbose: int):
    """The generated module for ``func``; the same request reuses the first result."""
    tpl.load_templates()
    key = (func, mode, positions, optimize)
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
        lock = _KEY_LOCKS.setdefault(key, threading.Lock())
    with lock:
        if key not in _CACHE:
            _CACHE[key] = pipeline.build(func, positions, mode, optimize, verbose)
    return _CACHE[key]
