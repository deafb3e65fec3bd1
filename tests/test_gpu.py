"""The CuPy path: the corpus in reverse and forward mode, second order, float32, the
dumped CuPy source run as written, and no copy to the host during a gradient.

Each test runs twice: on CuPy with a GPU (marked ``gpu``; skipped without CuPy or
a device) and on a stand-in for CuPy made of NumPy (``cupy_standin.py``) that keeps
CuPy's rules, so that CI checks all of the CuPy path that needs no GPU. The oracle
is central finite differences in float64 on the host, or a Hessian worked out by hand.
"""

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api import cache
from tangentlike.api.check import numerical_grad

from . import cupy_standin, on_device
from . import programs_core as P
from .corpus_control import CORPUS

ROOT = Path(__file__).resolve().parent.parent
RTOL, ATOL = 1e-5, 1e-6


def _fresh_transforms():
    """Forget every transform, so that no generated function stays bound to the
    stand-in where CuPy is expected, or the other way round."""
    cache.clear()


@pytest.fixture(params=["standin", pytest.param("cupy", marks=pytest.mark.gpu)])
def dev(request, monkeypatch):
    if request.param == "cupy":
        cupy, why = on_device.real_cupy()
        if cupy is None:
            pytest.skip(why)
        yield on_device.Device(cupy)
        return
    monkeypatch.setitem(sys.modules, "cupy", cupy_standin.module())
    _fresh_transforms()
    yield on_device.Device(sys.modules["cupy"])
    _fresh_transforms()


# programs beyond the corpus, as people write them ------------------------------------
def trace_of_inverse(A):
    M = A @ A.T + np.eye(A.shape[0])
    return np.trace(np.linalg.inv(M))


def joined(x):
    ends = np.concatenate([x[:2], x[-2:] * 2.0])
    rows = np.stack([x, x * x]).reshape(-1)
    return np.sum(ends * ends) + np.sum(rows[::3]) + np.sum(np.pad(x, 1) ** 2)


def spectral(A):
    M = A @ A.T + 2.0 * np.eye(3)
    w, _ = np.linalg.eigh(M)
    return np.sum(np.linalg.cholesky(M)) + np.sum(w * w)


def relu_regression(params, X, y):
    h = np.maximum(X @ params["W1"] + params["b1"], 0.0)
    return np.mean((h @ params["w2"] - y) ** 2)


def vector_valued(x):
    return np.sin(x) * x[::-1]


MORE = {
    trace_of_inverse: (np.random.default_rng(8).normal(size=(3, 3)),),
    joined: (np.random.default_rng(9).normal(size=5),),
    spectral: (np.random.default_rng(10).normal(size=(3, 3)),),
}


def _float_arrays(args):
    return tuple(
        i
        for i, a in enumerate(args)
        if isinstance(a, np.ndarray) and a.dtype.kind == "f"
    )


def _corpus():
    """(function, arguments, positions to differentiate) of every program in the
    corpus whose arguments include an array."""
    core = P.inputs(np.random.default_rng(1234))
    for func, args in core.items():
        if _float_arrays(args):
            yield pytest.param(func, args, _float_arrays(args), id=func.__name__)
    for k, (func, args, _, todo) in enumerate(CORPUS):
        if todo is None and isinstance(args[0], np.ndarray):
            yield pytest.param(func, args, (0,), id=f"{func.__name__}-{k}")
    for func, args in MORE.items():
        yield pytest.param(func, args, (0,), id=func.__name__)


CORPUS_CASES = list(_corpus())


def _finite_differences(func, args, wrt):
    return [numerical_grad(func, list(args), i) for i in wrt]


