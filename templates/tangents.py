"""Tangent (forward-mode) templates for operators and the non-elementwise functions
of ``numpy_core`` and ``builtins_math``; elementwise ones come from ``unary``.

``d[x]`` of a constant input is zero: its terms are dropped from generated code.
``broadcast_like`` keeps a sum's tangent in the sum's shape when a term is dropped.
"""

import math

import gast
import numpy
import numpy as np

from tangentlike import template as tpl
from tangentlike.runtime import (
    attr_part,
    broadcast_like,
    clip_mask,
    reshape_tangent,
    safe_log,
    unreduce,
)
from tangentlike.template import bilinear, d, linear, linear_in, tangent

from . import numpy_core, operators  # noqa: F401  (adjoints first)


@tangent([gast.Add, numpy.add])
def add(z, x, y):
    d[z] = broadcast_like(d[x] + d[y], z)


@tangent([gast.Sub, numpy.subtract])
def sub(z, x, y):
    d[z] = broadcast_like(d[x] - d[y], z)


@tangent([gast.Mult, numpy.multiply])
def mul(z, x, y):
    d[z] = d[x] * y + x * d[y]


@tangent([gast.Div, numpy.divide, numpy.true_divide])
def div(z, x, y):
    d[z] = d[x] / y - z * d[y] / y


@tangent([gast.Pow, numpy.power])
def pow(z, x, y):
    d[z] = d[x] * y * x ** (y - 1) + d[y] * z * safe_log(x)


@tangent([gast.USub, numpy.negative])
def neg(z, x):
    d[z] = -d[x]


@tangent([gast.UAdd, numpy.positive])
def pos(z, x):
    d[z] = d[x]


@tangent(("attr", "T"))
def transpose_attr(z, x):
    d[z] = np.transpose(d[x])


@tangent(("attr", "real"))
def real(z, x):
    d[z] = np.real(d[x])


@tangent(("attr", "*"))
def attribute(y, obj, name):
    d[y] = attr_part(d[obj], obj, name)


@tangent(numpy.maximum)
def maximum(z, x, y):
    d[z] = broadcast_like(np.where(x >= y, d[x], d[y]), z)


@tangent(numpy.minimum)
def minimum(z, x, y):
    d[z] = broadcast_like(np.where(x <= y, d[x], d[y]), z)


@tangent(numpy.where)
def where(z, condition, x, y):
    d[z] = broadcast_like(np.where(condition, d[x], d[y]), z)


@tangent(numpy.clip)
def clip(z, a, a_min=None, a_max=None):
    d[z] = (
        d[a] * clip_mask(a, a_min, a_max)
        + d[a_min] * (a < a_min)
        + d[a_max] * (a > a_max)
    )


linear([numpy.sum, numpy.mean, numpy.transpose])
bilinear([numpy.dot, numpy.matmul])
tpl.TANGENTS[gast.MatMult] = tpl.TANGENTS[numpy.matmul]
linear_in(numpy.reshape, 0)
linear_in(numpy.ravel, 0)


# ties share the tangent equally
@tangent([numpy.max, numpy.amax, numpy.min, numpy.amin, numpy.nanmax, numpy.nanmin])
def max(y, a, axis=None, out=None, keepdims=False):
    hit = a == unreduce(y, a, axis, keepdims)
    count = np.sum(hit, axis=axis, keepdims=keepdims, dtype=y.dtype)
    d[y] = np.sum(d[a] * hit, axis=axis, keepdims=keepdims) / count


@tangent(numpy.reshape)
def reshape(y, a, shape=None, order="C"):
    if order == "C":
        d[y] = np.reshape(d[a], np.shape(y))
    elif order == "F":
        d[y] = np.reshape(d[a], np.shape(y), order="F")
    else:
        d[y] = reshape_tangent(d[a], a, np.shape(y), order)


@tangent(numpy.ravel)
def ravel(y, a, order="C"):
    if order == "C":
        d[y] = np.ravel(d[a])
    elif order == "F":
        d[y] = np.ravel(d[a], order="F")
    else:
        d[y] = reshape_tangent(d[a], a, np.shape(y), order)


for primal in (numpy.copy, numpy.asarray, numpy.asanyarray, numpy.array):
    linear_in(primal, 0)


@tangent([numpy.copy, numpy.asarray, numpy.asanyarray, numpy.array])
def copy(y, a, dtype=None, *, ndmin=0):
    if dtype is None:
        if ndmin == 0:
            d[y] = np.array(d[a])
        else:
            d[y] = np.array(d[a], ndmin=ndmin)
    elif ndmin == 0:  # a cast to integers or booleans: a step function
        d[y] = np.array(d[a]) * (y.dtype.kind in "fc")
    else:
        d[y] = np.array(d[a], ndmin=ndmin) * (y.dtype.kind in "fc")


@tangent(math.pow)
def math_pow(z, x, y):
    d[z] = d[x] * y * math.pow(x, y - 1.0) + d[y] * z * math.log(x)


@tangent([gast.Mod, numpy.mod, numpy.remainder])
def mod(z, x, y):
    d[z] = d[x] - d[y] * np.floor_divide(x, y)


# the logistic sigmoid written out, and its logarithms (tangentlike.transform.fused)
@tangent(("fused", "sigmoid"))
def sigmoid(y, x):
    d[y] = d[x] * y * (1.0 - y)


@tangent(("fused", "log_sigmoid"))
def log_sigmoid(y, x, p):
    d[y] = d[x] * (1.0 - p)


@tangent(("fused", "log1m_sigmoid"))
def log1m_sigmoid(y, x, p):
    d[y] = -d[x] * p


@tangent(("fused", "softmax"))
def softmax(y, x, axis):
    d[y] = y * (d[x] - np.sum(d[x] * y, axis=axis, keepdims=True))


@tangent(("fused", "log_softmax"))
def log_softmax(y, x, p, axis):
    d[y] = d[x] - np.sum(p * d[x], axis=axis, keepdims=True)


@tangent(("fused", "log_softmax_item"))
def log_softmax_item(y, x, p, index, axis):
    d[y] = (d[x] - np.sum(p * d[x], axis=axis, keepdims=True))[index]


@tangent(("fused", "logsumexp"))
def logsumexp(y, x, e, s, axis):
    d[y] = np.sum(e * d[x], axis=axis) / s


@tangent(("fused", "logsumexp_kept"))
def logsumexp_kept(y, x, e, s, axis):
    d[y] = np.sum(e * d[x], axis=axis, keepdims=True) / s


@tangent(("fused", "pairwise_sqdist"))
def pairwise_sqdist(s, x, y, diff):
    d[s] = 2.0 * np.sum(diff * d[diff], axis=-1)
