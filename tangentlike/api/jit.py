"""What Numba made of a derivative asked for with ``jit=True``: explain_jit."""

from __future__ import annotations

import functools
from collections.abc import Callable

from ..errors import ArgumentError
from ..made import made_by


def explain_jit(df: Callable) -> str:
    """Whether Numba compiled each variant ``df`` has run, and if not, why.

    Numba compiles a variant at its first call; where it cannot (a construct or
    helper it does not know), the NumPy code runs, and this says which line of
    the decorated module (``tangentlike dump --jit``) stopped it.

    Args:
        df: a function made by ``grad``, ``value_and_grad``, ``vjp`` or ``jvp``
            with ``jit=True`` (or a ``functools.partial`` of one).

    Returns:
        One line for each variant called so far (``... compiled by Numba`` or
        ``... runs as NumPy code: ...`` with the line and Numba's reason).

    Example:
        >>> import tangentlike as tl
        >>> df = tl.grad(lambda x: x * x)
        >>> tl.explain_jit(df)
        '<lambda> was made without jit=True: it runs as NumPy code'
    """
    while isinstance(df, functools.partial):
        df = df.func
    made = made_by(df)
    if made is None:
        raise ArgumentError(f"{df!r} was not made by tangentlike")
    name = made.func.__qualname__
    if not getattr(made, "jit", False):
        return f"{name} was made without jit=True: it runs as NumPy code"
    if not made.jitted:
        return f"{name} has not been called yet: Numba compiles each variant at its first call"
    return "\n".join(j.explanation for j in made.jitted.values())