@pytest.mark.parametrize(("func", "args", "wrt"), CORPUS_CASES)
def test_reverse_mode_on_the_corpus(dev, func, args, wrt):
    got = tl.grad(func, wrt=wrt)(*dev.put(args))
    assert all(dev.on_device(g) for g in got)
    for g, want in zip(dev.host(got), _finite_differences(func, args, wrt)):
        np.testing.assert_allclose(g, want, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(("func", "args", "wrt"), CORPUS_CASES)
def test_forward_mode_on_the_corpus(dev, func, args, wrt):
    rng = np.random.default_rng(7)
    tangents = [rng.normal(size=args[i].shape) for i in wrt]
    try:
        got = tl.jvp(func, wrt=wrt)(*dev.put(args), *dev.put(tangents))
    except tl.TangentlikeError as exc:
        with pytest.raises(tl.TangentlikeError):
            tl.jvp(func, wrt=wrt)(*args, *tangents)
        pytest.skip(f"forward mode refuses it on NumPy arrays too: {exc}")
    assert dev.on_device(got)
    grads = _finite_differences(func, args, wrt)
    want = sum(np.sum(g * t) for g, t in zip(grads, tangents))
    np.testing.assert_allclose(dev.host(got), want, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(("func", "args", "wrt"), CORPUS_CASES)
def test_no_host_copies_in_gradients(dev, func, args, wrt):
    """A gradient copies nothing to the host that the function itself does not
    (an ``if`` on an array's value does), and no NumPy array appears in any frame
    of generated code or of the runtime helpers."""
    on_gpu = dev.put(args)
    try:
        with dev.host_copies() as primal:
            func(*on_gpu)
    except TypeError:  # it makes NumPy arrays of its own, which CuPy will not mix
        primal = []  # (its gradient makes them with CuPy, and runs)
    df = tl.grad(func, wrt=wrt)
    df(*on_gpu)  # the first call compiles
    with dev.host_copies() as copies:
        _, host_arrays = on_device.host_arrays_seen(df, *on_gpu)
    assert len(copies) <= len(primal), (copies, primal)
    assert host_arrays == []


def _benchmark_cases():
    """The benchmark's workloads, small, for the host-copy check."""
    from benchmarks.workloads import WORKLOADS

    for w in WORKLOADS:
        if w.name in ("logreg", "mlp", "rnn", "chain10"):
            yield pytest.param(w.func, w.make_args(), w.wrt, id=f"benchmark-{w.name}")


@pytest.mark.parametrize(("func", "args", "wrt"), list(_benchmark_cases()))
def test_no_host_copies_in_the_benchmarks(dev, func, args, wrt):
    on_gpu = dev.put(args)
    df = tl.grad(func, wrt=wrt)
    df(*on_gpu)
    with dev.host_copies() as copies:
        grads, host_arrays = on_device.host_arrays_seen(df, *on_gpu)
    assert copies == [] and host_arrays == []
    grads = grads if isinstance(grads, tuple) else (grads,)
    assert all(dev.on_device(g) for g in grads)


def test_a_dict_of_parameters(dev):
    rng = np.random.default_rng(11)
    params = {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4)}
    params["w2"] = rng.normal(size=4)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=6)
    on_gpu = {k: dev.put([v])[0] for k, v in params.items()}
    got = tl.grad(relu_regression)(on_gpu, *dev.put([X, y]))
    for key, value in params.items():

        def f(v, key=key):
            return relu_regression({**params, key: v}, X, y)

        assert dev.on_device(got[key])
        want = numerical_grad(f, [value], 0)
        np.testing.assert_allclose(dev.host(got[key]), want, rtol=RTOL, atol=ATOL)


def test_jacobian_and_hessian_on_the_device(dev):
    x = np.random.default_rng(12).normal(size=3)
    J = tl.jacobian(vector_valued)(dev.put([x])[0])
    assert dev.on_device(J)
    want = [
        numerical_grad(lambda v, i=i: vector_valued(v)[i], [x], 0) for i in range(3)
    ]
    np.testing.assert_allclose(dev.host(J), np.array(want), rtol=RTOL, atol=ATOL)
    H = tl.hessian(exp_times)(dev.put([x])[0])
    assert dev.on_device(H)
    np.testing.assert_allclose(dev.host(H), np.diag(np.exp(x) * (x + 2.0)), rtol=1e-9)


# second order: Hessians worked out by hand ---------------------------------------
def tanh_layer(x, A):
    return np.sum(np.tanh(A @ x))


def exp_times(x):
    return np.sum(np.exp(x) * x)


def _hessians(rng):
    """(function, arguments, its Hessian in the first argument)."""
    x, A = rng.normal(size=4), rng.normal(size=(3, 4))
    t = np.tanh(A @ x)
    w, X, y = P.inputs(rng)[P.logistic]
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return [
        (tanh_layer, (x, A), A.T @ np.diag(-2.0 * t * (1.0 - t * t)) @ A),
        (exp_times, (x,), np.diag(np.exp(x) * (x + 2.0))),
        (P.logistic, (w, X, y), X.T @ np.diag(p * (1.0 - p)) @ X / len(y)),
    ]


HESSIANS = _hessians(np.random.default_rng(3))


@pytest.mark.parametrize(
    ("func", "args", "hessian"), HESSIANS, ids=[h[0].__name__ for h in HESSIANS]
)
def test_second_order_on_a_sample(dev, func, args, hessian):
    v = np.random.default_rng(4).normal(size=args[0].shape)
    on_gpu, v_gpu = dev.put(args), dev.put([v])[0]
    forward_over_reverse = tl.hvp(func)(*on_gpu, v_gpu)
    reverse_over_reverse = tl.vjp(tl.grad(func))(*on_gpu, v_gpu)
    for got in (forward_over_reverse, reverse_over_reverse):
        assert dev.on_device(got)
        np.testing.assert_allclose(dev.host(got), hessian @ v, rtol=1e-9, atol=1e-12)


