"""What stands behind a function made by ``jvp``: the generated module, and the
checks of its arguments and tangents.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import debug
from ..codegen.jit import source as numba_source
from ..errors import ArgumentError
from . import arguments as calling
from . import probe, tracebacks
from .closure import closure_data, own_compiled
from .derivative import check_methods, methods_called
from .plain import make_plain


class Jvp:
    """``jvp(f)``: ``(*args, *tangents)`` -> the directional derivative of ``f``."""

    def __init__(self, func, module, positions, backend, jit=False):
        self.func = func
        self.jit = jit
        self.jitted: dict = {}  # the code asked of Numba, by its key
        self.module = module
        self.positions = positions
        self.backend = backend
        self.signature = calling.Signature.of(func)
        self._plain = None
        self.cells = closure_data(module, func)  # the closure's own, when shared
        self.own: dict = {}
        self.methods = methods_called(module)
        for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(self, attr, getattr(func, attr, None))

    @property
    def __tangentlike__(self):
        """What stands behind a function made by jvp (``made.MARK``): itself."""
        return self

    @property
    def __wrapped__(self):
        """The generated function, so ``inspect.getsource`` shows generated code."""
        return self.compiled(self.backend or "numpy")

    def __call__(self, *args, **kwargs):
        k = len(self.positions)
        if len(args) < k:
            raise self._usage(len(args))
        primals, tangents = args[: len(args) - k], args[len(args) - k :]
        self.module.watch().sync()
        try:
            values = self.signature.bind(primals, kwargs)
        except TypeError as exc:
            raise self._usage(len(args), exc) from None
        calling.check_differentiable(self.signature, values, self.positions)
        check_methods(self, values)
        calling.check_tangents(self.signature, values, self.positions, tangents)
        fn = self.compiled(self.backend or calling.backend_of(values))
        if self.jit and (self.backend or calling.backend_of(values)) == "numpy":
            fn = self.jitted[()] = self.module.jitted(fn, cells=tuple(self.cells))
        try:
            out = fn(*values, *tangents)[1]
        except Exception as exc:
            tracebacks.annotate(exc)
            raise
        if debug.enabled():
            probe.check_tangent(self.func, values, self.positions, tangents, out)
        return out

    def compiled(self, *args):
        """``module.compiled(*args)``, run with this function's own closure data."""
        return own_compiled(self, *args)

    def _usage(self, given: int, exc=None) -> ArgumentError:
        names = ", ".join(self.signature.names[i] for i in self.positions)
        why = f" ({exc})" if exc else ""
        return ArgumentError(
            f"jvp({self.signature.qualname}) takes the arguments, then one tangent for each "
            f"of {names}: {given} positional value(s) given{why}"
        )

    def plain(self) -> Callable:
        if self._plain is None:
            extra = [
                self.module.namer.tangent(self.signature.names[i])
                for i in self.positions
            ]
            self._plain = make_plain(self, extra)
        return self._plain

    def _repr_markdown_(self) -> str:
        """The generated source as a Markdown code block: what a notebook shows."""
        return f"```python\n{self.tangentlike_source()}```"

    def tangentlike_source(self, backend=None, jit=False, **options) -> str:
        """The generated source (``Module.source``'s ``options``); with ``jit``,
        as Numba compiles it."""
        if jit:
            return numba_source(self.module, self.module.functions, (), **options)
        return self.module.source(backend or "numpy", **options)
