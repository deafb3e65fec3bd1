"""Functions made by tangentlike, as the stages below the API see them.

A function returned by ``grad``, ``vjp``, ``jvp`` and their kin carries what
stands behind it under ``__tangentlike__``.  Where differentiated code calls one
(``grad(grad(f))``), the transforms read the plain generated function it hands
over instead, whose source is in linecache and so can be transformed again.
"""

from __future__ import annotations

from collections.abc import Callable

MARK = "__tangentlike__"


def made_by(f):
    """What stands behind ``f`` if tangentlike made it, else None."""
    return getattr(f, MARK, None)


def plain(f: Callable) -> Callable:
    """``f`` itself, or for a function made by tangentlike, a generated equivalent
    with the same parameters that returns only the derivative."""
    made = made_by(f)
    return f if made is None else made.plain()
