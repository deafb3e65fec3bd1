"""Dense derivatives: Jacobians, Hessians and Hessian-vector products, built from
jvp and vjp.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

from ..call import arguments as calling
from ..made import plain
from .arguments import normalize_wrt
from .forward import jvp
from .reverse import grad, vjp


def _positions(f, wrt) -> tuple[list[int], bool]:
    """The positions ``wrt`` names, and whether it is a tuple (one result each)."""
    positions, many = normalize_wrt(plain(f), wrt)
    return list(positions), many


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


def _zero(x):
    return numpy.zeros(numpy.shape(x), like=x) if numpy.ndim(x) else 0.0


def jacobian(f: Callable, wrt: Any = 0) -> Callable:
    """The dense Jacobian of ``f``.

    Forward mode (one jvp per input element) when the input has fewer elements
    than the output, reverse mode (one vjp per output element) otherwise.

    Args:
        f: the function, any output shape.
        wrt: a position or name, or a tuple of them.

    Returns:
        ``jac(*args)``: the Jacobian, shaped ``out.shape + x.shape``; for a tuple
        ``wrt``, a tuple of them, one per argument.

    Example:
        >>> import numpy as np, tangentlike as tl
        >>> def f(x):
        ...     return x * x
        >>> tl.jacobian(f)(np.array([1.0, 2.0]))
        array([[2., 0.],
               [0., 4.]])
    """
    positions, many = _positions(f, wrt)

    def one(i, args, out):
        x = args[i]
        shape = numpy.shape(out) + numpy.shape(x)
        if numpy.size(x) < numpy.size(out):
            cols = [jvp(f, wrt=i)(*args, e) for e in _basis(x)]
            return numpy.moveaxis(numpy.stack(cols), 0, -1).reshape(shape)
        rows = [vjp(f, wrt=i)(*args, e) for e in _basis(out)]
        return numpy.stack(rows).reshape(shape)

    def jac(*args):
        out = f(*args)
        found = tuple(one(i, args, out) for i in positions)
        return found if many else found[0]

    return jac


def _forward_over_reverse(f, wrt):
    """``(positions, many, product)``: ``product(*args, *vs)`` is the Hessian of
    ``f`` in the ``wrt`` arguments times ``vs`` (a tuple of block rows if ``many``),
    unchecked and in the gradient's dtype."""
    positions, many = _positions(f, wrt)
    w = tuple(positions) if many else positions[0]
    return positions, many, jvp(grad(f, wrt=w), wrt=w)


def _scalar(f, args) -> None:
    """A Hessian needs a scalar output: what grad checks, which its plain form, used
    here, does not (it would give the Hessian of the outputs' sum)."""
    calling.check_output(getattr(f, "__qualname__", repr(f)), f(*args), None)


def hvp(f: Callable, wrt: Any = 0) -> Callable:
    """The Hessian-vector product of scalar ``f`` (forward over reverse).

    Args:
        f: a function returning a scalar.
        wrt: a position or name, or a tuple of them.

    Returns:
        ``hvp_f(*args, v)``: the Hessian times ``v``, shaped like the argument;
        for a tuple ``wrt``, ``hvp_f(*args, *vs)`` gives a tuple, each argument's
        block row of the Hessian times the ``vs``.

    Example:
        >>> import numpy as np, tangentlike as tl
        >>> def f(x):
        ...     return np.sum(x ** 3)
        >>> tl.hvp(f)(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
        array([ 6., 12.])
    """
    positions, many, product = _forward_over_reverse(f, wrt)

    def hvp_f(*args):
        primals = args[: len(args) - len(positions)]
        _scalar(f, primals)
        found = product(*args) if many else (product(*args),)
        rows = tuple(calling.match(h, primals[i]) for h, i in zip(found, positions))
        return rows if many else rows[0]

    return hvp_f


def hessian(f: Callable, wrt: Any = 0) -> Callable:
    """The dense Hessian of scalar ``f``: one Hessian-vector product per element.

    Args:
        f: a function returning a scalar.
        wrt: a position or name, or a tuple of them.

    Returns:
        ``hess(*args)``: the Hessian, shaped ``x.shape + x.shape``.  For a tuple
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
            col = numpy.moveaxis(numpy.stack([c[a] for c in cols]), 0, -1)
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
