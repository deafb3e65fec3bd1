"""What stands behind a function made by ``grad``, ``value_and_grad`` or ``vjp``:
the generated module, the checks, and the entries its front calls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from .. import debug
from ..codegen.jit import source as numba_source
from ..errors import ArgumentError, TangentlikeError, public
from ..frontend import methods
from . import arguments as calling
from . import front, probe, tracebacks
from .closure import closure_data, own_compiled
from .plain import make_plain


def methods_called(module) -> tuple:
    """The ``self.m(...)`` calls of the user's function made direct."""
    return module.infos[0].methods


def check_methods(d, values) -> None:
    """The objects a derivative is called with have the methods it was made for
    (not others set on the object itself)."""
    if d.methods:
        named = dict(zip(d.signature.names, values))
        methods.check(d.methods, named, d.func.__qualname__)


class Derivative:
    """What stands behind a function made by tangentlike: the generated module, the
    checks and the entries its front (``front.make``) calls."""

    def __init__(self, func, module, positions, many, kind, backend, jit=False):
        self.func = func
        self.jit = jit
        self.jitted: dict = {}  # the variants asked of Numba, by their key
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
        self.cells = closure_data(module, func)  # the closure's own, when shared
        self.own: dict = {}
        self.methods = methods_called(module)
        extra = ("seed",) if kind == "vjp" else ()
        self.function = front.make(self, extra)

    def generated(self, values):
        """The compiled variant for these argument types (backend, float parameters)."""
        key = tuple(map(type, values))
        fn = self._by_types.get(key)
        if fn is None:
            check_methods(self, values)
            backend = self.backend or calling.backend_of(values)
            floats = calling.float_parameters(self.signature, values)
            fn = self._by_types[key] = self.compiled(backend, floats)
        return fn

    def compiled(self, *args):
        """``module.compiled(*args)``, run with this function's own closure data;
        a variant (argument types given) compiled by Numba too with ``jit``."""
        fn = own_compiled(self, *args)
        if not self.jit or len(args) < 2 or args[0] != "numpy":
            return fn
        found = self.module.jitted(fn, *args[1:], cells=tuple(self.cells))
        self.jitted[args[1:]] = found
        return found

    def _sweep(self, args, kwargs, seed):
        self.module.watch().sync()
        values = self.signature.bind(args, kwargs)
        calling.check_differentiable(self.signature, values, self.positions)
        fn = self.generated(values)
        try:
            value, grads = fn(*values) if seed is None else fn(*values, seed)
        except Exception as exc:
            self.failed(exc, values, seed)
            raise
        calling.check_output(self.func.__qualname__, value, seed)
        if debug.enabled():
            found = (grads,) if len(self.positions) == 1 else grads
            probe.check_gradients(self.func, values, self.positions, found, seed)
        if len(self.positions) == 1:
            grad = calling.match(grads, values[self.positions[0]])
            return value, (grad,) if self.many else grad
        return value, tuple(
            calling.match(g, values[i]) for g, i in zip(grads, self.positions)
        )

    def failed(self, exc, values, seed=None) -> None:
        """Generated code raised ``exc``: where the output does not fit the seed (a
        tuple returned to ``grad``, a seed of another shape), say so; else note the
        generated line and the user's."""
        tracebacks.annotate(exc)
        if not isinstance(exc, (ValueError, TypeError)):
            return
        try:
            value = self.func(*values)
        except Exception:  # the function itself fails: its error is the one
            return
        calling.check_output(self.func.__qualname__, value, seed)

    @public
    def miss(self, key, args):
        """The first positional call with these argument types: find its entry, and
        have the front run the first variant itself (a vjp's ``args`` end with
        its seed: its general path checks the objects' methods)."""
        if self.kind != "vjp":  # defaults too: an object left to its default
            check_methods(self, self.signature.bind(args, {}))
        entry, variant, shapes = front.entry(self, args)
        inlined = False
        with self._lock:
            self.fast[key] = entry
            if variant is not None and not self._inlined and not self.jit:
                types = key if type(key) is tuple else (key,)
                try:
                    inlined = front.inline(self, self.function, types, variant, shapes)
                except Exception:  # a speed-up only: the entry gives the same result
                    if debug.enabled():
                        raise
                self._inlined = inlined
        return self.function(*args) if inlined else entry(*args)

    @public
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
                raise self._no_seed()
            self._check_seed(args, kwargs, seed)
            return self._sweep(args, kwargs, seed)[1]
        return self._sweep(args, kwargs, None)

    def _check_seed(self, args, kwargs, seed) -> None:
        """Arguments one short, the seed taken for the last of them: say so."""
        try:
            self.signature.signature.bind(*args, **kwargs)
        except TypeError:
            self.signature.signature.bind(*args, seed, **kwargs)  # too many: as is
            raise self._no_seed() from None

    def _no_seed(self) -> ArgumentError:
        params = ", ".join(self.signature.names)
        name = self.func.__qualname__
        return ArgumentError(
            f"vjp({name}) is called as vjp({name})({params}, seed): the seed, shaped "
            f"like {name}'s output, is missing after the arguments"
        )

    def call(self, args, kwargs):
        """A call through a front that takes ``*args, **kwargs``."""
        if kwargs:
            return self.general(*args, **kwargs)
        key = tuple(map(type, args))
        entry = self.fast.get(key)
        return entry(*args) if entry is not None else self.miss(key, args)

    def source(self, backend=None, jit=False, **options) -> str:
        """The generated source (``Module.source``'s ``options``); with ``jit``,
        as Numba compiles it."""
        if jit:
            return numba_source(self.module, self.module.functions, (), **options)
        return self.module.source(backend or "numpy", **options)

    def markdown(self) -> str:
        """The generated source as a Markdown code block: what a notebook shows."""
        return f"```python\n{self.source()}```"

    def variant_source(self, args: tuple, jit=False, **options) -> str:
        """The source of the variant a positional call with ``args`` runs (with
        ``jit``, as Numba compiles it)."""
        if not calling.has_fast_path(self, args):
            backend = self.backend or calling.backend_of(args)
            return self.source(backend, jit, **options)
        floats, shapes = calling.variant_key(self, args)
        functions = self.module.variant_functions(floats, shapes, unit_seed=True)
        if jit:
            return numba_source(self.module, functions, floats, **options)
        return self.module.source("numpy", functions, **options)

    def plain(self):
        """A generated function with ``func``'s signature returning only the derivative,
        so that it can be differentiated again."""
        if self.kind == "value_and_grad":
            raise TangentlikeError(
                "value_and_grad returns a pair: differentiate grad instead"
            )
        if getattr(self, "_plain", None) is None:
            self._plain = make_plain(self, ["seed"] if self.kind == "vjp" else [])
        return self._plain
