"""SciPy's special functions: compiled ufuncs with no Python source, and the
reductions ``logsumexp``, ``softmax`` and ``log_softmax`` (cheaper as templates than
SciPy's array-API source).

Loaded only once the user's code has imported ``scipy.special``
(``template.load_templates``); ``import tangentlike`` imports no SciPy.
"""

import numpy as np
import scipy.special
from scipy.special import digamma, expit, gamma, zeta  # noqa: F401  (rules' names)

from tangentlike.runtime import unbroadcast, unreduce
from tangentlike.template import adjoint, d, neutral, tangent, unary

# 1.1283791670955126 is 2 / sqrt(pi), 0.3989422804014327 is 1 / sqrt(2 pi)
unary(scipy.special.expit, "y * (1.0 - y)")
unary(scipy.special.log_expit, "expit(-x)")
unary(scipy.special.logit, "1.0 / (x * (1.0 - x))")
unary(scipy.special.erf, "1.1283791670955126 * np.exp(-x * x)")
unary(scipy.special.erfc, "-1.1283791670955126 * np.exp(-x * x)")
unary(scipy.special.ndtr, "0.3989422804014327 * np.exp(-0.5 * x * x)")
unary(scipy.special.log_ndtr, "0.3989422804014327 * np.exp(-0.5 * x * x - y)")
unary(scipy.special.ndtri, "2.5066282746310002 * np.exp(0.5 * y * y)")
unary(scipy.special.gamma, "y * digamma(x)")
unary(scipy.special.gammaln, "digamma(x)")
unary(scipy.special.digamma, "zeta(2.0, x)")  # polygamma(1, x), as SciPy computes it
unary(scipy.special.entr, "-(np.log(x) + 1.0)")


# polygamma(n + 1, x) as SciPy computes it for n + 1 > 0, in ufuncs, which a Dask
# array takes block by block (polygamma itself makes NumPy arrays of its arguments)
@adjoint(scipy.special.polygamma)
def polygamma_(y, n, x):
    d[x] = unbroadcast(d[y] * (-1.0) ** (n + 2) * gamma(n + 2.0) * zeta(n + 2, x), x)


@tangent(scipy.special.polygamma)
def polygamma_tangent(y, n, x):
    d[y] = d[x] * (-1.0) ** (n + 2) * gamma(n + 2.0) * zeta(n + 2, x)


# the Hurwitz zeta function zeta(x, q) in q; in x it has no closed form
@adjoint(scipy.special.zeta)
def zeta_(y, x, q=None):
    d[q] = unbroadcast(-d[y] * x * zeta(x + 1.0, q), q)


@tangent(scipy.special.zeta)
def zeta_tangent(y, x, q=None):
    d[y] = -d[q] * x * zeta(x + 1.0, q)


# x * log(y) and its kin: zero where x is zero ----------------------------------------


@adjoint(scipy.special.xlogy)
def xlogy(z, x, y):
    d[x] = unbroadcast(d[z] * np.log(y), x)
    d[y] = unbroadcast(d[z] * x / y, y)


@tangent(scipy.special.xlogy)
def xlogy_tangent(z, x, y):
    d[z] = d[x] * np.log(y) + d[y] * x / y


@adjoint(scipy.special.xlog1py)
def xlog1py(z, x, y):
    d[x] = unbroadcast(d[z] * np.log1p(y), x)
    d[y] = unbroadcast(d[z] * x / (1.0 + y), y)


@tangent(scipy.special.xlog1py)
def xlog1py_tangent(z, x, y):
    d[z] = d[x] * np.log1p(y) + d[y] * x / (1.0 + y)


@adjoint(scipy.special.rel_entr)
def rel_entr(z, x, y):
    d[x] = unbroadcast(d[z] * (np.log(x / y) + 1.0), x)
    d[y] = unbroadcast(-d[z] * x / y, y)


@tangent(scipy.special.rel_entr)
def rel_entr_tangent(z, x, y):
    d[z] = d[x] * (np.log(x / y) + 1.0) - d[y] * x / y


