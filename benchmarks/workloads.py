"""Benchmark workloads: each a function, a hand-written NumPy gradient and inputs.

A hand-written gradient returns ``(value, gradient)`` like tangentlike's generated
code does, since that code computes the primal value in the same sweep.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

try:  # SciPy is optional: without it, the mixture workload is left out
    from scipy.special import log_softmax, logsumexp
except ImportError:
    log_softmax = logsumexp = None


@dataclass
class Workload:
    name: str
    title: str
    func: object
    hand: object
    make_args: object
    wrt: object = 0
    number: int = 1  # calls per timed batch
    memory: bool = False
    args: tuple = field(default=(), repr=False)


# 1: a scalar function of one float with many tiny ops --------------------------------
def scalar_ops(x):
    a = x * 2.0 + 1.0
    b = math.sin(a) * x
    c = b / (1.0 + x * x)
    d = math.exp(-c) - 0.5 * x
    e = d * d + math.tanh(b)
    return e * 3.0 - a


def scalar_ops_hand(x):
    a = x * 2.0 + 1.0
    sa = math.sin(a)
    b = sa * x
    q = 1.0 + x * x
    c = b / q
    ec = math.exp(-c)
    d = ec - 0.5 * x
    tb = math.tanh(b)
    value = (d * d + tb) * 3.0 - a
    bd = 6.0 * d
    bb = 3.0 * (1.0 - tb * tb)
    bc = -bd * ec
    bb += bc / q
    bx = -0.5 * bd - bc * c / q * 2.0 * x
    ba = bb * x * math.cos(a) - 1.0
    bx += bb * sa + 2.0 * ba
    return value, bx


# 2: a scalar recurrence in a Python loop ---------------------------------------------
def recurrence(x):
    h = x
    for _i in range(100):
        h = 0.5 * h + math.sin(h) * 0.1
    return h


def recurrence_long(x):
    h = x
    for _i in range(10000):
        h = 0.5 * h + math.sin(h) * 0.1
    return h


def _recurrence_hand(x, n):
    hs = [0.0] * n
    h = x
    for i in range(n):
        hs[i] = h
        h = 0.5 * h + math.sin(h) * 0.1
    g = 1.0
    for i in range(n - 1, -1, -1):
        g *= 0.5 + 0.1 * math.cos(hs[i])
    return h, g


def recurrence_hand(x):
    return _recurrence_hand(x, 100)


def recurrence_long_hand(x):
    return _recurrence_hand(x, 10000)


# 3: logistic regression ---------------------------------------------------------------
def logreg(w, X, y):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def logreg_hand(w, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    value = -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
    return value, X.T @ ((p - y) / y.shape[0])


# 4: MLP 784-512-256-10, tanh, softmax cross-entropy ---------------------------------
def mlp(W1, b1, W2, b2, W3, b3, X, Y):
    h1 = np.tanh(X @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    logits = h2 @ W3 + b3
    m = np.max(logits, axis=1, keepdims=True)
    s = logits - m
    lse = np.log(np.sum(np.exp(s), axis=1, keepdims=True))
    return -np.sum(Y * (s - lse)) / X.shape[0]


def mlp_hand(W1, b1, W2, b2, W3, b3, X, Y):
    h1 = np.tanh(X @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    logits = h2 @ W3 + b3
    s = logits - np.max(logits, axis=1, keepdims=True)
    e = np.exp(s)
    total = np.sum(e, axis=1, keepdims=True)
    n = X.shape[0]
    value = -np.sum(Y * (s - np.log(total))) / n
    g3 = (e / total * np.sum(Y, axis=1, keepdims=True) - Y) / n
    g2 = (g3 @ W3.T) * (1.0 - h2 * h2)
    g1 = (g2 @ W2.T) * (1.0 - h1 * h1)
    grads = (X.T @ g1, g1.sum(0), h1.T @ g2, g2.sum(0), h2.T @ g3, g3.sum(0))
    return value, grads


# 5: tanh RNN, 50 steps, hidden 128, batch 32 -------------------------------------------
def rnn(Wx, Wh, b, xs, h0):
    h = h0
    for t in range(50):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.sum(h * h)


def rnn_hand(Wx, Wh, b, xs, h0):
    hs = [h0]
    h = h0
    for t in range(50):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
        hs.append(h)
    value = np.sum(h * h)
    gWx, gWh, gb = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    gh = 2.0 * h
    for t in range(49, -1, -1):
        ga = gh * (1.0 - hs[t + 1] * hs[t + 1])
        gWx += xs[t].T @ ga
        gWh += hs[t].T @ ga
        gb += ga.sum(0)
        gh = ga @ Wh.T
    return value, (gWx, gWh, gb)


# 6 and 7: a chain of 30 elementwise ops ---------------------------------------------------
def chain(x):
    y = np.sin(x)
    y = np.tanh(y * 0.9 + 0.1 * x) - 0.2
    y = np.sin(y)
    y = np.tanh(y * 0.9 + 0.1 * x) - 0.2
    y = np.sin(y)
    y = np.tanh(y * 0.9 + 0.1 * x) - 0.2
    y = np.sin(y)
    y = np.tanh(y * 0.9 + 0.1 * x) - 0.2
    y = np.sin(y)
    y = np.tanh(y * 0.9 + 0.1 * x) - 0.2
    return np.sum(y)


def chain_hand(x):
    ys, ts = [], []
    y = x
    for _ in range(5):
        ys.append(y)
        t = np.tanh(np.sin(y) * 0.9 + 0.1 * x)
        ts.append(t)
        y = t - 0.2
    value = np.sum(y)
    g = np.ones_like(x)
    gx = np.zeros_like(x)
    for k in range(4, -1, -1):
        g = g * (1.0 - ts[k] * ts[k])
        gx += 0.1 * g
        g = 0.9 * g * np.cos(ys[k])
    return value, gx + g


# 8: a Gaussian mixture's negative log-likelihood, by scipy.special.logsumexp --------------
def mixture(mu, log_sigma, logits, x):
    z = (x[:, None] - mu) / np.exp(log_sigma)
    log_density = -0.5 * z * z - log_sigma - 0.9189385332046727
    return -np.sum(logsumexp(log_density + log_softmax(logits), axis=1))


def mixture_hand(mu, log_sigma, logits, x):
    sigma = np.exp(log_sigma)
    z = (x[:, None] - mu) / sigma
    log_weights = logits - logsumexp(logits)
    joint = -0.5 * z * z - log_sigma - 0.9189385332046727 + log_weights
    total = logsumexp(joint, axis=1)
    r = np.exp(joint - total[:, None])  # the responsibilities
    g_mu = -np.sum(r * z, axis=0) / sigma
    g_log_sigma = -np.sum(r * (z * z - 1.0), axis=0)
    g_logits = x.size * np.exp(log_weights) - np.sum(r, axis=0)
    return -np.sum(total), (g_mu, g_log_sigma, g_logits)


# 9: a least-squares fit of a polynomial's coefficients, by np.polyval -------------------
def polyfit(c, t, y):
    return np.sum((np.polyval(c, t) - y) ** 2)


def polyfit_hand(c, t, y):
    r = np.polyval(c, t) - y
    g = np.empty_like(c)
    power = np.ones_like(t)
    for j in range(c.size - 1, -1, -1):  # c[j] multiplies t ** (c.size - 1 - j)
        g[j] = 2.0 * np.dot(r, power)
        power = power * t
    return np.sum(r * r), g


# inputs ----------------------------------------------------------------------------------
def _rng():
    return np.random.default_rng(0)


def _logreg_args():
    r = _rng()
    X = r.standard_normal((1000, 100))
    return 0.1 * r.standard_normal(100), X, (r.random(1000) < 0.5).astype(float)


def _mlp_args():
    r = _rng()
    sizes = [(784, 512), (512, 256), (256, 10)]
    params = []
    for n_in, n_out in sizes:
        params += [r.standard_normal((n_in, n_out)) / math.sqrt(n_in), np.zeros(n_out)]
    X = r.standard_normal((256, 784))
    Y = np.eye(10)[r.integers(0, 10, 256)]
    return (*params, X, Y)


def _mixture_args():
    r = _rng()
    x = np.concatenate([r.normal(m, 0.5, 2500) for m in (-2.0, 0.0, 1.0, 3.0)])
    return np.linspace(-2.0, 2.0, 8), np.full(8, -0.5), np.zeros(8), x


def _polyfit_args():
    r = _rng()
    t = np.linspace(-1.0, 1.0, 10_000)
    return r.standard_normal(6), t, np.sin(3.0 * t) + 0.1 * r.standard_normal(t.size)


def _rnn_args():
    r = _rng()
    Wx = r.standard_normal((64, 128)) / 8.0
    Wh = r.standard_normal((128, 128)) / math.sqrt(128)
    return Wx, Wh, np.zeros(128), r.standard_normal((50, 32, 64)), np.zeros((32, 128))


WORKLOADS = [
    Workload(
        "scalar",
        "1 scalar, many tiny ops",
        scalar_ops,
        scalar_ops_hand,
        lambda: (0.7,),
        number=2000,
    ),
    Workload(
        "loop",
        "2 recurrence, 100 steps",
        recurrence,
        recurrence_hand,
        lambda: (0.7,),
        number=50,
    ),
    Workload(
        "loop10k",
        "2b recurrence, 10,000 steps",
        recurrence_long,
        recurrence_long_hand,
        lambda: (0.7,),
        memory=True,
    ),
    Workload(
        "logreg",
        "3 logistic regression 1000x100",
        logreg,
        logreg_hand,
        _logreg_args,
        number=20,
    ),
    Workload(
        "mlp",
        "4 MLP 784-512-256-10, batch 256",
        mlp,
        mlp_hand,
        _mlp_args,
        wrt=(0, 1, 2, 3, 4, 5),
    ),
    Workload(
        "rnn",
        "5 tanh RNN 50x128, batch 32",
        rnn,
        rnn_hand,
        _rnn_args,
        wrt=(0, 1, 2),
        memory=True,
    ),
    Workload(
        "chain10",
        "6 30 elementwise ops, 10 elements",
        chain,
        chain_hand,
        lambda: (np.linspace(-1.0, 1.0, 10),),
        number=200,
    ),
    Workload(
        "chain1m",
        "7 30 elementwise ops, 1e6 elements",
        chain,
        chain_hand,
        lambda: (np.linspace(-1.0, 1.0, 1_000_000),),
    ),
    Workload(
        "polyfit",
        "9 np.polyval fit, degree 5, 10,000 points",
        polyfit,
        polyfit_hand,
        _polyfit_args,
        number=20,
    ),
]
if logsumexp is not None:
    WORKLOADS.insert(
        -1,
        Workload(
            "mixture",
            "8 Gaussian mixture, logsumexp, 8x10,000",
            mixture,
            mixture_hand,
            _mixture_args,
            wrt=(0, 1, 2),
            number=5,
        ),
    )
