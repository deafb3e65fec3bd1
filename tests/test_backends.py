"""One generated source, several array libraries: NumPy and Dask (CuPy: test_gpu.py)."""

import subprocess
import sys

import numpy as np
import pytest

import tangentlike as tl

from . import programs_core as P

da = pytest.importorskip("dask.array")


def _data(rng, n=1000, d=20):
    X = rng.normal(size=(n, d))
    y = (rng.random(n) > 0.5).astype(float)
    w = 0.1 * rng.normal(size=d)
    return w, X, y


def _dask(X, y):
    return da.from_array(X, chunks=(250, X.shape[1])), da.from_array(y, chunks=250)


def test_importing_tangentlike_imports_neither_cupy_nor_dask():
    code = (
        "import sys, tangentlike; print('cupy' in sys.modules, 'dask' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]


def test_dask_gradient_is_lazy_and_matches_numpy(rng):
    w, X, y = _data(rng)
    Xd, yd = _dask(X, y)
    g = tl.grad(P.logistic)(w, Xd, yd)
    assert isinstance(g, da.Array)
    np.testing.assert_allclose(
        g.compute(scheduler="threads"), tl.grad(P.logistic)(w, X, y)
    )


def test_dask_softmax_loss_over_chunks(rng):
    X = rng.normal(size=(600, 8))
    labels = np.eye(4)[rng.integers(0, 4, 600)]
    W = rng.normal(size=(8, 4))
    Xd = da.from_array(X, chunks=(200, 8))
    Ld = da.from_array(labels, chunks=(200, 4))
    got = tl.grad(P.softmax_loss)(W, Xd, Ld)
    np.testing.assert_allclose(np.asarray(got), tl.grad(P.softmax_loss)(W, X, labels))


def test_backend_can_be_forced(rng):
    w, X, y = _data(rng, n=100, d=3)
    g = tl.grad(P.logistic, backend="dask")(w, *_dask(X, y))
    np.testing.assert_allclose(
        np.asarray(g), tl.grad(P.logistic, backend="numpy")(w, X, y)
    )


def test_dask_distributed_local_cluster(rng):
    distributed = pytest.importorskip("distributed")
    w, X, y = _data(rng, n=800, d=5)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        g = client.compute(tl.grad(P.logistic)(w, *_dask(X, y))).result()
    np.testing.assert_allclose(g, tl.grad(P.logistic)(w, X, y))


def zero_first(w, X):
    z = X @ w
    z[0] = 0.0
    return np.sum(z * z)


def test_dask_with_subscript_assignment(rng):
    w, X = rng.normal(size=3), rng.normal(size=(8, 3))
    got = tl.grad(zero_first)(w, da.from_array(X, chunks=(4, 3)))
    np.testing.assert_allclose(np.asarray(got), tl.grad(zero_first)(w, X))
    assert "da.copy(" not in tl.getsource(tl.grad(zero_first), backend="dask")
