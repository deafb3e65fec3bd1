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
    """Compile ``def main_only(params, extra): return main(params, extra)[1]`` (a
    one-tuple of it for a gradient asked for with a one-element tuple ``wrt``)."""
    main = derivative.module.compiled("numpy")
    params = api._params(derivative.func) + extra
    name = f"{main.__name__}_only"
    args = ", ".join(params)
    one_tuple = getattr(derivative, "many", False) and len(derivative.positions) == 1
    part = "(_pair[1],)" if one_tuple else "_pair[1]"
    source = f"def {name}({args}):\n    _pair = {main.__name__}({args})\n    return {part}\n"
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
            raise self._usage(len(args))
        primals, tangents = args[: len(args) - k], args[len(args) - k :]
        self.module.watch().sync()
        try:
            values = self.signature.bind(primals, kwargs)
        except TypeError as exc:
            raise self._usage(len(args), exc) from None
        calling.check_differentiable(self.signature, values, self.positions)
        calling.check_tangents(self.signature, values, self.positions, tangents)
        fn = self.module.compiled(self.backend or calling.backend_of(values))
        try:
            return fn(*values, *tangents)[1]
        except Exception as exc:
            tracebacks.annotate(exc)
            raise

    def _usage(self, given: int, exc=None) -> ArgumentError:
        names = ", ".join(self.signature.names[i] for i in self.positions)
        why = f" ({exc})" if exc else ""
        return ArgumentError(
            f"jvp({self.signature.qualname}) takes the arguments, then one tangent for each "
            f"of {names}: {given} positional value(s) given{why}"
        )

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


def _positions(f, wrt) -> tuple[list[int], bool]:
    """The positions ``wrt`` names, and whether it is a tuple (one result each)."""
    positions, many = api.normalize_wrt(plain(f), wrt)
    return list(positions), many


def _basis(x):
    x = numpy.asarray(x, dtype=float)
    for k in range(x.size):
        e = numpy.zeros(x.size)
        e[k] = 1.0
        yield e.reshape(x.shape) if x.ndim else float(e[0])


def _zero(x):
    return numpy.zeros(numpy.shape(x)) if numpy.ndim(x) else 0.0


def jacobian(f: Callable, wrt: Any = 0) -> Callable:
    """Dense Jacobian, shaped ``out.shape + x.shape``; for a tuple ``wrt``, a tuple
    of them, one per argument.

    Forward mode (one jvp per input element) when the input has fewer elements
    than the output, reverse mode (one vjp per output element) otherwise.
    """
    positions, many = _positions(f, wrt)

    def one(i, args, out):
        x = args[i]
        if numpy.size(x) < out.size:
            cols = [numpy.asarray(jvp(f, wrt=i)(*args, e)) for e in _basis(x)]
            return numpy.moveaxis(numpy.array(cols), 0, -1).reshape(out.shape + numpy.shape(x))
        rows = [numpy.asarray(api.vjp(f, wrt=i)(*args, e)) for e in _basis(out)]
        return numpy.array(rows).reshape(out.shape + numpy.shape(x))

    def jac(*args):
        out = numpy.asarray(f(*args))
        found = tuple(one(i, args, out) for i in positions)
        return found if many else found[0]

    return jac


def _forward_over_reverse(f, wrt):
    """``(positions, many, product)``: ``product(*args, *vs)`` is the Hessian of
    ``f`` in the ``wrt`` arguments times ``vs`` (a tuple of block rows if ``many``),
    unchecked and in the gradient's dtype."""
    positions, many = _positions(f, wrt)
    w = tuple(positions) if many else positions[0]
    return positions, many, jvp(api.grad(f, wrt=w), wrt=w)


def _scalar(f, args) -> None:
    """A Hessian needs a scalar output: what grad checks, which its plain form, used
    here, does not (it would give the Hessian of the outputs' sum)."""
    calling.check_output(getattr(f, "__qualname__", repr(f)), f(*args), None)


def hvp(f: Callable, wrt: Any = 0) -> Callable:
    """``hvp(f)(*args, v)``: the Hessian of scalar ``f`` times ``v`` (forward over
    reverse); for a tuple ``wrt``, ``hvp(f, wrt)(*args, *vs)`` gives a tuple, the
    Hessian's block row of each argument times the ``vs``."""
    positions, many, product = _forward_over_reverse(f, wrt)

    def hvp_f(*args):
        primals = args[: len(args) - len(positions)]
        _scalar(f, primals)
        found = product(*args) if many else (product(*args),)
        rows = tuple(calling.match(h, primals[i]) for h, i in zip(found, positions))
        return rows if many else rows[0]

    return hvp_f


def hessian(f: Callable, wrt: Any = 0) -> Callable:
    """Dense Hessian of scalar ``f``, shaped ``x.shape + x.shape``: one hvp per
    element.  For a tuple ``wrt``, nested tuples: ``H[a][b]`` is shaped
    ``x_a.shape + x_b.shape``, in the dtype of ``x_a`` and ``x_b``."""
    positions, many, product = _forward_over_reverse(f, wrt)

    def block_column(args, b):
        """``[H[a][b] for each a]``: one hvp per element of argument ``b``."""
        x = args[positions[b]]
        zeros = [_zero(args[i]) for i in positions]
        cols = []
        for e in _basis(x):
            tangents = [e if k == b else z for k, z in enumerate(zeros)]
            found = product(*args, *tangents)
            cols.append(found if many else (found,))
        blocks = []
        for a, i in enumerate(positions):
            col = numpy.moveaxis(numpy.array([numpy.asarray(c[a]) for c in cols]), 0, -1)
            block = col.reshape(numpy.shape(args[i]) + numpy.shape(x))
            blocks.append(_dtype_of(block, args[i], x))
        return blocks

    def hess(*args):
        _scalar(f, args)
        columns = [block_column(args, b) for b in range(len(positions))]
        if not many:
            return columns[0][0]
        n = len(positions)
        return tuple(tuple(columns[b][a] for b in range(n)) for a in range(n))

    return hess


def _dtype_of(block, x, y):
    """A Hessian block in the dtype of its arguments (float32 in, float32 out)."""
    dtype = numpy.result_type(*(getattr(v, "dtype", numpy.float64) for v in (x, y)))
    return block.astype(dtype, copy=False) if dtype.kind == "f" else block


__all__ = ["Jvp", "TangentlikeError", "hessian", "hvp", "jacobian", "jvp", "plain"]
