"""A two-layer perceptron trained on scikit-learn's handwritten digits (8x8 images,
10 classes), with a softmax cross-entropy loss differentiated by tangentlike and
Adam written out in NumPy; prints the test accuracy it reaches.

    python examples/mlp.py [EPOCHS]      (default 150; needs scikit-learn:
                                          pip install "tangentlike[examples]")
"""

import numpy as np


def softmax_cross_entropy(logits, labels):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(labels * logp, axis=1))


def mlp_loss(W1, b1, W2, b2, X, labels):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    return softmax_cross_entropy(logits, labels)


def predict(params, X):
    W1, b1, W2, b2 = params
    return np.argmax(np.tanh(X @ W1 + b1) @ W2 + b2, axis=1)


def adam(params, grads, state, step, rate=0.01, beta1=0.9, beta2=0.999):
    """One step of Adam: the parameters, moved against their gradients."""
    moved = []
    for i, (p, g) in enumerate(zip(params, grads)):
        m, v = state[i]
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        state[i] = (m, v)
        m_hat, v_hat = m / (1 - beta1**step), v / (1 - beta2**step)
        moved.append(p - rate * m_hat / (np.sqrt(v_hat) + 1e-8))
    return moved


def main(argv=None):
    import sys

    from sklearn.datasets import load_digits

    import tangentlike as tl

    argv = sys.argv[1:] if argv is None else argv
    epochs = int(argv[0]) if argv else 150
    digits = load_digits()
    X = digits.data / 16.0
    Y = np.eye(10)[digits.target]
    rng = np.random.default_rng(0)
    order = rng.permutation(len(X))
    test, train = order[: len(X) // 4], order[len(X) // 4 :]
    X_train, X_test, Y_train, Y_test = X[train], X[test], Y[train], Y[test]
    hidden = 64
    params = [
        rng.normal(size=(64, hidden)) / 8.0,
        np.zeros(hidden),
        rng.normal(size=(hidden, 10)) / np.sqrt(hidden),
        np.zeros(10),
    ]
    state = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    step = tl.value_and_grad(mlp_loss, wrt=(0, 1, 2, 3))
    sizes = f"{len(X_train)} to train, {len(X_test)} to test"
    print(f"MLP 64-{hidden}-10 on the digits: {sizes}")
    for epoch in range(1, epochs + 1):
        loss, grads = step(*params, X_train, Y_train)
        params = adam(params, grads, state, epoch)
        if epoch % 50 == 0 or epoch == epochs:
            print(f"  epoch {epoch:3d}: training loss {loss:.4f}")
    accuracy = np.mean(predict(params, X_test) == np.argmax(Y_test, axis=1))
    print(f"  test accuracy: {accuracy:.1%}")
    return accuracy


if __name__ == "__main__":
    main()
