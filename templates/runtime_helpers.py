"""Derivatives of the runtime helpers that generated code calls, so that generated
code is itself differentiable (``grad(grad(f))``, ``jvp(grad(f))``).

The ``_stack.append(x)`` / ``x = _stack.pop()`` pattern of reverse-mode loops is
handled by forward mode itself: the tangent is pushed right after its value and
popped right before it (see ``tangentlike/transform/forward.py``).

The helpers of ``numpy.linalg`` and ``einsum`` gradients are in ``runtime_helpers_linalg``;
``tests/test_second_order.py`` checks each template against finite differences.
"""

import numpy as np

from tangentlike import runtime
from tangentlike.runtime import (
    add_at,
    broadcast_like,
    column_stack_grad,
    diag_grad,
    diagonal_grad,
    diff_grad,
    hstack_grad,
    linear_tangent,
    matmul_lhs,
    matmul_rhs,
    norm_grad,
    norm_grad_partials,
    pad_fill_grad,
    pad_grad,
    pad_tangent,
    prod_others,
    prod_others_jvp,
    repeat_grad,
    reshape_grad,
    reshape_tangent,
    safe_log,
    sum_grad,
    take_along_grad,
    take_grad,
    unbroadcast,
    unbroadcast_as,
    unconcat,
    unreduce,
    unstack,
    vstack_grad,
    zero_cases,
)
from tangentlike.template import adjoint, d, tangent, unary

unary(safe_log, "(x > 0) / np.where(x > 0, x, 1.0)")


# cumprod's rule is exact at zeros by cases: differentiated again, only elsewhere
@adjoint(zero_cases)
def zero_cases_adjoint(z, g, a, derived=False):
    d[g] = zero_cases(d[z], a, True)


@tangent(zero_cases)
def zero_cases_tangent(z, g, a, derived=False):
    d[z] = zero_cases(d[g], a, True)


# n - ddof elements: a count, less a value that may be differentiated
@adjoint(runtime.reduced_size)
def reduced_size_adjoint(n, x, axis=None, ddof=0):
    d[ddof] = -d[n]


@tangent(runtime.reduced_size)
def reduced_size_tangent(n, x, axis=None, ddof=0):
    d[n] = -d[ddof]


@adjoint(sum)
def builtin_sum(y, iterable, start=0):
    d[iterable] = sum_grad(d[y], iterable)


@tangent(sum)
def builtin_sum_tangent(y, iterable, start=0):
    d[y] = sum(d[iterable])


@adjoint(sum_grad)
def sum_grad_adjoint(z, g, xs):
    d[g] = unbroadcast(sum(d[z]), g)


@tangent(sum_grad)
def sum_grad_tangent(z, g, xs):
    d[z] = linear_tangent(sum_grad, d[g], g, xs)


@tangent(runtime.plus_grad)
def plus_grad_tangent(z, g, a, b, k):
    d[z] = linear_tangent(runtime.plus_grad, d[g], g, a, b, k)


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


@adjoint(runtime.add)
def add_adjoint(y, a, b):
    d[a] = d[y]
    d[b] = d[y]


@tangent(runtime.add)
def add_tangent(y, a, b):
    d[y] = runtime.add(d[a], d[b])


@adjoint(add_at)
def add_at_adjoint(y, g, x, index, value):
    d[g] = d[y]
    d[value] = d[y][index]


@tangent(add_at)
def add_at_tangent(y, g, x, index, value):
    d[y] = add_at(d[g], x, index, d[value])


# Helpers of the NumPy templates (tangentlike.runtime), so that gradients of
# reductions, scans, joins and indexing can be differentiated again.  Most are linear
# in their first argument, the gradient ``g``, and depend on the others only through
# shapes or selections (a sorting order: piecewise constant, derivative zero almost
# everywhere): the adjoint is the transposed linear map, the tangent is the helper
# applied to ``d[g]`` (``linear_tangent`` gives zeros when ``g`` is constant).


# the Jacobian of prod_others is symmetric
@adjoint(prod_others)
def prod_others_adjoint(z, a, axis=None):
    d[a] = prod_others_jvp(a, d[z], axis)