# x * log(x / y) - x + y: rel_entr's, plus y - x
@adjoint(scipy.special.kl_div)
def kl_div(z, x, y):
    d[x] = unbroadcast(d[z] * np.log(x / y), x)
    d[y] = unbroadcast(d[z] * (1.0 - x / y), y)


@tangent(scipy.special.kl_div)
def kl_div_tangent(z, x, y):
    d[z] = d[x] * np.log(x / y) + d[y] * (1.0 - x / y)


# r * r / 2 inside [-delta, delta], linear outside: the slope is r clipped to it
@adjoint(scipy.special.huber)
def huber(z, delta, r):
    d[r] = unbroadcast(d[z] * np.clip(r, -delta, delta), r)
    d[delta] = unbroadcast(d[z] * np.maximum(np.abs(r) - delta, 0.0), delta)


@tangent(scipy.special.huber)
def huber_tangent(z, delta, r):
    d[z] = d[r] * np.clip(r, -delta, delta) + d[delta] * np.maximum(
        np.abs(r) - delta, 0.0
    )


@adjoint(scipy.special.betaln)
def betaln(z, a, b):
    d[a] = unbroadcast(d[z] * (digamma(a) - digamma(a + b)), a)
    d[b] = unbroadcast(d[z] * (digamma(b) - digamma(a + b)), b)


@tangent(scipy.special.betaln)
def betaln_tangent(z, a, b):
    d[z] = d[a] * (digamma(a) - digamma(a + b)) + d[b] * (digamma(b) - digamma(a + b))


# reductions: the weights exp(a - y) are the softmax of a --------------------------


@adjoint(scipy.special.logsumexp)
def logsumexp(y, a, axis=None, b=None, keepdims=False, return_sign=False):
    if return_sign:
        raise NotImplementedError("logsumexp with return_sign=True")
    weights = np.exp(a - unreduce(y, a, axis, keepdims))
    if b is None:
        d[a] = unreduce(d[y], a, axis, keepdims) * weights
    else:
        spread = unreduce(d[y], weights, axis, keepdims) * weights
        d[a] = unbroadcast(spread * b, a)
        d[b] = unbroadcast(spread, b)


@tangent(scipy.special.logsumexp)
def logsumexp_tangent(y, a, axis=None, b=None, keepdims=False, return_sign=False):
    if return_sign:
        raise NotImplementedError("logsumexp with return_sign=True")
    weights = np.exp(a - unreduce(y, a, axis, keepdims))
    if b is None:
        d[y] = np.sum(d[a] * weights, axis=axis, keepdims=keepdims)
    else:
        d[y] = np.sum((d[a] * b + d[b]) * weights, axis=axis, keepdims=keepdims)


@adjoint(scipy.special.softmax)
def softmax(y, x, axis=None):
    weighted = d[y] * y
    d[x] = weighted - y * np.sum(weighted, axis=axis, keepdims=True)


@tangent(scipy.special.softmax)
def softmax_tangent(y, x, axis=None):
    weighted = d[x] * y
    d[y] = weighted - y * np.sum(weighted, axis=axis, keepdims=True)


@adjoint(scipy.special.log_softmax)
def log_softmax(y, x, axis=None):
    d[x] = d[y] - np.exp(y) * np.sum(d[y], axis=axis, keepdims=True)


@tangent(scipy.special.log_softmax)
def log_softmax_tangent(y, x, axis=None):
    d[y] = d[x] - np.sum(np.exp(y) * d[x], axis=axis, keepdims=True)


UFUNCS = [
    scipy.special.expit,
    scipy.special.log_expit,
    scipy.special.logit,
    scipy.special.erf,
    scipy.special.erfc,
    scipy.special.ndtr,
    scipy.special.log_ndtr,
    scipy.special.ndtri,
    scipy.special.gamma,
    scipy.special.gammaln,
    scipy.special.digamma,
    scipy.special.zeta,
    scipy.special.entr,
    scipy.special.xlogy,
    scipy.special.xlog1py,
    scipy.special.rel_entr,
    scipy.special.kl_div,
    scipy.special.huber,
    scipy.special.betaln,
]
neutral(UFUNCS, "casting", "order", "dtype", "subok", "signature", out=None, where=True)
