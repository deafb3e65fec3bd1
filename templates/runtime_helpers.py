"""Derivatives of the runtime helpers that generated code calls, so that generated
code is itself differentiable (``grad(grad(f))``, ``jvp(grad(f))``).

Most helpers are linear in their first argument, the gradient ``g``, and depend on
the others only through shapes or selections (a sorting order: piecewise constant,
derivative zero almost everywhere): ``linear(helper, transpose)`` declares each in
a line, its tangent the helper applied to the tangent, its adjoint the transposed
map.  A helper whose own derivative is not known is ``refused`` by name.

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
    array_grad,
    attr_grad,
    attr_part,
    broadcast_like,
    column_stack_grad,
    diag_grad,
    diagonal_grad,
    diff_grad,
    digamma,
    hstack_grad,
    item_of,
    matmul_lhs,
    matmul_rhs,
    norm_grad,
    norm_grad_partials,
    owned,
    pad_fill_grad,
    pad_grad,
    pad_tangent,
    pairwise_weights,
    picked_sum,
    prod_others,
    prod_others_jvp,
    repeat_grad,
    reshape_grad,
    reshape_tangent,
    safe_log,
    setitem_grad,
    setitem_scatter,
    sinc_deriv,
    sorted_like,
    sum_grad,
    sum_to,
    take_along_grad,
    take_grad,
    trigamma,
    unbroadcast,
    unbroadcast_as,
    unconcat,
    unreduce,
    unsort,
    unstack,
    vstack_grad,
    zero_cases,
)
from tangentlike.template import adjoint, d, linear, refused, tangent, unary

unary(safe_log, "(x > 0) / np.where(x > 0, x, 1.0)")
# sinc'' = -pi^2 sinc - 2 sinc' / x, and -pi^2 / 3 at 0
unary(
    sinc_deriv,
    "np.where(x == 0, -np.pi**2 / 3.0, -np.pi**2 * np.sinc(x) - 2.0 * y / "
    "np.where(x == 0, 1.0, x))",
)

unary(digamma, "trigamma(x)")
refused(trigamma, "a third derivative of math.lgamma (tetragamma)")
linear(item_of, "unbroadcast(d[y], a)")  # a number: the gradient in the array's shape

# broadcasting and reductions in reverse ---------------------------------------------
linear(broadcast_like, "unbroadcast(d[y], g)")
linear(unbroadcast, "broadcast_like(d[y], g)")
linear(unbroadcast_as, "broadcast_like(d[y], g)")
linear(sum_to, "broadcast_like(d[y], g)")
linear(unreduce, "np.sum(d[y], axis=axis, keepdims=keepdims)")
linear(owned, "d[y]")
linear(pairwise_weights, "pairwise_weights(d[y], a, b)")
linear(picked_sum, "broadcast_like(d[y], p)[index]")
# an object's gradient by attribute, and the part of it for one attribute
linear(attr_grad, "attr_part(d[y], obj, name)")
linear(attr_part, "attr_grad(d[y], obj, name)")


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


@adjoint(sorted)
def builtin_sorted(y, iterable):
    d[iterable] = unsort(d[y], iterable)


@tangent(sorted)
def builtin_sorted_tangent(y, iterable):
    d[y] = sorted_like(d[iterable], iterable)


@adjoint(sum)
def builtin_sum(y, iterable, start=0):
    d[iterable] = sum_grad(d[y], iterable)


@tangent(sum)
def builtin_sum_tangent(y, iterable, start=0):
    d[y] = sum(d[iterable])


linear(sum_grad, "unbroadcast(sum(d[y]), g)")
linear(array_grad, "np.array(d[y])")
linear(unsort, "sorted_like(d[y], xs)")
linear(sorted_like, "unsort(d[y], xs)")
linear(runtime.plus_grad)


@adjoint(runtime.plus_grad)
def plus_grad_adjoint(z, g, a, b, k):
    raise NotImplementedError("two lists joined with +, differentiated again")


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


# joins, indexing, scans: each the transpose of the other -----------------------------
linear(diagonal_grad, "np.diagonal(d[y], offset, axis1, axis2)")
linear(diag_grad, "np.diag(d[y], k)")
linear(take_grad, "np.take(d[y], indices, axis=axis)")
linear(take_along_grad, "np.take_along_axis(d[y], indices, axis)")
linear(unconcat, "np.concatenate(d[y], axis=axis)")
linear(unstack, "np.stack(d[y], axis=axis)")
linear(hstack_grad, "np.hstack(d[y])")
linear(vstack_grad, "np.vstack(d[y])")
linear(column_stack_grad, "np.column_stack(d[y])")
linear(repeat_grad, "np.repeat(d[y], repeats, axis=axis)")
linear(diff_grad, "np.diff(d[y], n, axis)")
linear(setitem_grad, "setitem_scatter(d[y], g, index)")
linear(setitem_scatter, "setitem_grad(d[y], index)")
# reshape_grad and reshape_tangent are inverse permutations of the elements
linear(reshape_grad, "reshape_tangent(d[y], a, np.shape(g), order)")
linear(reshape_tangent, "reshape_grad(d[y], a, order)")


# pad's three helpers are linear in their gradients and tangents, and depend on
# the array only through the elements a maximum or minimum selects: piecewise
# constant.  Each one's transpose is another of them.
linear(
    pad_grad,
    "pad_tangent(d[y], 0.0, 0.0, a, pad_width, mode, stat_length, reflect_type)",
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


linear(pad_fill_grad)

# the bookkeeping of items set in lists and dicts, and the second layer's own
# helpers: their derivatives are not known
refused(
    [runtime.item_or_absent, runtime.take_item, runtime.restore_item],
    "an item set in a list or a dict, differentiated again",
)
refused(
    [runtime.times_grad, runtime.as_grad, runtime.as_kind],
    "a list repeated or joined, differentiated again",
)
refused(runtime.call_arguments, "a call with *args or **kwargs, differentiated again")
refused(runtime.quantile_q_grad, "the second derivative of a quantile in q")
refused([prod_others_jvp], "the third derivative of prod")
refused([norm_grad_partials], "the third derivative of a norm other than the 2-norm")
