"""NumPy functions that library code calls and that have no Python source of their
own (C functions, ufunc methods), or whose source is slower than their derivative:
convolutions, interpolation, quantiles, ufunc reductions, eigvalsh, cross."""

import numpy
import numpy as np

from tangentlike import template as tpl
from tangentlike.runtime import (
    absent,
    convolve_pads,
    interp_segment,
    mT,
    polyval_coefficients,
    prod_others,
    quantile_gather,
    quantile_q_grad,
    quantile_scatter,
    scatter_sum,
    take_at,
    unbroadcast,
    unreduce,
)
from tangentlike.template import adjoint, bilinear, d, linear, refused, tangent

from . import operators, tangents  # noqa: F401  (the templates aliased below)

# ufunc reductions: np.add.reduce is np.sum along axis 0 -----------------------------


@adjoint(numpy.add.reduce)
def add_reduce(y, array, axis=0, dtype=None, out=None, keepdims=False):
    d[array] = unreduce(d[y], array, axis, keepdims)


@tangent(numpy.add.reduce)
def add_reduce(y, array, axis=0, dtype=None, out=None, keepdims=False):
    d[y] = np.add.reduce(d[array], axis, keepdims=keepdims)


@adjoint(numpy.multiply.reduce)
def multiply_reduce(y, array, axis=0, dtype=None, out=None, keepdims=False):
    d[array] = unreduce(d[y], array, axis, keepdims) * prod_others(array, axis)


@tangent(numpy.multiply.reduce)
def multiply_reduce(y, array, axis=0, dtype=None, out=None, keepdims=False):
    d[y] = np.sum(d[array] * prod_others(array, axis), axis=axis, keepdims=keepdims)


# ties share the gradient equally
@adjoint([numpy.maximum.reduce, numpy.minimum.reduce])
def maximum_reduce(y, array, axis=0, dtype=None, out=None, keepdims=False):
    hit = array == unreduce(y, array, axis, keepdims)
    count = np.sum(hit, axis=axis, keepdims=keepdims, dtype=y.dtype)
    d[array] = unreduce(d[y] / count, array, axis, keepdims) * hit


@tangent([numpy.maximum.reduce, numpy.minimum.reduce])
def maximum_reduce(y, array, axis=0, dtype=None, out=None, keepdims=False):
    hit = array == unreduce(y, array, axis, keepdims)
    count = np.sum(hit, axis=axis, keepdims=keepdims, dtype=y.dtype)
    d[y] = np.sum(d[array] * hit, axis=axis, keepdims=keepdims) / count


@adjoint(numpy.logaddexp.reduce)
def logaddexp_reduce(y, array, axis=0, dtype=None, out=None, keepdims=False):
    d[array] = unreduce(d[y], array, axis, keepdims) * np.exp(
        array - unreduce(y, array, axis, keepdims)
    )


@tangent(numpy.logaddexp.reduce)
def logaddexp_reduce(y, array, axis=0, dtype=None, out=None, keepdims=False):
    d[y] = np.sum(
        d[array] * np.exp(array - unreduce(y, array, axis, keepdims)),
        axis,
        keepdims=keepdims,
    )


# convolution: the adjoint of a full convolution is a valid one with the reverse ------


@adjoint(numpy.convolve)
def convolve(y, a, v, mode="full"):
    d[a] = np.convolve(np.pad(d[y], convolve_pads(a, v, mode)), v[::-1], "valid")
    d[v] = np.convolve(np.pad(d[y], convolve_pads(a, v, mode)), a[::-1], "valid")


@adjoint(numpy.correlate)
def correlate(y, a, v, mode="valid"):
    d[a] = np.convolve(np.pad(d[y], convolve_pads(a, v, mode)), v, "valid")
    d[v] = np.convolve(np.pad(d[y], convolve_pads(a, v, mode)), a[::-1], "valid")[::-1]


bilinear([numpy.convolve, numpy.correlate])


# interpolation: within a segment, linear in the ends it joins ------------------------


