"""Derivatives of the helpers above, so that gradients can be differentiated again."""

from __future__ import annotations

import numpy

from ..errors import UnsupportedDerivativeError
from .broadcast import _cast, broadcast_as, unreduce
from .facts import helper
from .linalg import einsum_grad, solve_rhs
from .reductions import _slices_last, norm_grad, prod_others


def _is_zero(t) -> bool:
    """Whether ``t`` is the Python ``0.0`` forward mode passes for a constant's tangent."""
    return isinstance(t, float) and t == 0.0


def _linear_tangent(f, dg, g, *args):
    """Tangent of ``f(g, *args)``, linear in ``g`` and locally constant in ``args``:
    ``f(dg, *args)``, with ``dg`` zeros shaped like ``g`` where forward mode passes 0.0."""
    if _is_zero(dg):
        dg = numpy.zeros_like(g)
    return f(dg, *args)


@helper(linear=1)
def prod_others_jvp(a, v, axis=None):
    """``v`` times the derivative of ``prod_others(a, axis)``: per slice, the matrix of
    the products of all elements but two (zero on its diagonal) times ``v``'s slice.
    The matrix is symmetric, so this is also the vector-Jacobian product."""
    if _is_zero(v):
        return numpy.zeros_like(a)
    v = broadcast_as(v, a)
    flat, restore = _slices_last(a, axis)
    vflat, _ = _slices_last(v, axis)
    n = numpy.shape(flat)[-1]
    eye = numpy.eye(n, dtype=bool)
    rows = numpy.where(eye, numpy.ones_like(flat[..., None, :]), flat[..., None, :])
    pairs = numpy.where(eye, 0, prod_others(rows, -1))
    return _cast(restore(numpy.matmul(pairs, vflat[..., :, None])[..., 0]), a)


# Which norm ``ord`` and ``axis`` name decides the derivative: a matrix norm
# of the Frobenius kind is the vector 2-norm; 1-, inf- and matrix norms are piecewise
# linear (zero second derivatives); ord=0 has none; the p-norms have their own
# formula, simplest at p = 2.
@helper()
def norm_grad_partials(g, y, x, ord=None, axis=None, keepdims=False):
    """``norm_grad(g, y, x, ...)`` is ``unreduce(g) * pg`` and its derivatives in ``x``
    and in ``y`` (times ``unreduce(dy)``) are elementwise: ``(pg, px, py)``, shaped like
    ``x``.  Vector p-norms and the Frobenius norm; 1 and inf norms are piecewise linear."""
    pg = norm_grad(numpy.ones_like(y), y, x, ord, axis, keepdims)
    matrix = (axis is None and numpy.ndim(x) == 2) or isinstance(axis, (tuple, list))
    if axis is None and ord is None:
        matrix = False
    if matrix and ord in (None, "fro"):
        ord, matrix = 2, False
    if matrix and ord not in (1, -1, numpy.inf, -numpy.inf):
        raise UnsupportedDerivativeError(
            f"the second derivative of the matrix norm with ord={ord!r}"
        )
    if matrix or ord in (1, numpy.inf, -numpy.inf):  # signs, argmaxes: piecewise linear
        zero = numpy.zeros_like(pg)
        return pg, zero, zero
    if ord == 0:
        raise UnsupportedDerivativeError("the second derivative of the norm with ord=0")
    p = 2 if ord is None else ord
    gx = unreduce(g, x, axis, keepdims)
    yx = unreduce(y, x, axis, keepdims)
    if p == 2:
        px = gx / yx
    else:
        px = gx * (p - 1) * numpy.abs(x) ** (p - 2) / yx ** (p - 1)
    py = (1 - p) * gx * pg / yx
    return pg, _cast(px, x), _cast(py, x)


@helper()
def solve_rhs_tangent(dg, da, z, g, a, b):
    """Tangent of ``z = solve_rhs(g, a, b)``: ``solve_rhs(dg - da' z)``."""
    rhs = dg
    if not _is_zero(da):
        from . import matmul_rhs

        rhs = rhs - matmul_rhs(z, da, z)
    return _linear_tangent(solve_rhs, rhs, g, a, b)


@helper(linear=2)
def einsum_with(subscripts, k, value, *operands):
    """``einsum(subscripts, *operands)`` with operand ``k`` replaced by ``value``."""
    operands = [op for op in operands if op is not None]
    operands[k] = value
    return numpy.einsum(subscripts, *operands)


@helper()
def einsum_grad_tangent(dg, dops, g, subscripts, k, *operands):
    """Tangent of ``einsum_grad(g, subscripts, k, *operands)``: linear in ``g`` and in
    each operand but ``k``, which only gives a shape."""
    operands = [op for op in operands if op is not None]
    dops = list(dops)[: len(operands)]
    out = _linear_tangent(einsum_grad, dg, g, subscripts, k, *operands)
    for j, t in enumerate(dops):
        if j != k and not _is_zero(t):
            ops = list(operands)
            ops[j] = t
            out = out + einsum_grad(g, subscripts, k, *ops)
    return out
