"""Why each constant is one, argument by argument (``tangentlike/constants.py``).

A function below whose every parameter is declared has no derivative at all; the
others have a template for the rest.  ``tests/test_constants.py`` checks every
declaration here against finite differences on random inputs.
"""

import builtins
import inspect
import math

import numpy
from numpy.lib import array_utils

from tangentlike import runtime
from tangentlike.constants import constant


def _params(func) -> list[str]:
    return list(inspect.signature(func).parameters)


def _present(func, names: str) -> str:
    """The names among ``names`` that ``func`` has: options newer NumPy adds."""
    return " ".join(n for n in names.split() if n in _params(func))


UFUNC = "out where casting order dtype subok signature"
MAKE = "dtype order device like"  # the options of np.zeros and its kin
LIKE = "dtype order subok shape device"  # the options of np.zeros_like and its kin

# Python ----------------------------------------------------------------------
constant(builtins.len, structure="obj")
constant(builtins.isinstance, structure="obj", integer="class_or_tuple")
constant(builtins.print, structure="args", integer="sep end file flush")
constant(builtins.int, "x=0, /, base=10", piecewise="x", integer="base")
constant(builtins.bool, "x=False, /", piecewise="x")
constant(builtins.round, piecewise="number", integer="ndigits")
constant(builtins.range, "start, stop=None, step=None, /", integer="start stop step")
for _step in (math.floor, math.ceil, math.trunc, math.isnan, math.isinf):
    constant(_step, piecewise="x")
constant(math.isfinite, piecewise="x")

# shapes, sizes and constructors ----------------------------------------------------
for _of in (numpy.shape, numpy.ndim):
    constant(_of, structure="a")
constant(numpy.size, structure="a", integer="axis")
for _make in (numpy.zeros, numpy.ones, numpy.empty):
    constant(_make, integer="shape " + MAKE)
constant(numpy.eye, integer="N M k " + MAKE)
constant(numpy.identity, integer="n dtype like")
constant(numpy.empty_like, structure="prototype", integer=LIKE)
for _like in (numpy.zeros_like, numpy.ones_like):
    constant(_like, structure="a", integer=LIKE)
constant(numpy.full, integer="shape " + MAKE)  # the fill value: a template
constant(numpy.full_like, structure="a", integer=LIKE)  # the fill value: a template
constant(
    numpy.linspace, integer="num endpoint retstep dtype axis device"
)  # the ends too
constant(
    numpy.arange,
    "start, /, stop=None, step=None, dtype=None, *, device=None, like=None",
    piecewise="stop",  # it counts the elements; start and step: a template
    integer="dtype device like",
)

# comparisons, steps and integer results ---------------------------------------------
for _ufunc in (
    numpy.isnan,
    numpy.isfinite,
    numpy.isinf,
    numpy.sign,
    numpy.signbit,
    numpy.floor,
    numpy.ceil,
    numpy.rint,
    numpy.trunc,
    numpy.logical_not,
):
    constant(_ufunc, piecewise="x", integer=UFUNC)
for _ufunc in (
    numpy.greater,
    numpy.less,
    numpy.equal,
    numpy.not_equal,
    numpy.greater_equal,
    numpy.less_equal,
    numpy.logical_and,
    numpy.logical_or,
    numpy.logical_xor,
    numpy.floor_divide,
):
    constant(_ufunc, piecewise="x1 x2", integer=UFUNC)
constant(
    numpy.heaviside, piecewise="x1", integer=UFUNC
)  # x2, the value at 0: a template
for _step in (numpy.fix, numpy.isposinf, numpy.isneginf):
    constant(_step, piecewise="x", integer="out")
constant(numpy.round, piecewise="a", integer="decimals out")
for _arg in (numpy.argmax, numpy.argmin, numpy.nanargmax, numpy.nanargmin):
    constant(_arg, piecewise="a", integer="axis out keepdims")
constant(
    numpy.argsort,
    piecewise="a",
    integer=_present(numpy.argsort, "axis kind order stable descending"),
)
for _where in (numpy.nonzero, numpy.flatnonzero, numpy.argwhere):
    constant(_where, piecewise="a")
constant(numpy.count_nonzero, piecewise="a", integer="axis keepdims")
constant(numpy.searchsorted, piecewise="a v", integer="side sorter")
for _close in (numpy.isclose, numpy.allclose):
    constant(_close, piecewise="a b rtol atol", integer="equal_nan")
constant(numpy.array_equal, piecewise="a1 a2", integer="equal_nan")
for _all in (numpy.all, numpy.any):
    constant(_all, piecewise="a", integer="axis out keepdims where")

# types, shapes and axes, which library code asks of its arguments -----------------
for _typed in (numpy.result_type, numpy.iscomplexobj, numpy.isrealobj, numpy.isscalar):
    constant(_typed, structure=" ".join(_params(_typed)))
