"""Derivatives of the runtime helpers that generated code calls, so that generated
code is itself differentiable (``grad(grad(f))``, ``jvp(grad(f))``).

The ``_stack.append(x)`` / ``x = _stack.pop()`` pattern of reverse-mode loops is
handled by forward mode itself: the tangent is pushed right after its value and
popped right before it (see ``tangentlike/transform/forward.py``).
"""

import numpy as np

from tangentlike import runtime
from tangentlike.runtime import (
    add_at,
    broadcast_like,
    matmul_lhs,
    matmul_rhs,
    reduced_size,
    safe_log,
    sum_grad,
    unbroadcast,
    unreduce,
    zeros_like,
)
from tangentlike.template import adjoint, d, nondifferentiable, tangent, unary

nondifferentiable(reduced_size, zeros_like, runtime.zeros_like)
unary(safe_log, "(x > 0) / np.where(x > 0, x, 1.0)")


@adjoint(sum)
def builtin_sum(y, iterable, start=0):
    d[iterable] = sum_grad(d[y], iterable)


@tangent(sum)
def builtin_sum_tangent(y, iterable, start=0):
    d[y] = sum(d[iterable])


@adjoint(broadcast_like)
def broadcast_like_adjoint(y, g, z):
    d[g] = unbroadcast(d[y], g)


@tangent(broadcast_like)
def broadcast_like_tangent(y, g, z):
    d[y] = broadcast_like(d[g], z)


@adjoint(unbroadcast)
def unbroadcast_adjoint(y, g, x):
    d[g] = broadcast_like(d[y], g)


@tangent(unbroadcast)
def unbroadcast_tangent(y, g, x):
    d[y] = unbroadcast(d[g], x)


@adjoint(unreduce)
def unreduce_adjoint(y, g, x, axis=None, keepdims=False):
    d[g] = np.sum(d[y], axis=axis, keepdims=keepdims)


@tangent(unreduce)
def unreduce_tangent(y, g, x, axis=None, keepdims=False):
    d[y] = unreduce(d[g], x, axis, keepdims)


@adjoint(matmul_lhs)
def matmul_lhs_adjoint(z, g, x, y):
    d[g] = unbroadcast(np.matmul(d[z], y), g)
    d[y] = matmul_rhs(g, d[z], y)


@tangent(matmul_lhs)
def matmul_lhs_tangent(z, g, x, y):
    d[z] = matmul_lhs(d[g], x, y) + matmul_lhs(g, x, d[y])


@adjoint(matmul_rhs)
def matmul_rhs_adjoint(z, g, x, y):
    d[g] = unbroadcast(np.matmul(x, d[z]), g)
    d[x] = matmul_lhs(g, x, d[z])


@tangent(matmul_rhs)
def matmul_rhs_tangent(z, g, x, y):
    d[z] = matmul_rhs(d[g], x, y) + matmul_rhs(g, d[x], y)


@adjoint(add_at)
def add_at_adjoint(y, g, x, index, value):
    d[g] = d[y]
    d[value] = d[y][index]


@tangent(add_at)
def add_at_tangent(y, g, x, index, value):
    d[y] = add_at(d[g], x, index, d[value])
