"""NumPy functions that edit an array (insert, delete, nan_to_num) or take its
finite differences (gradient), whose Python source tangentlike cannot take: it
converts with C helpers, views and copies into arrays in place."""

import numpy
import numpy as np

from tangentlike.runtime import (
    gradient_apply,
    gradient_grad,
    insert_sources,
    scatter_sum,
    take_grad,
)
from tangentlike.template import adjoint, d, linear, tangent

# delete and insert: each element of the result is one of the arguments' ----------


# the result is arr's elements at the positions delete keeps
@adjoint(numpy.delete)
def delete(y, arr, obj, axis=None):
    if axis is None:
        kept = np.delete(np.arange(np.size(arr)), obj)
        d[arr] = np.reshape(take_grad(d[y], np.ravel(arr), kept), np.shape(arr))
    else:
        kept = np.delete(np.arange(np.shape(arr)[axis]), obj)
        d[arr] = take_grad(d[y], arr, kept, axis)


linear(numpy.delete)


# values may be broadcast to several places: their gradients are summed
@adjoint(numpy.insert)
def insert(y, arr, obj, values, axis=None):
    source = insert_sources(arr, obj, values, axis)
    d[arr] = np.reshape(d[y][source > 0], np.shape(arr))
    d[values] = np.reshape(
        scatter_sum(d[y][source < 0], -source[source < 0] - 1, np.size(values)),
        np.shape(values),
    )


@tangent(numpy.insert)
def insert(y, arr, obj, values, axis=None):
    d[y] = np.insert(d[arr], obj, d[values], axis=axis)


# nan_to_num: the identity where x is finite; the replacements where it is not ----


@adjoint(numpy.nan_to_num)
def nan_to_num(y, x, copy=True, nan=0.0, posinf=None, neginf=None):
    d[x] = d[y] * np.isfinite(x)
    d[nan] = np.sum(d[y] * np.isnan(x))
    d[posinf] = np.sum(d[y] * np.isposinf(x))
    d[neginf] = np.sum(d[y] * np.isneginf(x))


@tangent(numpy.nan_to_num)
def nan_to_num(y, x, copy=True, nan=0.0, posinf=None, neginf=None):
    d[y] = (
        d[x] * np.isfinite(x)
        + d[nan] * np.isnan(x)
        + d[posinf] * np.isposinf(x)
        + d[neginf] * np.isneginf(x)
    )


# gradient: linear in f, the spacings (up to three given) held ---------------------


@adjoint(numpy.gradient)
def gradient(y, f, s1=None, s2=None, s3=None, axis=None, edge_order=1):
    if s1 is None:
        d[f] = gradient_grad(d[y], f, (), axis, edge_order)
    elif s2 is None:
        d[f] = gradient_grad(d[y], f, (s1,), axis, edge_order)
    elif s3 is None:
        d[f] = gradient_grad(d[y], f, (s1, s2), axis, edge_order)
    else:
        d[f] = gradient_grad(d[y], f, (s1, s2, s3), axis, edge_order)


@tangent(numpy.gradient)
def gradient(y, f, s1=None, s2=None, s3=None, axis=None, edge_order=1):
    if s1 is None:
        d[y] = gradient_apply(d[f], (), axis, edge_order)
    elif s2 is None:
        d[y] = gradient_apply(d[f], (s1,), axis, edge_order)
    elif s3 is None:
        d[y] = gradient_apply(d[f], (s1, s2), axis, edge_order)
    else:
        d[y] = gradient_apply(d[f], (s1, s2, s3), axis, edge_order)


# each is the other's transpose
linear(gradient_apply, "gradient_grad(d[y], f, spacing, axis, edge_order)")
linear(gradient_grad, "gradient_apply(d[y], spacing, axis, edge_order)")
