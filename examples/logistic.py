"""Logistic regression: the README's loss, trained by gradient descent when run."""

import numpy as np


def loss(w, X, y):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    eps = 1e-12
    ll = y * np.log(p + eps) + (1.0 - y) * np.log(1.0 - p + eps)
    return -np.mean(ll)


def main(argv=None):
    import sys

    import tangentlike as tl

    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else 2000
    rng = np.random.default_rng(0)
    true_w = np.array([1.5, -2.0, 0.5, 0.0, 1.0])
    X = rng.normal(size=(n, 5))
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-X @ true_w))).astype(float)
    w = np.zeros(5)
    dloss = tl.grad(loss)
    print(f"logistic regression, {n} samples, 5 features, gradient descent")
    print(f"  loss before: {loss(w, X, y):.4f}")
    for _ in range(200):
        w = w - 1.0 * dloss(w, X, y)
    accuracy = np.mean((X @ w > 0) == (y == 1.0))
    print(f"  loss after 200 steps: {loss(w, X, y):.4f}, accuracy {accuracy:.1%}")
    print(f"  weights found: {np.round(w, 2)}")
    print(f"  weights true:  {true_w}")
    return w


if __name__ == "__main__":
    main()
