"""The public API: grad, value_and_grad, vjp, getsource."""

from __future__ import annotations

import functools
import inspect
import threading
import types
from collections.abc import Callable, Sequence
from typing import Any

from . import calling, front, pipeline, tracebacks
from . import template as tpl
from .errors import ArgumentError, TangentlikeError

_CACHE: dict = {}
_CACHE_LOCK = threading.Lock()
_KEY_LOCKS: dict = {}


def _params(func) -> list[str]:
    try:
        return list(calling.Signature.of(func).names)
    except (TypeError, ValueError) as exc:
        raise TangentlikeError(f"cannot read the signature of {func!r}") from exc


def normalize_wrt(func, wrt) -> tuple[tuple[int, ...], bool]:
    """``wrt`` as positions, and whether the caller asked for a tuple of results."""
    params = _params(func)
    many = isinstance(wrt, (tuple, list))
    items = list(wrt) if many else [wrt]
    positions = []
    for item in items:
        if isinstance(item, str):
            if item not in params:
                raise ArgumentError(
                    f"wrt={item!r} names no parameter of {func.__qualname__}; "
                    f"its parameters are {', '.join(params)}"
                )
            positions.append(params.index(item))
        elif isinstance(item, int) and not isinstance(item, bool):
            if not -len(params) <= item < len(params):
                raise ArgumentError(
                    f"wrt={item} is out of range: {func.__qualname__} has "
                    f"{len(params)} parameter(s): {', '.join(params)}"
                )
            positions.append(item % len(params))
        else:
            raise ArgumentError(f"wrt must be an int, a str or a tuple of them, not {item!r}")
    return tuple(positions), many


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
            builder = pipeline.forward if mode == "forward" else pipeline.reverse
            _CACHE[key] = builder(func, positions, optimize=optimize, verbose=verbose)
    return _CACHE[key]


class Derivative:
    """What stands behind a function made by tangentlike: the generated module, the
    checks and the entries its front (``front.make``) calls."""

    def __init__(self, func, module, positions, many, kind, backend):
        self.func = func
        self.module = module
        self.positions = positions
        self.many = many
        self.kind = kind
        self.backend = backend
        self.signature = calling.Signature.of(func)
        self.fast: dict = {}  # argument types -> entry(*args)
        self._by_types: dict[tuple[type, ...], Callable] = {}
        self._lock = threading.Lock()
        self._inlined = False
        extra = ("seed",) if kind == "vjp" else ()
        self.function = front.make(self, extra)

    def generated(self, values):
        """The compiled variant for these argument types (backend, float parameters)."""
        key = tuple(map(type, values))
        fn = self._by_types.get(key)
        if fn is None:
            backend = self.backend or calling.backend_of(values)
            floats = calling.float_parameters(self.signature, values)
            fn = self._by_types[key] = self.module.compiled(backend, floats)
        return fn

    def _sweep(self, args, kwargs, seed):
        self.module.watch().sync()
        values = self.signature.bind(args, kwargs)
        calling.check_differentiable(self.signature, values, self.positions)
        fn = self.generated(values)
        try:
            value, grads = fn(*values) if seed is None else fn(*values, seed)
        except Exception as exc:
            if seed is not None and isinstance(exc, ValueError):  # a seed that fits nothing?
                calling.check_output(self.func.__qualname__, self.func(*values), seed)
            tracebacks.annotate(exc)
            raise
        calling.check_output(self.func.__qualname__, value, seed)
        if len(self.positions) == 1:
            grad = calling.match(grads, values[self.positions[0]])
            return value, (grad,) if self.many else grad
        return value, tuple(calling.match(g, values[i]) for g, i in zip(grads, self.positions))

    def miss(self, key, args):
        """The first positional call with these argument types: find its entry, and
        have the front run the first variant itself."""
        entry, variant, shapes = front.entry(self, args)
        inlined = False
        with self._lock:
            self.fast[key] = entry
            if variant is not None and not self._inlined:
                types = key if type(key) is tuple else (key,)
                try:
                    inlined = front.inline(self, self.function, types, variant, shapes)
                except Exception:  # a speed-up only: the entry gives the same result
                    if calling.DEBUG:
                        raise
                self._inlined = inlined
        return self.function(*args) if inlined else entry(*args)

    def general(self, *args, **kwargs):
        """Any call: bind, check, run the variant for the types, check the result."""
        if self.kind == "grad":
            return self._sweep(args, kwargs, None)[1]
        if self.kind == "vjp":
            if "seed" in kwargs and "seed" not in self.signature.names:
                seed = kwargs.pop("seed")
            elif args:
                *args, seed = args
            else:
                raise ArgumentError(
                    f"vjp({self.func.__qualname__}) needs a seed after the arguments"
                )
            return self._sweep(args, kwargs, seed)[1]
        return self._sweep(args, kwargs, None)

    def call(self, args, kwargs):
        """A call through a front that takes ``*args, **kwargs``."""
        if kwargs:
            return self.general(*args, **kwargs)
        key = tuple(map(type, args))
        entry = self.fast.get(key)
        return entry(*args) if entry is not None else self.miss(key, args)

    def source(self, backend=None) -> str:
        return self.module.source(backend or "numpy")

    def variant_source(self, args: tuple) -> str:
        """The source of the variant a positional call with ``args`` runs."""
        if not calling.has_fast_path(self, args):
            return self.source(self.backend or calling.backend_of(args))
        floats, shapes = calling.variant_key(self, args)
        functions = self.module.variant_functions(floats, shapes, unit_seed=True)
        return self.module.source("numpy", functions)

    def plain(self):
        """A generated function with ``func``'s signature returning only the derivative,
        so that it can be differentiated again."""
        from .api_forward import make_plain

        if self.kind == "value_and_grad":
            raise TangentlikeError("value_and_grad returns a pair: differentiate grad instead")
        if getattr(self, "_plain", None) is None:
            self._plain = make_plain(self, ["seed"] if self.kind == "vjp" else [])
        return self._plain


