"""One generated source, several array libraries: NumPy and Dask (CuPy: test_gpu.py)."""

import subprocess
import sys
import time

import numpy as np
import pytest

import tangentlike as tl
from tangentlike import runtime
from tangentlike.api.check import numerical_grad

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


def regularized_logistic(w, X, y):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    ll = y * np.log(p + 1e-12) + (1.0 - y) * np.log(1.0 - p + 1e-12)
    return -np.mean(ll) + 0.01 * np.sum(w * w)


def _hand_gradient(w, X, y):
    """The regularized logistic loss's gradient, written out by hand."""
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return X.T @ (p - y) / X.shape[0] + 0.02 * w


def test_dask_data_with_numpy_parameters(rng):
    """A NumPy parameter's gradient gathers a NumPy term and a Dask term: it is
    summed into a new array, never into the NumPy one in place."""
    w, X, y = _data(rng, n=400, d=5)
    got = tl.grad(regularized_logistic)(w, *_dask(X, y))
    assert isinstance(got, da.Array)
    want = numerical_grad(regularized_logistic, [w, X, y], 0)
    np.testing.assert_allclose(got.compute(), want, rtol=1e-6, atol=1e-8)
    source = tl.getsource(tl.grad(regularized_logistic), backend="dask")
    assert "bw += " not in source and "bw = bw + matmul_rhs(bz, X, w)" in source


def test_dask_jvp_with_numpy_parameters(rng):
    w, X, y = _data(rng, n=400, d=5)
    v = rng.normal(size=5)
    got = tl.jvp(regularized_logistic)(w, *_dask(X, y), v)
    want = numerical_grad(regularized_logistic, [w, X, y], 0) @ v
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)


def ends_of_a_range(a, X):
    return np.sum(np.linspace(a, np.sum(X * X), 4) ** 2)


def test_dask_jvp_of_linspace_ends(rng):
    """The tangent of np.linspace is made without linspace(axis=), which Dask's
    linspace does not take."""
    X = rng.normal(size=(6, 2))
    got = tl.jvp(ends_of_a_range, wrt=(0, 1))(
        0.3, da.from_array(X, chunks=(3, 2)), 1.0, np.ones_like(X)
    )
    want = numerical_grad(ends_of_a_range, [0.3, X], 0) + np.sum(
        numerical_grad(ends_of_a_range, [0.3, X], 1)
    )
    np.testing.assert_allclose(float(np.asarray(got)), want, rtol=1e-6)


def item_of_numpy_times_dask(a, b):
    pair = (b * 2.0, np.sum(b))
    p, q = pair  # NumPy, whose item's gradient comes from the Dask array a
    return np.sum(a * p[-1]) + q * np.sum(b * b)


@pytest.mark.parametrize("optimize", [True, False])
def test_dask_gradient_added_at_an_item_of_a_numpy_value(rng, optimize):
    a, b = rng.normal(size=4), rng.normal(size=3)
    got = tl.grad(item_of_numpy_times_dask, wrt=(0, 1), optimize=optimize)(
        da.from_array(a, chunks=2), b
    )
    for i, want in enumerate(
        numerical_grad(item_of_numpy_times_dask, [a, b], k) for k in range(2)
    ):
        np.testing.assert_allclose(np.asarray(got[i]), want, rtol=1e-6)


def _graph_bytes(array) -> int:
    cloudpickle = pytest.importorskip("cloudpickle")
    return len(cloudpickle.dumps(dict(array.__dask_graph__())))


def test_dask_gradient_of_1e8_lazy_rows_is_a_small_graph_made_fast():
    """Helpers make their arrays in Dask, in the chunks of the arrays they stand for:
    the graph of 1e8 rows is about as small as a hand-written gradient's and is
    built in a moment (a broadcast made by NumPy on the client was hundreds of MB)."""
    n, rows = 10**8, 10**6
    X = da.random.random((n, 5), chunks=(rows, 5))
    y = da.random.random(n, chunks=rows)
    w = np.full(5, 0.1)
    df = tl.grad(regularized_logistic)
    df(w, X[:10], y[:10])  # transform once, outside the timing
    start = time.perf_counter()
    got = df(w, X, y)
    built = time.perf_counter() - start
    assert isinstance(got, da.Array) and got.shape == (5,)
    hand = da.from_array(w, chunks=5)
    want = _hand_gradient(hand, X, y)
    assert _graph_bytes(got) <= 2 * _graph_bytes(want)
    assert built < 2.0


def test_dask_broadcasts_take_the_chunks_of_the_array_they_stand_for():
    x = da.ones((1000, 4), chunks=(250, 2))
    for got in (
        runtime.unreduce(2.0, x),
        runtime.unreduce(da.ones(4, chunks=2), x, 0),
        runtime.containers.sum_grad(da.ones(4, chunks=2), x),
    ):
        assert isinstance(got, da.Array) and got.chunks == x.chunks
        np.testing.assert_array_equal(
            got.compute(), np.broadcast_to(got[0].compute(), x.shape)
        )


def scaled_sum(x, s):
    return np.sum(x * x) * s


def two_scales(w, X):
    return np.sum(X @ w) * scaled_sum(w, 1.5) + np.mean(2.0)


def test_dask_code_takes_python_floats_and_numpy_values(rng):
    """Values that never meet the Dask data (a helper's float argument, a NumPy
    parameter) are NumPy's: dask.array's functions refuse some (``da.sum(1.5)``)."""
    w, X = rng.normal(size=3), rng.normal(size=(8, 3))
    got = tl.grad(two_scales)(w, da.from_array(X, chunks=(4, 3)))
    np.testing.assert_allclose(
        np.asarray(got), numerical_grad(two_scales, [w, X], 0), rtol=1e-6
    )
