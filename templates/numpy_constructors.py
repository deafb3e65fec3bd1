"""Constructors that take values: a fill value, the ends of a range, the value of
a step function at its step.  Their shapes, dtypes and counts are declared constant
in ``constants.py``; the values here are differentiated, in both modes."""

import numpy
import numpy as np

from tangentlike.runtime import broadcast_like, unbroadcast_as
from tangentlike.template import adjoint, d, tangent


@adjoint(numpy.full)
def full(y, shape, fill_value, dtype=None, order="C"):
    d[fill_value] = unbroadcast_as(d[y], fill_value)


@tangent(numpy.full)
def full_tangent(y, shape, fill_value, dtype=None, order="C"):
    d[y] = np.zeros_like(y) + d[fill_value]


@adjoint(numpy.full_like)
def full_like(y, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    d[fill_value] = unbroadcast_as(d[y], fill_value)


@tangent(numpy.full_like)
def full_like_tangent(y, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    d[y] = np.zeros_like(y) + d[fill_value]


# y = start + (stop - start) * t, t running from 0 to 1 along ``axis``
@adjoint(numpy.linspace)
def linspace(y, start, stop, num=50, endpoint=True, dtype=None, axis=0):
    t = np.linspace(0.0, 1.0, num, endpoint=endpoint)
    along = np.moveaxis(d[y], axis, -1)
    d[start] = unbroadcast_as(along @ (1.0 - t), start)
    d[stop] = unbroadcast_as(along @ t, stop)


# y = start * (1 - t) + stop * t with t along ``axis`` (counted from the end, so
# that broadcast_like gives the shape of y where an end not differentiated has
# more axes than the other); written with outer products, not linspace(axis=),
# which Dask's linspace does not take
@tangent(numpy.linspace)
def linspace_tangent(y, start, stop, num=50, endpoint=True, dtype=None, axis=0):
    t = np.linspace(0.0, 1.0, num, endpoint=endpoint, dtype=y.dtype)
    back = axis % np.ndim(y) - np.ndim(y)
    ends = np.multiply.outer(d[start], 1.0 - t) + np.multiply.outer(d[stop], t)
    d[y] = broadcast_like(np.moveaxis(ends, -1, back), y)


# heaviside(x1, x2) is x2 where x1 == 0 (and 0 or 1 elsewhere)
@adjoint(numpy.heaviside)
def heaviside(y, x1, x2):
    d[x2] = unbroadcast_as(d[y] * (x1 == 0), x2)


@tangent(numpy.heaviside)
def heaviside_tangent(y, x1, x2):
    d[y] = d[x2] * (x1 == 0)


# arange(start, stop, step) is start + i * step for i = 0, 1, ...: the stop only
# counts the elements; arange(n) alone is 0, 1, ..., a count (n is ``start`` here)
@adjoint(numpy.arange)
def arange(y, start, stop=None, step=None, dtype=None):
    if stop is not None:
        d[start] = np.sum(d[y])
        if step is not None:
            d[step] = np.sum(d[y] * np.arange(np.size(y)))


@tangent(numpy.arange)
def arange_tangent(y, start, stop=None, step=None, dtype=None):
    if stop is None:
        d[y] = np.zeros_like(y)
    elif step is None:
        d[y] = np.zeros_like(y) + d[start]
    else:
        d[y] = d[start] + d[step] * np.arange(np.size(y))
