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


# Code as users write it ------------------------------------------------------------------
# 10: a scalar loop on Python floats with NumPy's sin, the gradient w.r.t. a parameter
# that is not the loop's carry
def decay(a, x0):
    x = x0
    for _ in range(100):
        x = x + 0.01 * (-a * x + np.sin(x))
    return x


def decay_long(a, x0):
    x = x0
    for _ in range(1000):
        x = x + 0.01 * (-a * x + np.sin(x))
    return x


def _decay_hand(a, x0, n):
    xs = [0.0] * n
    x = x0
    for i in range(n):
        xs[i] = x
        x = x + 0.01 * (-a * x + np.sin(x))
    gx, ga = 1.0, 0.0
    for i in range(n - 1, -1, -1):
        ga -= 0.01 * gx * xs[i]
        gx = gx + 0.01 * gx * (np.cos(xs[i]) - a)
    return x, ga


def decay_hand(a, x0):
    return _decay_hand(a, x0, 100)


def decay_long_hand(a, x0):
    return _decay_hand(a, x0, 1000)


# 11: RK4 integration of the Lorenz system, the right-hand side a function of its own
def lorenz(s, k):
    x, y, z = s[0], s[1], s[2]
    return np.array([k[0] * (y - x), x * (k[1] - z) - y, x * y - k[2] * z])


def rk4(k, s0):
    s = s0
    dt = 0.01
    for _ in range(200):
        k1 = lorenz(s, k)
        k2 = lorenz(s + 0.5 * dt * k1, k)
        k3 = lorenz(s + 0.5 * dt * k2, k)
        k4 = lorenz(s + dt * k3, k)
        s = s + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return np.sum(s * s)


def _lorenz_vjp(s, k, g):
    x, y, z = s
    gs = np.array(
        [
            -k[0] * g[0] + (k[1] - z) * g[1] + y * g[2],
            k[0] * g[0] - g[1] + x * g[2],
            -x * g[1] - k[2] * g[2],
        ]
    )
    return gs, np.array([(y - x) * g[0], x * g[1], -z * g[2]])


def rk4_hand(k, s0):
    dt = 0.01
    s = s0
    saved = []
    for _ in range(200):
        k1 = lorenz(s, k)
        a2 = s + 0.5 * dt * k1
        k2 = lorenz(a2, k)
        a3 = s + 0.5 * dt * k2
        k3 = lorenz(a3, k)
        a4 = s + dt * k3
        k4 = lorenz(a4, k)
        saved.append((s, a2, a3, a4))
        s = s + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    value = np.sum(s * s)
    gs = 2.0 * s
    gk = np.zeros(3)
    for s, a2, a3, a4 in reversed(saved):
        g4 = dt / 6.0 * gs
        g3 = 2.0 * g4
        g2 = 2.0 * g4
        g1 = g4
        ga, gkk = _lorenz_vjp(a4, k, g4)
        gs = gs + ga
        g3 = g3 + dt * ga
        gk += gkk
        ga, gkk = _lorenz_vjp(a3, k, g3)
        gs = gs + ga
        g2 = g2 + 0.5 * dt * ga
        gk += gkk
        ga, gkk = _lorenz_vjp(a2, k, g2)
        gs = gs + ga
        g1 = g1 + 0.5 * dt * ga
        gk += gkk
        ga, gkk = _lorenz_vjp(s, k, g1)
        gs = gs + ga
        gk += gkk
    return value, gk


# 12: softmax cross-entropy of logits, the max shift written out
def softmax_xent(z, labels):
    zmax = np.max(z, axis=1, keepdims=True)
    e = np.exp(z - zmax)
    p = e / np.sum(e, axis=1, keepdims=True)
    n = z.shape[0]
    return -np.sum(np.log(p[np.arange(n), labels])) / n


def softmax_xent_hand(z, labels):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    p = e / np.sum(e, axis=1, keepdims=True)
    n = z.shape[0]
    rows = np.arange(n)
    value = -np.sum(np.log(p[rows, labels])) / n
    p[rows, labels] -= 1.0
    p /= n
    return value, p


# 13: the heat equation on a line, an explicit stencil written with slices
def heat(u0, kappa):
    u = u0
    for _ in range(100):
        lap = u[:-2] - 2.0 * u[1:-1] + u[2:]
        u_new = u.copy()
        u_new[1:-1] = u[1:-1] + kappa * lap
        u = u_new
    return np.sum(u * u)


