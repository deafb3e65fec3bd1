"""Programs written the way a data scientist writes them, with comprehensions, dicts
of parameters, builtins and the odd ``else`` on a loop: each differentiated in
reverse and forward mode and checked against central finite differences."""

import math

import numpy as np
import pytest

import tangentlike as tl

from .test_everyday_python import central_differences, flat, unflat

RNG = np.random.default_rng(2024)
X = RNG.normal(size=(8, 3))
Y = RNG.normal(size=8)


def ridge_loss(params, X, y, lam=0.1):
    pred = X @ params["w"] + params["b"]
    penalty = sum(np.sum(v**2) for k, v in params.items() if k != "b")
    return np.mean((pred - y) ** 2) + lam * penalty


def mlp_loss(layers, X, y):
    h = X
    for i, layer in enumerate(layers):
        h = h @ layer["W"] + layer["b"]
        if i < len(layers) - 1:
            h = np.tanh(h)
    return np.mean((h[:, 0] - y) ** 2)


def ensemble_loss(weights, X, y, centers):
    preds = [w * np.tanh(X @ c) for w, c in zip(weights, centers)]
    return np.mean((sum(preds) - y) ** 2)


def softmax_xent(logits, label):
    m = max(logits)  # for stability
    exps = [math.exp(v - m) for v in logits]
    return -(logits[label] - m - math.log(sum(exps)))


def poisson_nll(rate, counts):
    return -sum(k * math.log(rate) - rate - math.lgamma(k + 1.0) for k in counts)


def huber(residuals, delta=1.0):
    total = 0.0
    for r in residuals:
        a = abs(r)
        small = min(a, delta)
        total += 0.5 * small**2 + delta * max(a - delta, 0.0)
    return total / len(residuals)


def deep_net(params, X, n_layers=2):
    h = X
    for i in range(n_layers):
        h = np.tanh(h @ params[f"W{i}"] + params[f"b{i}"])
    return np.sum(h**2)


def descend_until_small(w, lr=0.1, tol=1e-3):
    for _ in range(20):
        if (size := np.sum(w**2)) < tol:
            break
        w = w - lr * np.sin(w) * size
    else:
        w = w * 0.5
    return np.sum(w**3)


def median_of_three_scaled(x):
    med = sorted([x[0], x[1], x[2]])[1]
    return np.sum((x - med) ** 2) / (1.0 + med**2)


def scaled_by_config(params, X):
    scale = params.get("scale", 1.0)
    shift = params.get("shift", 0.0)
    return np.sum(np.tanh(X @ params["w"] * scale + shift))


def normalized_features(inputs):
    squashed = {name: np.tanh(v) for name, v in inputs.items()}
    norms = {name: np.sqrt(np.sum(v**2)) for name, v in squashed.items()}
    return sum(norms[name] * (i + 1) for i, name in enumerate(sorted(norms)))


def scaled_by_peak(x):
    peak = np.max(np.abs(x)).item()
    return float(np.sum(x**2)) / peak


def running_stats(batches):
    means = [np.mean(b, axis=0) for b in batches]
    spread = max(np.sum((m - means[0]) ** 2) for m in means)
    return spread + sum(np.sum(m) for m in means)


PROGRAMS = [
    (ridge_loss, ({"w": RNG.normal(size=3), "b": 0.2}, X, Y)),
    (
        mlp_loss,
        (
            [
                {"W": RNG.normal(size=(3, 4)), "b": RNG.normal(size=4)},
                {"W": RNG.normal(size=(4, 1)), "b": RNG.normal(size=1)},
            ],
            X,
            Y,
        ),
    ),
    (ensemble_loss, (RNG.normal(size=3), X, Y, list(RNG.normal(size=(3, 3))))),
    (softmax_xent, (RNG.normal(size=5), 2)),
    (poisson_nll, (2.5, [0.0, 1.0, 4.0, 2.0])),
    (huber, (np.array([0.3, -2.1, 1.7, -0.4]),)),
    (
        deep_net,
        (
            {
                "W0": RNG.normal(size=(3, 3)),
                "b0": RNG.normal(size=3),
                "W1": RNG.normal(size=(3, 2)),
                "b1": RNG.normal(size=2),
            },
            X,
        ),
    ),
    (descend_until_small, (np.array([0.8, -0.5, 0.3]),)),
    (median_of_three_scaled, (np.array([0.4, -1.1, 2.0, 0.7]),)),
    (scaled_by_config, ({"w": RNG.normal(size=3), "scale": 0.7}, X)),
    (normalized_features, ({"age": RNG.normal(size=3), "bmi": RNG.normal(size=3)},)),
    (scaled_by_peak, (np.array([0.5, -1.5, 0.8]),)),
    (running_stats, ([RNG.normal(size=(4, 2)) for _ in range(3)],)),
]
IDS = [func.__name__ for func, _ in PROGRAMS]


@pytest.mark.parametrize(("func", "args"), PROGRAMS, ids=IDS)
def test_reverse_mode(func, args):
    got = flat(tl.grad(func)(*args))
    np.testing.assert_allclose(
        got, central_differences(func, args), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(("func", "args"), PROGRAMS, ids=IDS)
def test_forward_mode(func, args):
    v = np.random.default_rng(5).normal(size=flat(args[0]).size)
    got = tl.jvp(func)(*args, unflat(args[0], v))
    want = central_differences(func, args) @ v
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
