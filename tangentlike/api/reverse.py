"""Reverse mode, the public functions: grad, value_and_grad, vjp, and getsource."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ..call.arguments import Signature
from ..call.derivative import Derivative
from ..errors import ArgumentError, public
from ..made import made_by, plain
from .arguments import for_bound, from_template, normalize_wrt, split_paths
from .cache import kept, transform


def derivative_of(df) -> Derivative | None:
    """The derivative behind a function made by ``grad``, ``value_and_grad`` or ``vjp``."""
    found = made_by(df)
    return found if isinstance(found, Derivative) else None


@public
def _make(kind, f, wrt, optimize, verbose, backend, jit, owner=None):
    if f is None:
        return public(lambda g: _make(kind, g, wrt, optimize, verbose, backend, jit))
    if not callable(f):
        raise ArgumentError(f"{kind} expects a function, not {f!r}")
    after = (1, "seed") if kind == "vjp" else (0, None)  # what follows f's arguments
    if _specialized(f):  # made for each class or function passed
        return f.nested(
            lambda g: _make(kind, g, wrt, optimize, verbose, backend, jit), after
        )
    bound = for_bound(
        f,
        wrt,
        lambda g, w, owner=None: _make(
            kind, g, w, optimize, verbose, backend, jit, owner
        ),
    )
    if bound is not None:
        return bound
    f = from_template(plain(f))
    wrt, pick = split_paths(wrt)
    if pick is not None and kind == "vjp":
        raise ArgumentError("vjp takes parameters in wrt, not their attributes")
    positions, many = normalize_wrt(f, wrt)
    keep = owner is None and pick is None and not verbose and not jit
    variety = "vjp" if kind == "vjp" else "grad"  # a vjp's f may return a tuple
    module = kept(f, "reverse", positions, optimize, variety) if keep else None
    if module is not None:  # kept on disk by an earlier process: no transform
        return Derivative(f, module, positions, many, kind, backend, jit).function

    def made_for(owners, bound) -> Callable:
        owners, bound = tuple(sorted(owners.items())), tuple(sorted(bound.items()))
        module = None
        if keep and not owners and not bound:
            module = kept(f, "reverse", positions, optimize, variety, make=True)
        if module is None:
            module = transform(
                f, "reverse", positions, optimize, verbose, owners, bound
            )
        if kind != "vjp":
            _one_scalar(kind, f, module.infos[0])
        return Derivative(f, module, positions, many, kind, backend, jit).function

    from .specialize import specialized

    made = specialized(f, positions, owner, made_for, after)
    return made if pick is None else _picking(made, f, kind, pick)


def _specialized(f) -> bool:
    """``f`` is a ``Specialized`` (``api/specialize.py``), which only a process that
    imported that module can hold (a process loading kept code may not; another
    thread may be importing it)."""
    kind = getattr(sys.modules.get(f"{__package__}.specialize"), "Specialized", None)
    return kind is not None and isinstance(f, kind)


def _picking(df, f, kind: str, pick) -> Callable:
    """``df``, giving the gradients of the attributes ``wrt`` named
    (``wrt="self.W"``) out of their objects' gradients."""
    signature = Signature.of(f)

    def picked(*args, **kwargs):
        out = df(*args, **kwargs)
        values = dict(zip(signature.names, signature.bind(args, kwargs)))
        if kind == "value_and_grad":
            return out[0], pick(out[1], values)
        return pick(out, values)

    picked.__name__, picked.__qualname__ = df.__name__, df.__qualname__
    picked.__doc__ = df.__doc__
    return picked


def _one_scalar(kind: str, f, info) -> None:
    """``grad`` of a function returning ``a, b``: refused where it is written."""
    if info.returns_many is None:
        return
    raise ArgumentError(
        f"{kind} needs {f.__qualname__} to return one scalar, but it returns a "
        f"{type(info.returns_many.value).__name__.lower()}",
        info.source.location(info.returns_many),
        "return only the scalar to differentiate (tangentlike.value_and_grad gives "
        "its value with the gradient), or use tangentlike.vjp(f)(*args, seed) with "
        "a seed for each item",
    )


