"""Python's operators: + - * / ** @, unary minus and plus, and attributes like ``.T``."""

import gast
import numpy
import numpy as np

from tangentlike.runtime import (
    add_at,
    attr_grad,
    matmul_lhs,
    matmul_rhs,
    pairwise_weights,
    picked_sum,
    safe_log,
    unbroadcast,
)
from tangentlike.template import adjoint, d


@adjoint([gast.Add, numpy.add])
def add(z, x, y):
    d[x] = unbroadcast(d[z], x)
    d[y] = unbroadcast(d[z], y)


@adjoint([gast.Sub, numpy.subtract])
def sub(z, x, y):
    d[x] = unbroadcast(d[z], x)
    d[y] = -unbroadcast(d[z], y)  # summed, then negated, where y was broadcast


@adjoint([gast.Mult, numpy.multiply])
def mul(z, x, y):
    d[x] = unbroadcast(d[z] * y, x)
    d[y] = unbroadcast(d[z] * x, y)


@adjoint([gast.Div, numpy.divide, numpy.true_divide])
def div(z, x, y):
    d[x] = unbroadcast(d[z] / y, x)
    d[y] = -unbroadcast(d[z] * z / y, y)


@adjoint([gast.Pow, numpy.power])
def pow(z, x, y):
    d[x] = unbroadcast(d[z] * y * x ** (y - 1), x)
    d[y] = unbroadcast(d[z] * z * safe_log(x), y)


@adjoint([gast.Mod, numpy.mod, numpy.remainder])
def mod(z, x, y):
    d[x] = unbroadcast(d[z], x)
    d[y] = unbroadcast(-d[z] * np.floor_divide(x, y), y)


@adjoint([gast.MatMult, numpy.matmul])
def matmul(z, x, y):
    d[x] = matmul_lhs(d[z], x, y)
    d[y] = matmul_rhs(d[z], x, y)


@adjoint([gast.USub, numpy.negative])
def neg(z, x):
    d[x] = -d[z]


@adjoint([gast.UAdd, numpy.positive])
def pos(z, x):
    d[x] = d[z]


@adjoint(("attr", "T"))
def transpose_attr(z, x):
    d[x] = np.transpose(d[z])


@adjoint(("attr", "real"))
def real(z, x):
    d[x] = d[z]


# an attribute of an object (``model.W``): its gradient is the object's, by name
@adjoint(("attr", "*"))
def attribute(y, obj, name):
    d[obj] = attr_grad(d[y], obj, name)


# the logistic sigmoid written out, 1 / (1 + exp(-x)), and its logarithms, as
# tangentlike.transform.fused marks them: y = sigmoid(x), log(p), log(1 - p)
@adjoint(("fused", "sigmoid"))
def sigmoid(y, x):
    d[x] = d[y] * y * (1.0 - y)


@adjoint(("fused", "log_sigmoid"))
def log_sigmoid(y, x, p):
    d[x] = d[y] * (1.0 - p)


@adjoint(("fused", "log1m_sigmoid"))
def log1m_sigmoid(y, x, p):
    d[x] = -d[y] * p


# the softmax written out, exp(x - max(x)) / sum(exp(x - max(x))), and its
# logarithm, as tangentlike.transform.fused marks them (along one axis)
@adjoint(("fused", "softmax"))
def softmax(y, x, axis):
    d[x] = y * (d[y] - np.sum(d[y] * y, axis=axis, keepdims=True))


@adjoint(("fused", "log_softmax"))
def log_softmax(y, x, p, axis):
    d[x] = d[y] - p * np.sum(d[y], axis=axis, keepdims=True)


# log-softmax picked, log(p[index]): the same, d[y] scattered to the picked places
# (added there last, to -p * sum(d[y]) along the axis: one pass less; the sums of
# the scattered d[y] along the axis are d[y] scattered along the other axis alone)
@adjoint(("fused", "log_softmax_item"))
def log_softmax_item(y, x, p, index, axis):
    total = picked_sum(d[y], p, index, axis)
    d[x] = add_at(p * -total, p, index, d[y])


# the log-sum-exp written out, m + log(sum(e)) with e = exp(x - m), m = max(x):
# e and s = sum(e) are the statements' own; without keepdims, m is added as m[:, 0]
@adjoint(("fused", "logsumexp"))
def logsumexp(y, x, e, s, axis):
    d[x] = np.expand_dims(d[y] / s, axis) * e


@adjoint(("fused", "logsumexp_kept"))
def logsumexp_kept(y, x, e, s, axis):
    d[x] = d[y] / s * e


# squared distances between the rows of x and y written out, np.sum(d * d, axis=-1)
# of d = x[:, None, :] - y[None, :, :] (tangentlike.transform.fused_pairs): sums and
# products of the (n, m) gradient, no pass over the (n, m, k) differences
@adjoint(("fused", "pairwise_sqdist"))
def pairwise_sqdist(s, x, y, diff):
    g = pairwise_weights(d[s], x, y)
    d[x] = 2.0 * (np.sum(g, axis=1)[:, None] * x - g @ y)
    d[y] = 2.0 * (np.sum(g, axis=0)[:, None] * y - np.transpose(g) @ x)
