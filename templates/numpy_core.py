"""NumPy's elementary ufuncs, reductions, dot/matmul, where, maximum/minimum, shapes."""

import numpy
import numpy as np

from tangentlike.runtime import (
    array_grad,
    inverse_axes,
    matmul_lhs,
    matmul_rhs,
    reduced_size,
    reshape_grad,
    unbroadcast,
    unreduce,
)
from tangentlike.template import adjoint, d, unary

unary(numpy.sin, "np.cos(x)")
unary(numpy.cos, "-np.sin(x)")
unary(numpy.tan, "1.0 + y * y")
unary(numpy.arcsin, "1.0 / np.sqrt(1.0 - x * x)")
unary(numpy.arccos, "-1.0 / np.sqrt(1.0 - x * x)")
unary(numpy.arctan, "1.0 / (1.0 + x * x)")
unary(numpy.sinh, "np.cosh(x)")
unary(numpy.cosh, "np.sinh(x)")
unary(numpy.tanh, "1.0 - y * y")
unary(numpy.arcsinh, "1.0 / np.sqrt(x * x + 1.0)")
unary(numpy.arccosh, "1.0 / np.sqrt(x * x - 1.0)")
unary(numpy.arctanh, "1.0 / (1.0 - x * x)")
unary(numpy.exp, "y")
unary(numpy.exp2, "y * np.log(2.0)")
unary(numpy.expm1, "y + 1.0")
unary(numpy.log, "1.0 / x")
unary(numpy.log2, "1.0 / (x * np.log(2.0))")
unary(numpy.log10, "1.0 / (x * np.log(10.0))")
unary(numpy.log1p, "1.0 / (1.0 + x)")
unary(numpy.sqrt, "0.5 / y")
unary(numpy.cbrt, "1.0 / (3.0 * y * y)")
unary(numpy.square, "2.0 * x")
unary(numpy.reciprocal, "-y * y")
unary([numpy.abs, numpy.absolute, numpy.fabs], "np.sign(x)")
unary([numpy.deg2rad, numpy.radians], "np.pi / 180.0")
unary([numpy.rad2deg, numpy.degrees], "180.0 / np.pi")


@adjoint(numpy.maximum)
def maximum(z, x, y):
    d[x] = unbroadcast(d[z] * (x >= y), x)
    d[y] = unbroadcast(d[z] * (x < y), y)


@adjoint(numpy.minimum)
def minimum(z, x, y):
    d[x] = unbroadcast(d[z] * (x <= y), x)
    d[y] = unbroadcast(d[z] * (x > y), y)


@adjoint(numpy.where)
def where(z, condition, x, y):
    d[x] = unbroadcast(np.where(condition, d[z], 0.0), x)
    d[y] = unbroadcast(np.where(condition, 0.0, d[z]), y)


@adjoint(numpy.sum)
def sum(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = unreduce(d[y], a, axis, keepdims)


@adjoint(numpy.mean)
def mean(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = unreduce(d[y] / reduced_size(a, axis), a, axis, keepdims)


@adjoint(numpy.dot)
def dot(z, a, b):
    d[a] = matmul_lhs(d[z], a, b)
    d[b] = matmul_rhs(d[z], a, b)


# the gradient is written back in the order the elements were read: 'A' and 'K' by
# the layout of ``a``, as NumPy reads them (reshape_grad)
@adjoint(numpy.reshape)
def reshape(y, a, shape=None, order="C"):
    if order == "C":
        d[a] = np.reshape(d[y], np.shape(a))
    elif order == "F":
        d[a] = np.reshape(d[y], np.shape(a), order="F")
    else:
        d[a] = reshape_grad(d[y], a, order)


@adjoint(numpy.ravel)
def ravel(y, a, order="C"):
    if order == "C":
        d[a] = np.reshape(d[y], np.shape(a))
    elif order == "F":
        d[a] = np.reshape(d[y], np.shape(a), order="F")
    else:
        d[a] = reshape_grad(d[y], a, order)


@adjoint(numpy.transpose)
def transpose(y, a, axes=None):
    d[a] = np.transpose(d[y], inverse_axes(axes, np.ndim(a)))


# a cast to integers or booleans (np.array(x, int), x.astype(bool)) is a step
# function of its argument: no derivative goes through it
@adjoint([numpy.copy, numpy.asarray, numpy.asanyarray, numpy.array])
def copy(y, a, dtype=None, *, ndmin=0):
    if dtype is None:
        cast = d[y]
    else:
        cast = d[y] * (y.dtype.kind in "fc")
    if ndmin == 0:  # a list's gradient is a list: its items, one by one
        d[a] = array_grad(cast, a)
    else:  # np.array(a, ndmin=2): leading axes of length 1 added
        d[a] = array_grad(np.reshape(cast, np.shape(a)), a)