@public
def grad(
    f: Callable | None = None,
    wrt: Any = 0,
    *,
    optimize: bool = True,
    verbose: int = 0,
    backend: str | None = None,
    jit: bool = False,
) -> Callable:
    """The gradient of scalar-valued ``f``, as a function with ``f``'s parameters.

    The derivative is generated as Python source once (``getsource`` shows it),
    then called like ``f``; it can be differentiated again.

    Args:
        f: the function: plain, a bound method, a ``functools.partial`` or a
            function made by tangentlike.  Left out (``@grad(wrt=...)``), a
            decorator.
        wrt: what to differentiate with respect to: a parameter's position or
            name, or a tuple of them.
        optimize: optimize the generated code (exact rewrites only).
        verbose: 1 prints the generated code, 2 the code after each stage.
        backend: ``"numpy"``, ``"cupy"`` or ``"dask"``; None picks by the
            arguments' types at each call.
        jit: compile the variant each call with positional NumPy arguments
            runs with Numba (``pip install "tangentlike[jit]"``), its machine
            code cached on disk; where Numba cannot, the NumPy code runs and
            ``explain_jit`` says which line stopped it.

    Returns:
        ``df(*args)``: the gradient, shaped and typed like its argument (for a
        tuple ``wrt``, a tuple of them).

    Example:
        >>> import numpy as np, tangentlike as tl
        >>> def f(x):
        ...     return np.sum(x * x)
        >>> tl.grad(f)(np.array([1.0, 2.0]))
        array([2., 4.])
    """
    return _make("grad", f, wrt, optimize, verbose, backend, jit)


@public
def value_and_grad(
    f: Callable | None = None,
    wrt: Any = 0,
    *,
    optimize: bool = True,
    verbose: int = 0,
    backend: str | None = None,
    jit: bool = False,
) -> Callable:
    """Like ``grad``, with the value of ``f`` from the same sweep.

    Args:
        f, wrt, optimize, verbose, backend, jit: as for ``grad``.

    Returns:
        ``df(*args)``: ``(f(*args), gradient)``, one forward and one reverse sweep.

    Example:
        >>> import numpy as np, tangentlike as tl
        >>> def f(x):
        ...     return np.sum(x * x)
        >>> value, g = tl.value_and_grad(f)(np.array([1.0, 2.0]))
        >>> float(value), g
        (5.0, array([2., 4.]))
    """
    return _make("value_and_grad", f, wrt, optimize, verbose, backend, jit)


@public
def vjp(
    f: Callable | None = None,
    wrt: Any = 0,
    *,
    optimize: bool = True,
    verbose: int = 0,
    backend: str | None = None,
    jit: bool = False,
) -> Callable:
    """The vector-Jacobian product of ``f``, for any output shape.

    Args:
        f, wrt, optimize, verbose, backend, jit: as for ``grad``.

    Returns:
        ``vjp_f(*args, seed)``: the gradient of ``sum(seed * f(*args))`` (``seed``
        shaped like ``f``'s output), shaped like the ``wrt`` argument.

    Example:
        >>> import numpy as np, tangentlike as tl
        >>> def f(x):
        ...     return x * x
        >>> tl.vjp(f)(np.array([1.0, 2.0]), np.array([1.0, 10.0]))
        array([ 2., 40.])
    """
    return _make("vjp", f, wrt, optimize, verbose, backend, jit)


@public
def getsource(
    df: Callable,
    backend: str | None = None,
    *,
    args: Sequence | None = None,
    standalone: bool = False,
    comments: bool = True,
    jit: bool = False,
) -> str:
    """The generated source of a function made by tangentlike.

    Args:
        df: a function made by ``grad``, ``value_and_grad``, ``vjp`` or ``jvp``
            (or a ``functools.partial`` of one).
        backend: ``"numpy"`` (default), ``"cupy"`` or ``"dask"``: the array library
            the printed code calls.
        args: a gradient's positional arguments (arrays of the shapes and dtypes
            it will get, floats): the source of the variant compiled for their
            types and shapes, which is the code a call with such arguments runs.
        standalone: print the runtime helpers the code calls into it, as plain
            NumPy functions, so that it imports nothing of tangentlike.
        comments: quote the user's line above each block of the derivative
            code (``# line 7: p = 1.0 / (1.0 + np.exp(-z))``).
        jit: the module Numba compiles for ``jit=True`` (NumPy code only): the
            code made ready for Numba, each function under
            ``@numba.njit(cache=True)``.

    Returns:
        The source of a module: its imports, then the generated functions.

    Example:
        >>> import tangentlike as tl
        >>> print(tl.getsource(tl.grad(lambda x: x * x)))  # doctest: +ELLIPSIS
        import numpy as np
        ...
    """
    while isinstance(df, functools.partial):
        args = None if args is None else (*df.args, *args)
        df = df.func
    options = {"standalone": standalone, "comments": comments, "jit": jit}
    if _specialized(df):  # one derivative for each of what it is given
        if args is not None:
            return getsource(
                df.get(df.key(tuple(args), {})), backend, args=args, **options
            )
        if not df.made:
            raise ArgumentError(
                f"the derivative of {df.__qualname__} is made for the classes, "
                "functions or modules its arguments hold: call it once, or pass "
                "args=(...) to getsource"
            )
    made = derivative_of(df)
    if made is not None:
        if args is None:
            return made.source(backend, **options)
        return made.variant_source(tuple(args), **options)
    source_of = getattr(made_by(df) or df, "tangentlike_source", None)  # a jvp's
    if source_of is None:
        raise ArgumentError(f"{df!r} was not made by tangentlike")
    return source_of(backend, **options)
