"""Forward mode and dense derivatives: jvp, jacobian, hessian, hvp.

Higher derivatives nest: ``grad`` and ``jvp`` accept functions made by
tangentlike, which hand over a plain generated function (``plain()``) with the
user's signature, itself transformable because its source is in linecache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

from . import api, calling, tracebacks
from . import compile as compiler
from .errors import ArgumentError, TangentlikeError


def plain(f: Callable) -> Callable:
    """``f`` itself, or for a function made by tangentlike, a generated equivalent."""
    made = api.made_by(f) or (f if isinstance(f, Jvp) else None)
    return f if made is None else made.plain()


def make_plain(derivative, extra: list[str]) -> Callable:
    """Compile ``def main_only(params, extra): return main(params, extra)[1]``."""
    main = derivative.module.compiled("numpy")
    params = api._params(derivative.func) + extra
    name = f"{main.__name__}_only"
    args = ", ".join(params)
    source = f"def {name}({args}):\n    _pair = {main.__name__}({args})\n    return _pair[1]\n"
    namespace = {main.__name__: main, "__name__": derivative.func.__module__}
    fn = compiler.load(source, namespace, f"{derivative.func.__module__}.{name}")[name]
    if not extra:
        fn.__defaults__ = getattr(derivative.func, "__defaults__", None)
    return fn


class Jvp:
    """``jvp(f)``: ``(*args, *tangents)`` -> the directional derivative of ``f``."""

    def __init__(self, func, module, positions, backend):
        self.func = func
        self.module = module
        self.positions = positions
        self.backend = backend
        self.signature = calling.Signature.of(func)
        self._plain = None
        for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(self, attr, getattr(func, attr, None))

    @property
    def __wrapped__(self):
        """The generated function, so ``inspect.getsource`` shows generated code."""
        return self.module.compiled(self.backend or "numpy")

    def __call__(self, *args, **kwargs):
        k = len(self.positions)
        if len(args) < k:
            raise ArgumentError(f"jvp needs one tangent per wrt entry ({k}) after the arguments")
        primals, tangents = args[: len(args) - k], args[len(args) - k :]
        values = self.signature.bind(primals, kwargs)
        calling.check_differentiable(self.signature, values, self.positions)
        calling.check_tangents(self.signature, values, self.positions, tangents)
        fn = self.module.compiled(self.backend or calling.backend_of(values))
        try:
            return fn(*values, *tangents)[1]
        except Exception as exc:
            tracebacks.annotate(exc)
            raise

    def plain(self) -> Callable:
        if self._plain is None:
            extra = [self.module.namer.tangent(self.signature.names[i]) for i in self.positions]
            self._plain = make_plain(self, extra)
        return self._plain

    def tangentlike_source(self, backend=None) -> str:
        return self.module.source(backend or "numpy")


def jvp(f: Callable | None = None, wrt: Any = 0, *, optimize: bool = True, verbose: int = 0,
        backend: str | None = None) -> Callable:  # fmt: skip
    """Forward mode: ``jvp(f)(*args, *tangents)`` is the derivative of ``f`` along them."""
    if f is None:
        return lambda g: jvp(g, wrt, optimize=optimize, verbose=verbose, backend=backend)
    if not callable(f):
        raise ArgumentError(f"jvp expects a function, not {f!r}")
    options = {"optimize": optimize, "verbose": verbose, "backend": backend}
    bound = api.for_bound(f, wrt, lambda g, w: jvp(g, w, **options))
    if bound is not None:
        return bound
    f = plain(f)
    positions, _ = api.normalize_wrt(f, wrt)
    module = api.transform(f, "forward", positions, optimize, verbose)
    return Jvp(f, module, positions, backend)


def _one_position(f, wrt) -> int:
    if isinstance(wrt, (tuple, list)):
        raise ArgumentError("jacobian, hessian and hvp take one wrt argument, not a tuple")
    return api.normalize_wrt(plain(f), wrt)[0][0]


def _basis(x):
    x = numpy.asarray(x, dtype=float)
    for k in range(x.size):
        e = numpy.zeros(x.size)
        e[k] = 1.0
        yield e.reshape(x.shape) if x.ndim else float(e[0])


def jacobian(f: Callable, wrt: Any = 0) -> Callable:
    """Dense Jacobian, shaped ``out.shape + x.shape``.

    Forward mode (one jvp per input element) when the input has fewer elements
    than the output, reverse mode (one vjp per output element) otherwise.
    """
    i = _one_position(f, wrt)

    def jac(*args):
        x, out = args[i], numpy.asarray(f(*args))
        if numpy.size(x) < out.size:
            cols = [numpy.asarray(jvp(f, wrt=i)(*args, e)) for e in _basis(x)]
            return numpy.moveaxis(numpy.array(cols), 0, -1).reshape(out.shape + numpy.shape(x))
        rows = [numpy.asarray(api.vjp(f, wrt=i)(*args, e)) for e in _basis(out)]
        return numpy.array(rows).reshape(out.shape + numpy.shape(x))

    return jac


def hvp(f: Callable, wrt: Any = 0) -> Callable:
    """``hvp(f)(*args, v)``: the Hessian of scalar ``f`` times ``v`` (forward over reverse)."""
    i = _one_position(f, wrt)
    return jvp(api.grad(f, wrt=i), wrt=i)


def hessian(f: Callable, wrt: Any = 0) -> Callable:
    """Dense Hessian of scalar ``f``, shaped ``x.shape + x.shape``: one hvp per element."""
    i = _one_position(f, wrt)
    product = hvp(f, wrt=i)

    def hess(*args):
        x = args[i]
        cols = [numpy.asarray(product(*args, e)) for e in _basis(x)]
        return numpy.moveaxis(numpy.array(cols), 0, -1).reshape(numpy.shape(x) * 2)

    return hess


__all__ = ["Jvp", "TangentlikeError", "hessian", "hvp", "jacobian", "jvp", "plain"]