# j: the segment x falls in; t: where in it; low, high: the weights of its ends
@adjoint(numpy.interp)
def interp(y, x, xp, fp, left=None, right=None, period=None):
    j, inside = interp_segment(x, xp, period)
    t = (x - xp[j]) / (xp[j + 1] - xp[j])
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    low = inside * (1.0 - t) + (x < xp[0]) * absent(left)
    high = inside * t + (x > xp[-1]) * absent(right)
    d[x] = d[y] * inside * slope
    d[fp] = scatter_sum(d[y] * low, j, np.size(fp))
    d[fp] = scatter_sum(d[y] * high, j + 1, np.size(fp))
    d[xp] = scatter_sum(d[y] * inside * slope * (t - 1.0), j, np.size(xp))
    d[xp] = scatter_sum(-d[y] * inside * slope * t, j + 1, np.size(xp))
    d[left] = np.sum(d[y] * (x < xp[0]))
    d[right] = np.sum(d[y] * (x > xp[-1]))


@tangent(numpy.interp)
def interp(y, x, xp, fp, left=None, right=None, period=None):
    j, inside = interp_segment(x, xp, period)
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    t = (x - xp[j]) / (xp[j + 1] - xp[j])
    low = inside * (1.0 - t) + (x < xp[0]) * absent(left)
    high = inside * t + (x > xp[-1]) * absent(right)
    d[y] = (
        d[x] * inside * slope
        + take_at(d[fp], j) * low
        + take_at(d[fp], j + 1) * high
        + (take_at(d[xp], j) * (t - 1.0) - take_at(d[xp], j + 1) * t) * inside * slope
        + d[left] * (x < xp[0])
        + d[right] * (x > xp[-1])
    )


@adjoint(scatter_sum)
def scatter_sum_adjoint(z, w, index, n):
    d[w] = np.take(d[z], index)


@tangent(scatter_sum)
def scatter_sum_tangent(z, w, index, n):
    d[z] = scatter_sum(d[w], index, n)


@adjoint(take_at)
def take_at_adjoint(z, h, index):
    d[h] = scatter_sum(d[z], index, np.size(h))


@tangent(take_at)
def take_at_tangent(z, h, index):
    d[z] = take_at(d[h], index)


# quantiles: linear in the two sorted elements each one interpolates between --------


@adjoint(numpy.quantile)
def quantile(
    y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False
):
    d[a] = quantile_scatter(d[y], a, q, axis, keepdims, method)
    d[q] = quantile_q_grad(d[y], a, q, axis, keepdims, method)


@tangent(numpy.quantile)
def quantile(
    y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False
):
    d[y] = quantile_gather(d[a], a, q, axis, keepdims, method)


@adjoint(numpy.percentile)
def percentile(
    y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False
):
    d[a] = quantile_scatter(d[y], a, np.asarray(q) / 100.0, axis, keepdims, method)
    d[q] = (
        quantile_q_grad(d[y], a, np.asarray(q) / 100.0, axis, keepdims, method) / 100.0
    )


@tangent(numpy.percentile)
def percentile(
    y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False
):
    d[y] = quantile_gather(d[a], a, np.asarray(q) / 100.0, axis, keepdims, method)