@tangent(prod_others)
def prod_others_tangent(z, a, axis=None):
    d[z] = prod_others_jvp(a, d[a], axis)


@adjoint(norm_grad)
def norm_grad_adjoint(z, g, y, x, ord=None, axis=None, keepdims=False):
    parts = norm_grad_partials(g, y, x, ord, axis, keepdims)
    d[g] = np.sum(d[z] * parts[0], axis=axis, keepdims=keepdims)
    d[x] = d[z] * parts[1]
    d[y] = np.sum(d[z] * parts[2], axis=axis, keepdims=keepdims)


@tangent(norm_grad)
def norm_grad_tangent(z, g, y, x, ord=None, axis=None, keepdims=False):
    parts = norm_grad_partials(g, y, x, ord, axis, keepdims)
    d[z] = (
        unreduce(d[g], x, axis, keepdims) * parts[0]
        + d[x] * parts[1]
        + unreduce(d[y], x, axis, keepdims) * parts[2]
    )


# scans, joins, indexing: linear in g ------------------------------------------------


@adjoint(diagonal_grad)
def diagonal_grad_adjoint(z, g, a, offset=0, axis1=0, axis2=1):
    d[g] = np.diagonal(d[z], offset, axis1, axis2)


@tangent(diagonal_grad)
def diagonal_grad_tangent(z, g, a, offset=0, axis1=0, axis2=1):
    d[z] = linear_tangent(diagonal_grad, d[g], g, a, offset, axis1, axis2)


@adjoint(diag_grad)
def diag_grad_adjoint(z, g, v, k=0):
    d[g] = np.diag(d[z], k)


@tangent(diag_grad)
def diag_grad_tangent(z, g, v, k=0):
    d[z] = linear_tangent(diag_grad, d[g], g, v, k)


@adjoint(take_grad)
def take_grad_adjoint(z, g, a, indices, axis=None):
    d[g] = np.take(d[z], indices, axis=axis)


@tangent(take_grad)
def take_grad_tangent(z, g, a, indices, axis=None):
    d[z] = linear_tangent(take_grad, d[g], g, a, indices, axis)


@adjoint(take_along_grad)
def take_along_grad_adjoint(z, g, a, indices, axis):
    d[g] = np.take_along_axis(d[z], indices, axis)


@tangent(take_along_grad)
def take_along_grad_tangent(z, g, a, indices, axis):
    d[z] = linear_tangent(take_along_grad, d[g], g, a, indices, axis)


@adjoint(unconcat)
def unconcat_adjoint(z, g, arrays, axis=0, shapes=None):
    d[g] = np.concatenate(d[z], axis=axis)


@tangent(unconcat)
def unconcat_tangent(z, g, arrays, axis=0, shapes=None):
    d[z] = linear_tangent(unconcat, d[g], g, arrays, axis, shapes)


@adjoint(unstack)
def unstack_adjoint(z, g, arrays, axis=0):
    d[g] = np.stack(d[z], axis=axis)


@tangent(unstack)
def unstack_tangent(z, g, arrays, axis=0):
    d[z] = linear_tangent(unstack, d[g], g, arrays, axis)


@adjoint(hstack_grad)
def hstack_grad_adjoint(z, g, arrays):
    d[g] = np.hstack(d[z])


@tangent(hstack_grad)
def hstack_grad_tangent(z, g, arrays):
    d[z] = linear_tangent(hstack_grad, d[g], g, arrays)


@adjoint(vstack_grad)
def vstack_grad_adjoint(z, g, arrays):
    d[g] = np.vstack(d[z])


@tangent(vstack_grad)
def vstack_grad_tangent(z, g, arrays):
    d[z] = linear_tangent(vstack_grad, d[g], g, arrays)


@adjoint(column_stack_grad)
def column_stack_grad_adjoint(z, g, arrays):
    d[g] = np.column_stack(d[z])


@tangent(column_stack_grad)
def column_stack_grad_tangent(z, g, arrays):
    d[z] = linear_tangent(column_stack_grad, d[g], g, arrays)