def made_by(df) -> Derivative | None:
    """The derivative behind a function made by ``grad``, ``value_and_grad`` or ``vjp``."""
    found = getattr(df, "__tangentlike__", None)
    return found if isinstance(found, Derivative) else None


def for_bound(f, wrt, make):
    """For a ``functools.partial``, a bound method, or an object whose class defines
    ``__call__``: ``make`` applied to the function underneath, with ``wrt`` moved
    past the arguments bound to it (``self``, the partial's), bound to the same
    arguments (constants); None for anything else."""
    if isinstance(f, functools.partial):
        for w in wrt if isinstance(wrt, (tuple, list)) else (wrt,):
            if isinstance(w, str) and w in f.keywords:
                raise ArgumentError(
                    f"wrt={w!r} names an argument the partial binds, a constant; "
                    "differentiate the function itself, or leave it out of the partial"
                )
        made = make(f.func, shifted(wrt, len(f.args)))
        return functools.partial(made, *f.args, **f.keywords)
    f = as_routine(f)
    if not inspect.ismethod(f):
        return None
    return types.MethodType(make(f.__func__, shifted(wrt, 1)), f.__self__)


def as_routine(f):
    """An object of a class defining ``__call__`` as its bound ``__call__`` method
    (the object is then a constant); anything else as it is."""
    call = getattr(type(f), "__call__", None)  # noqa: B004 (the method, not a callable test)
    if inspect.isfunction(call) and not hasattr(f, "tangentlike_source"):  # not a Jvp
        return f.__call__
    return f


def shifted(wrt, by: int):
    """``wrt`` of a function called with ``by`` positional arguments bound before
    the caller's: positions moved past them (names and negative positions kept)."""
    if isinstance(wrt, (tuple, list)):
        return tuple(shifted(w, by) for w in wrt)
    return wrt + by if isinstance(wrt, int) and not isinstance(wrt, bool) and wrt >= 0 else wrt


def _make(kind, f, wrt, optimize, verbose, backend):
    if f is None:
        return lambda g: _make(kind, g, wrt, optimize, verbose, backend)
    if not callable(f):
        raise ArgumentError(f"{kind} expects a function, not {f!r}")
    bound = for_bound(f, wrt, lambda g, w: _make(kind, g, w, optimize, verbose, backend))
    if bound is not None:
        return bound
    from .api_forward import plain

    f = plain(f)
    positions, many = normalize_wrt(f, wrt)
    module = transform(f, "reverse", positions, optimize, verbose)
    return Derivative(f, module, positions, many, kind, backend).function


def grad(f: Callable | None = None, wrt: Any = 0, *, optimize: bool = True, verbose: int = 0,
         backend: str | None = None) -> Callable:  # fmt: skip
    """The gradient of scalar-valued ``f`` with respect to argument(s) ``wrt``."""
    return _make("grad", f, wrt, optimize, verbose, backend)


def value_and_grad(f: Callable | None = None, wrt: Any = 0, *, optimize: bool = True,
                   verbose: int = 0, backend: str | None = None) -> Callable:  # fmt: skip
    """Like grad, returning ``(value, gradient)`` from one forward and reverse sweep."""
    return _make("value_and_grad", f, wrt, optimize, verbose, backend)


def vjp(f: Callable | None = None, wrt: Any = 0, *, optimize: bool = True, verbose: int = 0,
        backend: str | None = None) -> Callable:  # fmt: skip
    """``vjp(f)(*args, seed)``: the gradient of ``sum(seed * f(*args))``."""
    return _make("vjp", f, wrt, optimize, verbose, backend)


def getsource(df: Callable, backend: str | None = None, *, args: Sequence | None = None) -> str:
    """The generated source of a function made by tangentlike; with ``args`` (a
    gradient's positional arguments), the variant compiled for their types and
    shapes, which is the code a call with such arguments runs."""
    while isinstance(df, functools.partial):
        args = None if args is None else (*df.args, *args)
        df = df.func
    made = made_by(df)
    if made is not None:
        return made.source(backend) if args is None else made.variant_source(tuple(args))
    source_of = getattr(df, "tangentlike_source", None)
    if source_of is None:
        raise ArgumentError(f"{df!r} was not made by tangentlike")
    return source_of(backend)