@adjoint(numpy.median)
def median(y, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    d[a] = quantile_scatter(d[y], a, 0.5, axis, keepdims)


@tangent(numpy.median)
def median(y, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    d[y] = quantile_gather(d[a], a, 0.5, axis, keepdims)


# each is the other's transpose
linear(quantile_gather, "quantile_scatter(d[y], a, q, axis, keepdims, method)")
linear(quantile_scatter, "quantile_gather(d[y], a, q, axis, keepdims, method)")


# linear algebra ----------------------------------------------------------------------


@adjoint(numpy.linalg.eigvalsh)
def eigvalsh(w, a, UPLO="L"):
    v = np.linalg.eigh(a, UPLO)[1]
    d[a] = (v * d[w][..., None, :]) @ np.swapaxes(v, -1, -2)


# diag(v' dA v), dA the symmetric matrix the triangle read stands for
@tangent(numpy.linalg.eigvalsh)
def eigvalsh(w, a, UPLO="L"):
    v = np.linalg.eigh(a, UPLO)[1]
    if UPLO == "U" or UPLO == "u":
        da = np.triu(d[a]) + mT(np.triu(d[a], 1))
    else:
        da = np.tril(d[a]) + mT(np.tril(d[a], -1))
    d[w] = np.diagonal(mT(v) @ da @ v, axis1=-2, axis2=-1)


# axis= (np.linalg.cross passes it) puts the vectors on one axis of all three
@adjoint(numpy.cross)
def cross(y, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is None and (axisa != -1 or axisb != -1 or axisc != -1):
        raise NotImplementedError("np.cross with axisa, axisb or axisc: pass axis=")
    d[a] = unbroadcast(np.cross(b, d[y], axis=axis), a)
    d[b] = unbroadcast(np.cross(d[y], a, axis=axis), b)


bilinear(numpy.cross)


if hasattr(numpy, "vecdot"):  # NumPy 2
    # x1 . x2 along axis: the other's elements times the gradient, spread along it
    @adjoint(numpy.vecdot)
    def vecdot(y, x1, x2, axis=-1):
        spread = np.expand_dims(d[y], axis)
        d[x1] = unbroadcast(spread * x2, x1)
        d[x2] = unbroadcast(spread * x1, x2)

    bilinear(numpy.vecdot)


@adjoint([numpy.conjugate, numpy.conj])
def conjugate(y, x):
    d[x] = np.conjugate(d[y])


@tangent([numpy.conjugate, numpy.conj])
def conjugate(y, x):
    d[y] = np.conjugate(d[x])


# NumPy's array-API names of functions that have templates under their own names
for _alias, _name in ((numpy.linalg.matmul, numpy.matmul),):
    tpl.ADJOINTS[_alias] = tpl.ADJOINTS[_name]
    tpl.TANGENTS[_alias] = tpl.TANGENTS[_name]


# polynomials: cheaper than polyval's loop, whose every step the source path saves ---


@adjoint(numpy.polyval)
def polyval(y, p, x):
    n = np.shape(p)[0]
    slopes = p[:-1] * np.arange(n - 1, 0, -1)  # the derivative's coefficients
    d[x] = unbroadcast(d[y] * np.polyval(slopes, x), x)
    d[p] = polyval_coefficients(d[y], x, n)


@tangent(numpy.polyval)
def polyval(y, p, x):  # linear in p: a zero tangent of p drops its term
    n = np.shape(p)[0]
    slopes = p[:-1] * np.arange(n - 1, 0, -1)
    d[y] = np.polyval(d[p], x) + d[x] * np.polyval(slopes, x)


tpl.linear_in(numpy.polyval, 0)


# polyval_coefficients(g, x, n) is the transpose of polyval(., x) in the coefficients
@adjoint(polyval_coefficients)
def polyval_coefficients_adjoint(z, g, x, n):
    d[g] = unbroadcast(np.polyval(d[z], x), g)
    slopes = d[z][:-1] * np.arange(n - 1, 0, -1)
    d[x] = unbroadcast(g * np.polyval(slopes, x), x)


# in x: coefficient j gains (n - 1 - j) times the sum for j + 1 (none for the last)
@tangent(polyval_coefficients)
def polyval_coefficients_tangent(z, g, x, n):
    shifted = np.roll(polyval_coefficients(g * d[x], x, n), -1)
    d[z] = polyval_coefficients(d[g], x, n) + shifted * np.arange(n - 1, -1, -1)


# column k of vander(x, n) is x ** (n - 1 - k) (x ** k when increasing): its
# derivative is the next column (the one before) times the power
@adjoint(numpy.vander)
def vander(y, x, N=None, increasing=False):
    n = np.shape(y)[1]
    if increasing:
        d[x] = np.sum(d[y][:, 1:] * np.arange(1, n) * y[:, :-1], axis=1)
    else:
        d[x] = np.sum(d[y][:, :-1] * np.arange(n - 1, 0, -1) * y[:, 1:], axis=1)


@tangent(numpy.vander)
def vander(y, x, N=None, increasing=False):
    n = np.shape(y)[1]
    column = np.reshape(d[x], (-1, 1))
    if increasing:
        d[y] = np.pad(column * np.arange(1, n) * y[:, :-1], ((0, 0), (1, 0)))
    else:
        d[y] = np.pad(column * np.arange(n - 1, 0, -1) * y[:, 1:], ((0, 0), (0, 1)))


# a poly1d object keeps its coefficients where no gradient can follow them
refused(
    numpy.poly1d,
    "np.poly1d of coefficients to differentiate: evaluate the polynomial with "
    "np.polyval(c, x) instead (poly1d(c)(x) is polyval(c, x))",
)
