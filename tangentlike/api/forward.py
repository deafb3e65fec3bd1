"""Forward mode, the public function: jvp.

Higher derivatives nest: ``grad`` and ``jvp`` accept functions made by
tangentlike, which hand over a plain generated function (``made.plain``) with the
user's signature, itself transformable because its source is in linecache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..call.jvp import Jvp
from ..errors import ArgumentError, public
from ..made import plain
from .arguments import for_bound, from_template, normalize_wrt
from .cache import kept, transform
from .specialize import Specialized, specialized


@public
def jvp(
    f: Callable | None = None,
    wrt: Any = 0,
    *,
    optimize: bool = True,
    verbose: int = 0,
    backend: str | None = None,
    jit: bool = False,
) -> Callable:
    """Forward mode: the derivative of ``f`` along a direction (Jacobian-vector product).

    Args:
        f, wrt, optimize, verbose, backend, jit: as for ``grad``; ``f`` may
            return any shape; with ``jit``, Numba compiles the generated code.

    Returns:
        ``jvp_f(*args, *tangents)``, one tangent for each ``wrt`` argument (shaped
        like it): the directional derivative of ``f``'s output.

    Example:
        >>> import numpy as np, tangentlike as tl
        >>> def f(x):
        ...     return np.sin(x) * x
        >>> tl.jvp(f)(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
        array([0., 0.])
    """
    if f is None:
        return public(
            lambda g: jvp(
                g, wrt, optimize=optimize, verbose=verbose, backend=backend, jit=jit
            )
        )
    if not callable(f):
        raise ArgumentError(f"jvp expects a function, not {f!r}")
    options = {"optimize": optimize, "verbose": verbose, "backend": backend}
    options["jit"] = jit
    return _jvp(f, wrt, None, options)


def _jvp(f, wrt, owner, options: dict):
    """``jvp`` of ``f``, a method of an ``owner`` object where that is known."""
    if isinstance(f, Specialized):  # made for each class or function passed
        count = len(wrt) if isinstance(wrt, (tuple, list)) else 1
        return f.nested(lambda g: _jvp(g, wrt, None, options), (count, None))
    bound = for_bound(f, wrt, lambda g, w, owner=None: _jvp(g, w, owner, options))
    if bound is not None:
        return bound
    f = from_template(plain(f))
    positions, _ = normalize_wrt(f, wrt)
    optimize, verbose = options["optimize"], options["verbose"]
    keep = owner is None and not verbose and not options["jit"]
    module = kept(f, "forward", positions, optimize, "jvp") if keep else None
    if module is not None:  # kept on disk by an earlier process: no transform
        return Jvp(f, module, positions, options["backend"], options["jit"])

    def made_for(owners, bound) -> Jvp:
        owners, bound = tuple(sorted(owners.items())), tuple(sorted(bound.items()))
        module = None
        if keep and not owners and not bound:
            module = kept(f, "forward", positions, optimize, "jvp", make=True)
        if module is None:
            module = transform(
                f, "forward", positions, optimize, verbose, owners, bound
            )
        return Jvp(f, module, positions, options["backend"], options["jit"])

    return specialized(f, positions, owner, made_for, (len(positions), None))