def heat_hand(u0, kappa):
    laps = []
    u = u0
    for _ in range(100):
        lap = u[:-2] - 2.0 * u[1:-1] + u[2:]
        laps.append(lap)
        u_new = u.copy()
        u_new[1:-1] = u[1:-1] + kappa * lap
        u = u_new
    value = np.sum(u * u)
    g = 2.0 * u
    gkappa = 0.0
    for lap in reversed(laps):
        inner = g[1:-1]
        gkappa += np.sum(inner * lap)
        glap = kappa * inner
        g[1:-1] -= 2.0 * glap
        g[:-2] += glap
        g[2:] += glap
    return value, (g, gkappa)


# 14: an LSTM, 30 steps, its gates sliced out of one product
def lstm(Wx, Wh, b, xs, h0, c0):
    h, c = h0, c0
    for t in range(30):
        z = xs[t] @ Wx + h @ Wh + b
        i = 1.0 / (1.0 + np.exp(-z[:, :64]))
        f = 1.0 / (1.0 + np.exp(-z[:, 64:128]))
        o = 1.0 / (1.0 + np.exp(-z[:, 128:192]))
        g = np.tanh(z[:, 192:])
        c = f * c + i * g
        h = o * np.tanh(c)
    return np.sum(h * h)


def lstm_hand(Wx, Wh, b, xs, h0, c0):
    h, c = h0, c0
    steps = []
    for t in range(30):
        z = xs[t] @ Wx + h @ Wh + b
        ifo = 1.0 / (1.0 + np.exp(-z[:, :192]))
        g = np.tanh(z[:, 192:])
        c_prev, h_prev = c, h
        c = ifo[:, 64:128] * c + ifo[:, :64] * g
        tc = np.tanh(c)
        h = ifo[:, 128:] * tc
        steps.append((h_prev, c_prev, ifo, g, tc))
    value = np.sum(h * h)
    gWx, gWh, gb = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    gh, gc = 2.0 * h, np.zeros_like(c)
    gz = np.empty((h.shape[0], 256))
    for t in range(29, -1, -1):
        h_prev, c_prev, ifo, g, tc = steps[t]
        i, f, o = ifo[:, :64], ifo[:, 64:128], ifo[:, 128:]
        gc = gc + gh * o * (1.0 - tc * tc)
        gz[:, :64] = gc * g * i * (1.0 - i)
        gz[:, 64:128] = gc * c_prev * f * (1.0 - f)
        gz[:, 128:192] = gh * tc * o * (1.0 - o)
        gz[:, 192:] = gc * i * (1.0 - g * g)
        gc = gc * f
        gWx += xs[t].T @ gz
        gWh += h_prev.T @ gz
        gb += gz.sum(0)
        gh = gz @ Wh.T
    return value, (gWx, gWh, gb)


# 15: a Gaussian mixture's log-likelihood, its log-sum-exp written out
def gmm(mu, X, logw):
    d = X[:, None, :] - mu[None, :, :]
    sq = np.sum(d * d, axis=2)
    a = logw[None, :] - 0.5 * sq
    m = np.max(a, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(a - m), axis=1))
    return -np.sum(lse)


def gmm_hand(mu, X, logw):
    d = X[:, None, :] - mu[None, :, :]
    a = logw[None, :] - 0.5 * np.sum(d * d, axis=2)
    m = np.max(a, axis=1, keepdims=True)
    e = np.exp(a - m)
    total = np.sum(e, axis=1, keepdims=True)
    value = -np.sum(m[:, 0] + np.log(total[:, 0]))
    r = e / total
    return value, r.sum(0)[:, None] * mu - r.T @ X


# 16: a pairwise-distance energy between points
def pair_energy(x):
    d = x[:, None, :] - x[None, :, :]
    r2 = np.sum(d * d, axis=-1) + 1.0
    return np.sum(1.0 / r2)


def pair_energy_hand(x):
    d = x[:, None, :] - x[None, :, :]
    inv = 1.0 / (np.sum(d * d, axis=-1) + 1.0)
    w = inv * inv
    return np.sum(inv), 4.0 * (w @ x - w.sum(1)[:, None] * x)


# 17: a two-layer MLP whose parameters are a dict, on a small batch: per-call costs
def mlp_dict(params, x, y):
    h = np.tanh(x @ params["W1"] + params["b1"])
    out = h @ params["W2"] + params["b2"]
    return np.mean((out - y) ** 2)


def mlp_dict_hand(params, x, y):
    h = np.tanh(x @ params["W1"] + params["b1"])
    diff = h @ params["W2"] + params["b2"] - y
    value = np.mean(diff**2)
    g = diff * (2.0 / diff.size)
    gh = (g @ params["W2"].T) * (1.0 - h * h)
    grads = {"W1": x.T @ gh, "b1": gh.sum(0), "W2": h.T @ g, "b2": g.sum(0)}
    return value, grads


