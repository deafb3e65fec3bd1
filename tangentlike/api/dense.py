"""Dense derivatives: Jacobians, Hessians and Hessian-vector products, built from
jvp and vjp.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy

from ..call import arguments as calling
from ..call.arguments import Signature
from ..errors import ArgumentError, public
from ..made import plain
from ..runtime.containers import is_record
from .arguments import from_template, normalize_wrt
from .forward import jvp
from .reverse import grad, vjp


def _positions(f, wrt) -> tuple[list[int], bool]:
    """The positions ``wrt`` names, and whether it is a tuple (one result each)."""
    positions, many = normalize_wrt(from_template(plain(f)), wrt)
    return list(positions), many


class _Call:
    """A call's arguments bound to ``f``'s parameters, defaults filled in:
    ``values[i]`` is the value of parameter ``i``, passed or not, so that a
    ``wrt`` naming a defaulted parameter finds it."""

    def __init__(self, f, args, kwargs, after: str = ""):
        """``after``: what the call takes after the arguments (``one vector for
        each of x``), for the message where they do not bind."""
        self.signature = Signature.of(from_template(plain(f)))
        try:
            self.values = self.signature.bind(args, kwargs)
        except TypeError as exc:
            names = ", ".join(self.signature.names)
            then = f", then {after}" if after else ""
            raise ArgumentError(
                f"{self.signature.qualname} takes ({names}){then}: {exc}"
            ) from None

    def fresh(self) -> tuple[tuple, dict]:
        """Copies of the arguments (``_fresh``), as ``f`` takes them:
        ``(positional, keywords)``."""
        args, kwargs = [], {}
        params = self.signature.signature.parameters.values()
        for p, v in zip(params, _fresh(self.values)):
            if p.kind == p.VAR_POSITIONAL:
                args.extend(v)
            elif p.kind == p.KEYWORD_ONLY:
                kwargs[p.name] = v
            elif p.kind == p.VAR_KEYWORD:
                kwargs.update(v)
            else:
                args.append(v)
        return tuple(args), kwargs


def _basis(x):
    """The unit tangents of ``x``: a float for a scalar, else arrays shaped like it,
    made by its array library (CuPy's on a GPU)."""
    if not numpy.ndim(x):
        yield 1.0
        return
    for k in range(numpy.size(x)):
        e = numpy.zeros(numpy.size(x), like=x)
        e[k] = 1.0
        yield e.reshape(numpy.shape(x))


def _fresh(args) -> tuple:
    """``args`` with each array copied: every evaluation of ``f`` a dense derivative
    makes gets its own, since ``f`` may update an argument in place (``c += v`` of
    a 0-d array), which the next evaluation would otherwise see."""
    return tuple(_copy(a) for a in args)


def _copy(value):
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if hasattr(value, "__array_function__") and hasattr(value, "copy"):
        return value.copy()
    return value


def _zero(x):
    return numpy.zeros(numpy.shape(x), like=x) if numpy.ndim(x) else 0.0


_NOT_DATA = (
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    numpy.ufunc,
)


def _leaves(x) -> list:
    """The arrays and numbers of ``x``: its items, in order, for a list, tuple or
    dict of them (nested too), else ``[x]``."""
    if isinstance(x, (list, tuple)):
        return [leaf for v in x for leaf in _leaves(v)]
    if isinstance(x, dict):
        return [leaf for v in x.values() for leaf in _leaves(v)]
    if isinstance(x, _NOT_DATA):
        raise ArgumentError(
            "dense derivatives take arrays, numbers and containers of them, not "
            f"the {type(x).__name__} {getattr(x, '__name__', '')}: it has no "
            "derivative; differentiate with respect to an array or a float"
        )
    if is_record(x):
        raise ArgumentError(
            f"dense derivatives take arrays, numbers and containers of them, not a "
            f"{type(x).__qualname__} object: pass its arrays (a dict of them) instead"
        )
    return [x]


def _rebuild(x, leaves):
    """``x``'s structure with its leaves replaced by ``leaves``, in order."""
    return _fill(x, iter(leaves))


def _fill(x, leaves):
    if isinstance(x, (list, tuple)):
        return (
            type(x)(_fill(v, leaves) for v in x)
            if not hasattr(x, "_fields")
            else type(x)(*(_fill(v, leaves) for v in x))
        )
    if isinstance(x, dict):
        return {k: _fill(v, leaves) for k, v in x.items()}
    return next(leaves)


def _unit_tangents(x, j):
    """The unit tangents of leaf ``j`` of ``x``, each in ``x``'s structure with
    zeros in the other leaves."""
    leaves = _leaves(x)
    zeros = [_zero(leaf) for leaf in leaves]
    for e in _basis(leaves[j]):
        yield _rebuild(x, zeros[:j] + [e] + zeros[j + 1 :])


def _columns(f, i, call: _Call, j, out):
    """The Jacobian of ``f``'s output in leaf ``j`` of argument ``i``, by forward
    mode: ``out.shape + leaf.shape``."""
    x = call.values[i]
    leaf = _leaves(x)[j]
    cols = []
    for t in _unit_tangents(x, j):
        args, kwargs = call.fresh()
        cols.append(jvp(f, wrt=i)(*args, t, **kwargs))
    shape = numpy.shape(out) + numpy.shape(leaf)
    return numpy.moveaxis(numpy.stack(cols), 0, -1).reshape(shape)


@public
def jacobian(f: Callable, wrt: Any = 0) -> Callable:
    """The dense Jacobian of ``f``.

    Forward mode (one jvp per input element) when the input has fewer elements
    than the output, reverse mode (one vjp per output element) otherwise.

    Args:
        f: the function, any output shape.
        wrt: a position or name, or a tuple of them.

    Returns:
        ``jac(*args, **kwargs)``: the Jacobian, shaped ``out.shape + x.shape``;
        for a tuple ``wrt``, a tuple of them, one per argument.

    Example:
        >>> import numpy as np, tangentlike as tl
        >>> def f(x):
        ...     return x * x
        >>> tl.jacobian(f)(np.array([1.0, 2.0]))
        array([[2., 0.],
               [0., 4.]])
    """
    positions, many = _positions(f, wrt)

    def one(i, call: _Call, out):
        x = call.values[i]
        leaves = _leaves(x)
        if sum(map(numpy.size, leaves)) < numpy.size(out):
            found = [_columns(f, i, call, j, out) for j in range(len(leaves))]
            return _rebuild(x, found)
        rows = []
        for e in _basis(out):
            args, kwargs = call.fresh()
            rows.append(_leaves(vjp(f, wrt=i)(*args, e, **kwargs)))
        found = [
            numpy.stack([r[j] for r in rows]).reshape(
                numpy.shape(out) + numpy.shape(leaf)
            )
            for j, leaf in enumerate(leaves)
        ]
        return _rebuild(x, found)

    def jac(*args, **kwargs):
        call = _Call(f, args, kwargs)
        given, named = call.fresh()
        out = f(*given, **named)
        found = tuple(one(i, call, out) for i in positions)
        return found if many else found[0]

    return jac


def _forward_over_reverse(f, wrt):
    """``(positions, many, product)``: ``product(*args, *vs)`` is the Hessian of
    ``f`` in the ``wrt`` arguments times ``vs`` (a tuple of block rows if ``many``),
    unchecked and in the gradient's dtype."""
    positions, many = _positions(f, wrt)
    w = tuple(positions) if many else positions[0]
    return positions, many, jvp(grad(f, wrt=w), wrt=w)


def _scalar(f, call: _Call) -> None:
    """A Hessian needs a scalar output: what grad checks, which its plain form, used
    here, does not (it would give the Hessian of the outputs' sum)."""
    args, kwargs = call.fresh()
    value = f(*args, **kwargs)
    calling.check_output(getattr(f, "__qualname__", repr(f)), value, None)


@public
def hvp(f: Callable, wrt: Any = 0) -> Callable:
    """The Hessian-vector product of scalar ``f`` (forward over reverse).

    Args:
        f: a function returning a scalar.
        wrt: a position or name, or a tuple of them.

    Returns:
        ``hvp_f(*args, v)``: the Hessian times ``v``, shaped like the argument;
        for a tuple ``wrt``, ``hvp_f(*args, *vs)`` gives a tuple, each argument's
        block row of the Hessian times the ``vs``.  The ``vs`` come last among the
        positional values; ``f``'s other arguments may be left to their defaults
        or passed by keyword.

    Example:
        >>> import numpy as np, tangentlike as tl
        >>> def f(x):
        ...     return np.sum(x ** 3)
        >>> tl.hvp(f)(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
        array([ 6., 12.])
    """
    positions, many, product = _forward_over_reverse(f, wrt)

    def hvp_f(*args, **kwargs):
        k = len(positions)
        names = ", ".join(
            Signature.of(from_template(plain(f))).names[i] for i in positions
        )
        after = f"one vector for each of {names}, last among the positional values"
        if len(args) < k:
            raise ArgumentError(f"hvp takes the arguments, then {after}")
        call = _Call(f, args[: len(args) - k], kwargs, after)
        _scalar(f, call)
        given, named = call.fresh()
        found = product(*given, *args[len(args) - k :], **named)
        found = found if many else (found,)
        values = call.values
        rows = tuple(calling.match(h, values[i]) for h, i in zip(found, positions))
        return rows if many else rows[0]

    return hvp_f


@public
def hessian(f: Callable, wrt: Any = 0) -> Callable:
    """The dense Hessian of scalar ``f``: one Hessian-vector product per element.

    Args:
        f: a function returning a scalar.
        wrt: a position or name, or a tuple of them.

    Returns:
        ``hess(*args, **kwargs)``: the Hessian, shaped ``x.shape + x.shape``.  For a tuple
        ``wrt``, nested tuples: ``H[a][b]`` is shaped ``x_a.shape + x_b.shape``,
        in the dtype of ``x_a`` and ``x_b``.

    Example:
        >>> import numpy as np, tangentlike as tl
        >>> def f(x):
        ...     return x[0] * x[1] ** 2
        >>> tl.hessian(f)(np.array([1.0, 3.0]))
        array([[0., 6.],
               [6., 2.]])
    """
    positions, many, product = _forward_over_reverse(f, wrt)

    def block_column(call: _Call, b, j):
        """``[H[a][b, j] for each a]``, the blocks of leaf ``j`` of argument ``b``
        in each argument's structure: one hvp per element of that leaf."""
        args = call.values
        x = args[positions[b]]
        zeros = [_rebuild(args[i], map(_zero, _leaves(args[i]))) for i in positions]
        cols = []
        for t in _unit_tangents(x, j):
            tangents = [t if k == b else z for k, z in enumerate(zeros)]
            given, named = call.fresh()
            found = product(*given, *tangents, **named)
            cols.append([_leaves(h) for h in (found if many else (found,))])
        leaf = _leaves(x)[j]
        blocks = []
        for a, i in enumerate(positions):
            rows = []
            for m, row in enumerate(_leaves(args[i])):
                col = numpy.moveaxis(numpy.stack([c[a][m] for c in cols]), 0, -1)
                block = col.reshape(numpy.shape(row) + numpy.shape(leaf))
                rows.append(_dtype_of(block, row, leaf))
            blocks.append(rows)
        return blocks

    def block(call: _Call, a, b):
        """``H[a][b]``: argument ``a``'s structure of argument ``b``'s structures."""
        x = call.values[positions[b]]
        cols = [block_column(call, b, j)[a] for j in range(len(_leaves(x)))]
        rows = [[col[m] for col in cols] for m in range(len(cols[0]))]
        return _rebuild(call.values[positions[a]], [_rebuild(x, row) for row in rows])

    def hess(*args, **kwargs):
        call = _Call(f, args, kwargs)
        _scalar(f, call)
        n = len(positions)
        found = tuple(tuple(block(call, a, b) for b in range(n)) for a in range(n))
        return found if many else found[0][0]

    return hess


def _dtype_of(block, x, y):
    """A Hessian block in the dtype of its arguments (float32 in, float32 out)."""
    dtype = numpy.result_type(*(getattr(v, "dtype", numpy.float64) for v in (x, y)))
    return block.astype(dtype, copy=False) if dtype.kind == "f" else block
