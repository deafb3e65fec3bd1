"""Straight-line numeric programs: the corpus the core tests differentiate.

Kept in a module of its own so tangentlike reads their source from a real file.
"""

import math

import numpy as np
import numpy as onp_alias


def poly(x):
    return 3.0 * x**3 - 2.0 * x**2 + x - 7.0


def transcendental(x):
    return np.sum(
        np.exp(np.sin(x) * np.cos(x)) + np.log(1.0 + x * x) - np.tanh(x) / 3.0
    )


def math_chain(x):
    return math.sin(x) * math.exp(-x) + math.sqrt(x * x + 1.0) + abs(x)


def broadcast(a, b):
    return np.sum(a * b + a / (b * b + 1.0) - b)


def pow_both(x, y):
    return np.sum(x**y)


def logistic(w, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def softmax_loss(W, X, labels):
    logits = X @ W
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(labels * logp, axis=1))


def reductions(x):
    a = np.sum(x, axis=0)
    b = np.mean(x, axis=-1, keepdims=True)
    c = np.max(x, axis=1)
    return np.sum(a * a) + np.sum(b * x) + np.sum(c)


def matvec(A, v):
    return np.dot(v, A @ v) + np.sum(A.T * A)


def where_max(x, y):
    return np.sum(np.where(x > 0.0, x * y, -y) + np.maximum(x, y) * 2.0)


def alias_numpy(x):
    return onp_alias.sum(onp_alias.sin(x) ** 2)


def overwrite(x):
    y = x * 2.0
    y = np.sin(y) + x
    x = y * y
    return np.sum(x)


def unary_ops(x):
    return np.sum(-x + (+x) * np.abs(x) - np.sqrt(x * x + 1.0))


def uses_stop(x):
    import_free = x * x
    return np.sum(import_free * np.floor(x))


def integer_ops(x):
    k = x // 0.5
    return np.sum(x % 0.7 * k + x * (x // 1.0))


square_sum = lambda v: np.sum(v * v)  # noqa: E731
two = (lambda a: np.sum(a * 2.0), lambda b: np.sum(b**3))


def calls_a_lambda(x):
    return square_sum(np.sin(x)) + 1.0


def inputs(rng):
    """Arguments for each program, drawn from ``rng``."""
    X = rng.normal(size=(6, 3))
    return {
        poly: (0.7,),
        transcendental: (rng.normal(size=5),),
        math_chain: (0.3,),
        broadcast: (rng.normal(size=(2, 3)), rng.normal(size=3)),
        pow_both: (rng.uniform(0.5, 2.0, size=4), rng.uniform(0.5, 2.0, size=4)),
        logistic: (rng.normal(size=3), X, (rng.random(6) > 0.5).astype(float)),
        softmax_loss: (rng.normal(size=(3, 4)), X, np.eye(4)[rng.integers(0, 4, 6)]),
        reductions: (rng.normal(size=(3, 4)),),
        matvec: (rng.normal(size=(3, 3)), rng.normal(size=3)),
        where_max: (rng.normal(size=(2, 3)), rng.normal(size=3)),
        alias_numpy: (rng.normal(size=4),),
        overwrite: (rng.normal(size=3),),
        unary_ops: (rng.normal(size=3),),
        uses_stop: (rng.normal(size=3) + 0.5,),
        integer_ops: (np.array([0.3, 1.2, 2.9]),),
        calls_a_lambda: (rng.normal(size=4),),
    }