@adjoint(repeat_grad)
def repeat_grad_adjoint(z, g, a, repeats, axis=None):
    d[g] = np.repeat(d[z], repeats, axis=axis)


@tangent(repeat_grad)
def repeat_grad_tangent(z, g, a, repeats, axis=None):
    d[z] = linear_tangent(repeat_grad, d[g], g, a, repeats, axis)


# pad's three helpers are linear in their gradients and tangents, and depend on
# the array only through the elements a maximum or minimum selects: piecewise
# constant.  Each one's transpose is another of them.
@adjoint(pad_grad)
def pad_grad_adjoint(
    z, g, a, pad_width, mode="constant", stat_length=None, reflect_type="even"
):
    d[g] = pad_tangent(d[z], 0.0, 0.0, a, pad_width, mode, stat_length, reflect_type)


@tangent(pad_grad)
def pad_grad_tangent(
    z, g, a, pad_width, mode="constant", stat_length=None, reflect_type="even"
):
    d[z] = linear_tangent(
        pad_grad, d[g], g, a, pad_width, mode, stat_length, reflect_type
    )


@adjoint(pad_tangent)
def pad_tangent_adjoint(
    z,
    da,
    dfill,
    dend,
    a,
    pad_width,
    mode="constant",
    stat_length=None,
    reflect_type="even",
):
    d[da] = pad_grad(d[z], a, pad_width, mode, stat_length, reflect_type)
    d[dfill] = pad_fill_grad(d[z], a, dfill, pad_width, mode, "constant")
    d[dend] = pad_fill_grad(d[z], a, dend, pad_width, mode, "linear_ramp")


@tangent(pad_tangent)
def pad_tangent_tangent(
    z,
    da,
    dfill,
    dend,
    a,
    pad_width,
    mode="constant",
    stat_length=None,
    reflect_type="even",
):
    d[z] = pad_tangent(
        d[da], d[dfill], d[dend], a, pad_width, mode, stat_length, reflect_type
    )


@adjoint(pad_fill_grad)
def pad_fill_grad_adjoint(z, g, a, fill, pad_width, mode="constant", kind="constant"):
    if kind == "constant":
        d[g] = pad_tangent(0.0, d[z], 0.0, a, pad_width, mode)
    else:
        d[g] = pad_tangent(0.0, 0.0, d[z], a, pad_width, mode)


@tangent(pad_fill_grad)
def pad_fill_grad_tangent(z, g, a, fill, pad_width, mode="constant", kind="constant"):
    d[z] = linear_tangent(pad_fill_grad, d[g], g, a, fill, pad_width, mode, kind)


@adjoint(diff_grad)
def diff_grad_adjoint(z, g, n=1, axis=-1):
    d[g] = np.diff(d[z], n, axis)


@tangent(diff_grad)
def diff_grad_tangent(z, g, n=1, axis=-1):
    d[z] = diff_grad(d[g], n, axis)


@adjoint(unbroadcast_as)
def unbroadcast_as_adjoint(y, g, x):
    d[g] = broadcast_like(d[y], g)


@tangent(unbroadcast_as)
def unbroadcast_as_tangent(y, g, x):
    d[y] = linear_tangent(unbroadcast_as, d[g], g, x)


# reshape_grad and reshape_tangent are inverse permutations of the elements: each is
# the other's transpose
@adjoint(reshape_grad)
def reshape_grad_adjoint(z, g, a, order="C"):
    d[g] = reshape_tangent(d[z], a, np.shape(g), order)


@tangent(reshape_grad)
def reshape_grad_tangent(z, g, a, order="C"):
    d[z] = linear_tangent(reshape_grad, d[g], g, a, order)


@adjoint(reshape_tangent)
def reshape_tangent_adjoint(z, da, a, shape, order="C"):
    d[da] = reshape_grad(d[z], a, order)


@tangent(reshape_tangent)
def reshape_tangent_tangent(z, da, a, shape, order="C"):
    d[z] = linear_tangent(reshape_tangent, d[da], da, a, shape, order)