# float32 --------------------------------------------------------------------------
FLOAT32 = [P.logistic, P.softmax_loss, P.transcendental, P.reductions, P.where_max]


@pytest.mark.parametrize("func", FLOAT32, ids=lambda f: f.__name__)
def test_float32_stays_float32(dev, func):
    args = P.inputs(np.random.default_rng(5))[func]
    single = [a.astype(np.float32) for a in args]
    want = numerical_grad(func, list(args), 0)
    g = tl.grad(func)(*dev.put(single))
    assert dev.on_device(g) and g.dtype == np.float32
    np.testing.assert_allclose(dev.host(g), want, rtol=1e-3, atol=1e-4)
    t = np.ones_like(single[0])
    d = tl.jvp(func)(*dev.put(single), dev.put([t])[0])
    assert d.dtype == np.float32
    np.testing.assert_allclose(dev.host(d), np.sum(want), rtol=1e-3, atol=1e-3)


# the dumped CuPy source, run as written ---------------------------------------------
def _run_dumped(source, path, args):
    """Write ``source`` to ``path``, import it, and call its last function."""
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tree = ast.parse(source)
    main = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)][-1]
    return getattr(module, main)(*args)


@pytest.mark.parametrize(("func", "args", "wrt"), CORPUS_CASES[:14])
def test_dumped_cupy_source_runs_as_written(dev, tmp_path, func, args, wrt):
    src = tl.getsource(tl.grad(func, wrt=wrt), backend="cupy", comments=False)
    assert src.startswith("import cupy\n") and "np." not in src
    _, grads = _run_dumped(src, tmp_path / f"d{func.__name__}.py", dev.put(args))
    grads = grads if isinstance(grads, tuple) else (grads,)
    for g, want in zip(dev.host(grads), _finite_differences(func, args, wrt)):
        np.testing.assert_allclose(g, want, rtol=RTOL, atol=ATOL)


def test_cli_dump_with_the_cupy_backend_runs_as_written(dev, tmp_path):
    out = tmp_path / "dsoftmax.py"
    cmd = [sys.executable, "-m", "tangentlike", "dump"]
    cmd += ["tests/programs_core.py:softmax_loss", "--backend", "cupy", "-o", str(out)]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    args = P.inputs(np.random.default_rng(6))[P.softmax_loss]
    _, g = _run_dumped(out.read_text(), out, dev.put(args))
    want = numerical_grad(P.softmax_loss, list(args), 0)
    np.testing.assert_allclose(dev.host(g), want, rtol=RTOL, atol=ATOL)


def test_cupy_source_is_plain_cupy():
    src = tl.getsource(tl.grad(P.logistic), backend="cupy", comments=False)
    assert src.startswith("import cupy\n")
    assert "cupy.exp(" in src and "np." not in src
    quoted = tl.getsource(tl.grad(P.logistic), backend="cupy")
    assert "# line 36: return -np.mean(" in quoted  # the user's line, as written


# the GPU benchmark, checked on the stand-in -------------------------------------------
def _benchmark_module(monkeypatch):
    spec = importlib.util.spec_from_file_location("gpu", ROOT / "benchmarks" / "gpu.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "gpu", module)
    spec.loader.exec_module(module)
    return module


def test_the_gpu_benchmark_runs_on_the_standin(monkeypatch):
    cp = cupy_standin.module()
    monkeypatch.setitem(sys.modules, "cupy", cp)
    _fresh_transforms()
    gpu, texts = _benchmark_module(monkeypatch), []
    names = ["mlp", "rnn", "logreg", "chain"]
    opts = gpu.Options(names, repeat=2, target=1e-3, use_jax=False, scale="tiny")
    assert gpu.report(cp, opts, texts.append)
    _fresh_transforms()
    rows = texts[-1].splitlines()[2:]
    assert [r.split("|")[1].split()[0] for r in rows[:4]] == [
        "MLP",
        "tanh",
        "logistic",
        "30",
    ]
    assert all(float(r.split("|")[4]) > 0 for r in rows[:4])  # tl/hand


def test_the_gpu_benchmark_without_cupy_says_so(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy fails
    assert _benchmark_module(monkeypatch).main([]) == 0
    assert "CuPy is not installed" in capsys.readouterr().out