constant(numpy.min_scalar_type, piecewise="a")  # the smallest type holding a value
constant(numpy.can_cast, structure="from_", integer="to casting")
for _typed in (numpy.promote_types, numpy.issubdtype, numpy.broadcast_shapes):
    constant(_typed, integer=" ".join(_params(_typed)))
constant(
    array_utils.normalize_axis_index,
    "axis, ndim, msg_prefix=None",
    integer="axis ndim msg_prefix",
)
constant(array_utils.normalize_axis_tuple, integer="axis ndim argname allow_duplicate")

# helpers of generated code -------------------------------------------------------
constant(runtime.reduced_size, structure="x", integer="axis")
constant(runtime.zeros_like, structure="x")
constant(runtime.zeros_items, structure="x")
constant(runtime.zero_grad, structure="x")
constant(runtime.clip_mask, piecewise="a a_min a_max")
constant(runtime.tensordot_subscripts, structure="a b", integer="axes")
constant(runtime.inner_subscripts, structure="a b")
constant(runtime.layout_order, structure="a", integer="order")
constant(runtime.inverse_axes, integer="axes ndim")
constant(runtime.stop_gradient, requested="x")
constant(runtime.interp_segment, piecewise="x xp", integer="period")
constant(runtime.convolve_pads, structure="a v", integer="mode")
constant(runtime.absent, structure="value")  # only whether it is None
# ... and the arguments their templates do not differentiate: what gives a shape
for _shaped in (runtime.broadcast_like,):
    constant(_shaped, structure="z")
for _shaped in (runtime.unbroadcast, runtime.unbroadcast_as, runtime.matmul_lhs):
    constant(_shaped, structure="x")
constant(runtime.matmul_rhs, structure="y")
constant(runtime.pairwise_weights, structure="a b")
constant(runtime.unreduce, structure="x", integer="axis keepdims")
constant(runtime.add_at, structure="x", integer="index")
constant(runtime.picked_sum, structure="p", integer="index axis")
for _attr in (runtime.attr_grad, runtime.attr_part):
    constant(_attr, structure="obj", integer="name")
constant(runtime.sum_grad, structure="xs")
constant(runtime.array_grad, structure="a")
constant(runtime.unsort, piecewise="xs")  # the order sorted(xs) takes
constant(runtime.sorted_like, piecewise="xs")
constant(runtime.plus_grad, structure="a b", integer="k")
constant(runtime.diagonal_grad, structure="a", integer="offset axis1 axis2")
constant(runtime.diag_grad, structure="v", integer="k")
constant(runtime.take_grad, structure="a", integer="indices axis")
constant(runtime.take_along_grad, structure="a", integer="indices axis")
constant(runtime.unconcat, structure="arrays", integer="axis shapes")
constant(runtime.unstack, structure="arrays", integer="axis")
for _stack in (runtime.hstack_grad, runtime.vstack_grad, runtime.column_stack_grad):
    constant(_stack, structure="arrays")
constant(runtime.tile_axes, structure="a", integer="reps")
constant(runtime.kron_layout, structure="a b")
constant(runtime.require, piecewise="ok", integer="what")  # raises, or None
constant(runtime.repeat_grad, structure="a", integer="repeats axis")
constant(
    runtime.pad_grad, piecewise="a", integer="pad_width mode stat_length reflect_type"
)
constant(
    runtime.pad_tangent,
    piecewise="a",  # where mode="maximum" picks its elements
    integer="pad_width mode stat_length reflect_type",
)
constant(runtime.pad_fill_grad, structure="a fill", integer="pad_width mode kind")
constant(runtime.scatter_sum, integer="index n")
constant(runtime.insert_sources, structure="arr values", integer="obj axis")
constant(runtime.gradient_grad, structure="f", integer="axis edge_order")
constant(runtime.gradient_apply, integer="axis edge_order")  # spacing: a value
constant(runtime.take_at, integer="index")
for _quantile in (runtime.quantile_gather, runtime.quantile_scatter):
    constant(_quantile, piecewise="a", integer="axis keepdims method")  # q: a value
constant(runtime.diff_grad, integer="n axis")
constant(runtime.reshape_grad, structure="a", integer="order")
constant(runtime.reshape_tangent, structure="a", integer="shape order")
constant(runtime.solve_rhs, structure="b")  # b tells a vector from a matrix
constant(runtime.solve_lhs, structure="b")
constant(runtime.einsum_grad, integer="subscripts k")
# ... options of reductions, and what picks the elements a gradient goes to
constant(runtime.prod_others, integer="axis")
constant(runtime.norm_grad, integer="axis keepdims")  # ord: a value, not declared
constant(runtime.zero_cases, structure="a", integer="derived")  # a: checked for zeros
constant(runtime.first_zeros, piecewise="a", integer="axis")
constant(runtime.weights_shape, structure="weights a", integer="axis")
constant(runtime.end_shape, structure="a end", integer="axis")

# arguments that functions with a template do not differentiate ---------------------
constant(numpy.where, piecewise="condition")
constant(numpy.copysign, piecewise="x2", integer=UFUNC)
