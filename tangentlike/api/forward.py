"""Forward mode, the public function: jvp.

Higher derivatives nest: ``grad`` and ``jvp`` accept functions made by
tangentlike, which hand over a plain generated function (``made.plain``) with the
user's signature, itself transformable because its source is in linecache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..call.jvp import Jvp
from ..errors import ArgumentError
from ..made import plain
from .arguments import for_bound, normalize_wrt
from .cache import transform


def jvp(
    f: Callable | None = None,
    wrt: Any = 0,
    *,
    optimize: bool = True,
    verbose: int = 0,
    backend: str | None = None,
) -> Callable:
    """Forward mode: ``jvp(f)(*args, *tangents)`` is the derivative of ``f`` along them."""
    if f is None:
        return lambda g: jvp(
            g, wrt, optimize=optimize, verbose=verbose, backend=backend
        )
    if not callable(f):
        raise ArgumentError(f"jvp expects a function, not {f!r}")
    options = {"optimize": optimize, "verbose": verbose, "backend": backend}
    bound = for_bound(f, wrt, lambda g, w: jvp(g, w, **options))
    if bound is not None:
        return bound
    f = plain(f)
    positions, _ = normalize_wrt(f, wrt)
    module = transform(f, "forward", positions, optimize, verbose)
    return Jvp(f, module, positions, backend)
