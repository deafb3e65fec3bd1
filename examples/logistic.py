"""Logistic regression loss: the example the README differentiates."""

import numpy as np


def loss(w, X, y):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    eps = 1e-12
    ll = y * np.log(p + eps) + (1.0 - y) * np.log(1.0 - p + eps)
    return -np.mean(ll)


if __name__ == "__main__":
    import tangentlike as tl

    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 5))
    y = (rng.random(100) > 0.5).astype(float)
    w = np.zeros(5)
    dloss = tl.grad(loss)
    for _ in range(100):
        w = w - 0.5 * dloss(w, X, y)
    print("loss after 100 steps:", loss(w, X, y))