# 18: 30 steps of math.sin on Python floats, the gradient w.r.t. the rate
def sin_steps(a, x):
    for _ in range(30):
        x = x + 0.1 * math.sin(a * x)
    return x


def sin_steps_hand(a, x):
    xs = [0.0] * 30
    for i in range(30):
        xs[i] = x
        x = x + 0.1 * math.sin(a * x)
    gx, ga = 1.0, 0.0
    for i in range(29, -1, -1):
        c = gx * 0.1 * math.cos(a * xs[i])
        ga += c * xs[i]
        gx = gx + c * a
    return x, ga


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


def _rk4_args():
    return np.array([10.0, 28.0, 8.0 / 3.0]), np.array([1.0, 1.0, 1.0])


def _softmax_args():
    r = _rng()
    return r.standard_normal((512, 100)), r.integers(0, 100, 512)


def _heat_args():
    x = np.linspace(0.0, 1.0, 256)
    return np.sin(3.0 * np.pi * x) + 0.1 * _rng().standard_normal(256), 0.2


def _lstm_args():
    r = _rng()
    Wx = r.standard_normal((32, 256)) / math.sqrt(32)
    Wh = r.standard_normal((64, 256)) / 8.0
    xs = r.standard_normal((30, 16, 32))
    return Wx, Wh, np.zeros(256), xs, np.zeros((16, 64)), np.zeros((16, 64))


def _mlp_dict_args():
    r = _rng()
    params = {
        "W1": r.standard_normal((4, 16)) / 2.0,
        "b1": np.zeros(16),
        "W2": r.standard_normal((16, 1)) / 4.0,
        "b2": np.zeros(1),
    }
    return params, r.standard_normal((8, 4)), r.standard_normal((8, 1))


def _gmm_args():
    r = _rng()
    return r.standard_normal((16, 4)), r.standard_normal((500, 4)), np.zeros(16)


WORKLOADS = [
    Workload(
        "scalar",
        "1 scalar, many tiny ops",
        scalar_ops,
        scalar_ops_hand,
        lambda: (0.7,),
    ),
    Workload(
        "loop",
        "2 recurrence, 100 steps",
        recurrence,
        recurrence_hand,
        lambda: (0.7,),
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
    ),
    Workload(
        "decay",
        "10 scalar loop, np.sin, 100 steps",
        decay,
        decay_hand,
        lambda: (0.5, 1.0),
    ),
    Workload(
        "decay1k",
        "10b scalar loop, np.sin, 1,000 steps",
        decay_long,
        decay_long_hand,
        lambda: (0.5, 1.0),
    ),
    Workload("rk4", "11 RK4, Lorenz, 200 steps", rk4, rk4_hand, _rk4_args),
    Workload(
        "softmax",
        "12 softmax cross-entropy 512x100",
        softmax_xent,
        softmax_xent_hand,
        _softmax_args,
        memory=True,
    ),
    Workload(
        "heat",
        "13 heat stencil, 100 steps, 256 points",
        heat,
        heat_hand,
        _heat_args,
        wrt=(0, 1),
        memory=True,
    ),
    Workload(
        "lstm",
        "14 LSTM 30 steps, hidden 64, batch 16",
        lstm,
        lstm_hand,
        _lstm_args,
        wrt=(0, 1, 2),
        memory=True,
    ),
    Workload(
        "gmm",
        "15 mixture log-likelihood, 500x16",
        gmm,
        gmm_hand,
        _gmm_args,
        memory=True,
    ),
    Workload(
        "pairs",
        "16 pair energy, 200 points",
        pair_energy,
        pair_energy_hand,
        lambda: (_rng().standard_normal((200, 3)),),
        memory=True,
    ),
    Workload(
        "mlpdict",
        "17 MLP 4-16-1, dict of parameters, batch 8",
        mlp_dict,
        mlp_dict_hand,
        _mlp_dict_args,
    ),
    Workload(
        "sinsteps",
        "18 30 steps of math.sin on floats",
        sin_steps,
        sin_steps_hand,
        lambda: (0.7, 0.3),
    ),
]
if logsumexp is not None:  # before the polyval fit, as numbered
    WORKLOADS.insert(
        [w.name for w in WORKLOADS].index("polyfit"),
        Workload(
            "mixture",
            "8 Gaussian mixture, logsumexp, 8x10,000",
            mixture,
            mixture_hand,
            _mixture_args,
            wrt=(0, 1, 2),
        ),
    )
