"""Out-of-core logistic regression: the data is a lazy Dask array, made chunk by
chunk when a gradient needs it and never held whole, so it can be larger than
memory; the weights stay a NumPy array.  tangentlike's gradient of the loss is a
Dask graph over the chunks, computed once a step; the peak memory of the process
is printed beside the size of the data.

    python examples/dask_logistic.py [ROWS] [COLUMNS]    (default 2,000,000 x 20: 320 MB)

With 10,000,000 rows (1.6 GB of data) the process peaked at 277 MB: the peak
follows the size of a chunk, not of the data (100,000,000 rows are 16 GB).
"""

import sys

import numpy as np


def log_loss(w, X, y):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    eps = 1e-12
    ll = y * np.log(p + eps) + (1.0 - y) * np.log(1.0 - p + eps)
    return -np.mean(ll)


def lazy_data(rows, columns, true_w):
    """Features and labels as lazy Dask arrays in ten or more chunks of rows:
    nothing is made until computed."""
    import dask.array as da

    chunk = max(1, min(100_000, rows // 10))
    X = da.random.default_rng(0).normal(size=(rows, columns), chunks=(chunk, columns))
    noise = da.random.default_rng(1).logistic(size=rows, chunks=chunk)
    y = ((X @ true_w + noise) > 0).astype(float)
    return X, y


def peak_memory() -> float | None:
    """The most memory this process has held so far, in MB (None on Windows)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB; bytes on macOS
    return peak / (1e6 if sys.platform == "darwin" else 1e3)


def main(argv=None):
    import dask

    import tangentlike as tl

    argv = sys.argv[1:] if argv is None else argv
    rows = int(argv[0]) if argv else 2_000_000
    columns = int(argv[1]) if len(argv) > 1 else 20
    true_w = np.linspace(-1.0, 1.0, columns)
    X, y = lazy_data(rows, columns, true_w)
    gradient = tl.grad(log_loss)
    w = np.zeros(columns)
    size = X.nbytes / 1e6
    print(f"logistic regression on {rows:,} x {columns} lazy rows ({size:,.0f} MB)")
    with dask.config.set(scheduler="threads"):
        for _ in range(10):
            w = w - 4.0 * gradient(w, X, y).compute()
    peak = peak_memory()
    error = np.max(np.abs(w - true_w))
    print(f"  10 gradient steps, each one pass over {X.numblocks[0]} chunks")
    if peak is not None:
        print(f"  peak memory of the process: {peak:,.0f} MB ({size:,.0f} MB of data)")
    print(f"  largest error of the weights found: {error:.3f}")
    return w, peak


if __name__ == "__main__":
    main()
