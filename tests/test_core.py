"""Reverse mode on straight-line programs, checked against finite differences and autograd."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

from . import programs_core as P
from .programs_core import inputs as _inputs

autograd = pytest.importorskip("autograd")  # absent on some machines: skip, not fail
anp = pytest.importorskip("autograd.numpy")

ROOT = Path(__file__).resolve().parent.parent


CASES = [
    f
    for f in vars(P).values()
    if callable(f)
    and getattr(f, "__module__", "") == P.__name__
    and f.__name__ != "<lambda>"
    and f is not P.inputs
]


@pytest.mark.usefixtures("debug_checks")
@pytest.mark.parametrize("func", CASES, ids=lambda f: f.__name__)
def test_matches_finite_differences(func, rng):
    args = _inputs(rng)[func]
    for i in range(len(args)):
        if isinstance(args[i], float) or args[i].dtype.kind == "f":
            got = tl.grad(func, wrt=i)(*args)
            want = numerical_grad(func, list(args), i)
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


AUTOGRAD = {
    P.poly: lambda x: 3.0 * x**3 - 2.0 * x**2 + x - 7.0,
    P.transcendental: lambda x: anp.sum(
        anp.exp(anp.sin(x) * anp.cos(x)) + anp.log(1.0 + x * x) - anp.tanh(x) / 3.0
    ),
    P.logistic: lambda w, X, y: (
        -anp.mean(
            y * anp.log(1.0 / (1.0 + anp.exp(-(X @ w))))
            + (1.0 - y) * anp.log(1.0 - 1.0 / (1.0 + anp.exp(-(X @ w))))
        )
    ),
    P.matvec: lambda A, v: anp.dot(v, A @ v) + anp.sum(A.T * A),
}


@pytest.mark.parametrize("func", list(AUTOGRAD), ids=lambda f: f.__name__)
def test_matches_autograd(func, rng):
    args = _inputs(rng)[func]
    got = tl.grad(func)(*args)
    want = autograd.grad(AUTOGRAD[func])(*args)
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_float32_stays_float32(rng):
    w = rng.normal(size=3).astype(np.float32)
    X = rng.normal(size=(6, 3)).astype(np.float32)
    y = (rng.random(6) > 0.5).astype(np.float32)
    g = tl.grad(P.logistic)(w, X, y)
    assert g.dtype == np.float32 and g.shape == w.shape
    want = numerical_grad(
        P.logistic, [w.astype(float), X.astype(float), y.astype(float)], 0
    )
    np.testing.assert_allclose(g, want, rtol=1e-3, atol=1e-4)


def test_wrt_by_name_and_tuple(rng):
    a, b = rng.normal(size=(2, 3)), rng.normal(size=3)
    ga, gb = tl.grad(P.broadcast, wrt=("a", "b"))(a, b)
    assert ga.shape == a.shape and gb.shape == b.shape
    np.testing.assert_allclose(tl.grad(P.broadcast, wrt="b")(a, b), gb)
    np.testing.assert_allclose(tl.grad(P.broadcast, wrt=1)(a, b=b), gb)


def test_value_and_grad_and_vjp(rng):
    x = rng.normal(size=5)
    value, g = tl.value_and_grad(P.transcendental)(x)
    assert value == pytest.approx(P.transcendental(x))
    np.testing.assert_allclose(g, tl.grad(P.transcendental)(x))

    def vector(x):
        return np.sin(x) * x

    seed = rng.normal(size=5)
    got = tl.vjp(vector)(x, seed)
    np.testing.assert_allclose(got, seed * (np.cos(x) * x + np.sin(x)))


def test_decorator_forms(rng):
    @tl.grad
    def f(x):
        return x * x

    @tl.grad(wrt="y")
    def g(x, y):
        return x * y

    assert f(3.0) == pytest.approx(6.0)
    assert g(2.0, 5.0) == pytest.approx(2.0)


def test_same_request_reuses_transform():
    assert (
        tl.grad(P.poly).__tangentlike__.module is tl.grad(P.poly).__tangentlike__.module
    )


def test_getsource_compiles_alone(rng):
    src = tl.getsource(tl.grad(P.logistic))
    namespace = {}
    exec(compile(src, "<generated>", "exec"), namespace)
    args = _inputs(rng)[P.logistic]
    name = [k for k in namespace if k.startswith("dlogistic")][0]
    _, g = namespace[name](*args)
    np.testing.assert_allclose(g, numerical_grad(P.logistic, list(args), 0), atol=1e-7)


def test_generated_code_is_readable():
    src = tl.getsource(tl.grad(P.logistic))
    assert "bw" in src and "def dlogistic_dw(w, X, y" in src
    assert "np.zeros" not in src  # first contributions are assignments


def test_inspect_getsource_shows_generated_code():
    import inspect

    src = inspect.getsource(tl.grad(P.poly))
    assert src.startswith("def dpoly_dx(")


def _dump():
    cmd = [
        sys.executable,
        "-m",
        "tangentlike",
        "dump",
        "examples/logistic.py:loss",
        "--wrt",
        "w",
    ]
    return subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_cli_dump_is_deterministic():
    first, second = _dump(), _dump()
    assert first == second
    assert "def dloss_dw(w, X, y" in first


def test_cli_errors_exit_2(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f(x):\n    try:\n        return x\n    finally:\n        pass\n"
    )
    cmd = [sys.executable, "-m", "tangentlike", "dump", f"{bad}:f"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert out.returncode == 2
    assert "try statement" in out.stderr and "Traceback" not in out.stderr
    assert f'"{bad}", line 2' in out.stderr
    missing = subprocess.run(cmd[:-1] + [f"{bad}:g"], capture_output=True, text=True)
    assert missing.returncode == 2 and "no function named 'g'" in missing.stderr


def test_errors_point_at_user_code():
    def no_template(x):
        return np.sum(np.fft.fft(x).real)

    with pytest.raises(tl.NoDerivativeError) as info:
        tl.grad(no_template)
    assert "numpy.fft" in str(info.value) and "tangentlike.adjoint" in str(info.value)
    assert __file__ in str(info.value)

    with pytest.raises(tl.NoSourceError):
        tl.grad(len)  # no source and no template (np.sin is differentiated by its own)

    with pytest.raises(tl.ArgumentError, match="parameters are x"):
        tl.grad(P.poly, wrt="y")
    with pytest.raises(tl.ArgumentError, match="out of range"):
        tl.grad(P.poly, wrt=3)


def test_non_scalar_output_points_to_vjp():
    def vector(x):
        return x * 2.0

    with pytest.raises(tl.NonScalarOutputError, match="vjp"):
        tl.grad(vector)(np.ones(3))


def test_integer_argument_is_rejected():
    with pytest.raises(tl.ArgumentError, match="integer"):
        tl.grad(P.poly)(3)


def test_error_in_generated_code_names_both_lines():
    def mismatch(A, v):
        w = A @ v
        return np.sum(w)

    with pytest.raises(ValueError) as info:
        tl.grad(mismatch)(np.ones((2, 3)), np.ones(2))
    note = "\n".join(info.value.__notes__)
    assert "in code generated by tangentlike" in note and "w = A @ v" in note
    assert f'File "{__file__}"' in note


def test_vjp_seed_shape_is_checked():
    def vector(x):
        return x * 2.0

    with pytest.raises(tl.ArgumentError, match=r"\(2,\).*\(3,\)"):
        tl.vjp(vector)(np.ones(3), np.ones(2))


def test_one_element_tuple_wrt_gives_a_tuple(rng):
    x = rng.normal(size=5)
    (g,) = tl.grad(P.transcendental, wrt=(0,))(x)
    np.testing.assert_allclose(g, tl.grad(P.transcendental)(x))


def test_verbose_prints_each_stage(capsys):
    def stages(x):
        return np.sum(np.sin(x) * x)

    tl.grad(stages, verbose=2)
    err = capsys.readouterr().err
    from tangentlike.pipeline import STAGES

    shown = [
        line[len("# --- after ") : -len(" ---")]
        for line in err.splitlines()
        if line.startswith("# --- after ")
    ]
    assert shown == [
        "parse",
        "closures",
        "regions",
        "lower",
        "normalize",
        "transform",
        "optimize",
    ]
    assert set(shown) <= {stage.name for stage in STAGES}
    assert "def dstages_dx(x" in err


@pytest.mark.usefixtures("debug_checks")
@pytest.mark.parametrize("func", CASES, ids=lambda f: f.__name__)
def test_forward_twin_matches_finite_differences(func, rng):
    args = _inputs(rng)[func]
    for i in range(len(args)):
        if isinstance(args[i], float) or args[i].dtype.kind == "f":
            tl.check_grads(func, args, wrt=i, modes=("forward",), rtol=1e-5, atol=1e-6)


def test_cli_dump_forward_mode_and_cupy_backend():
    base = [sys.executable, "-m", "tangentlike", "dump", "examples/logistic.py:loss"]
    runs = [
        subprocess.run(
            base + ["--mode", "forward"], cwd=ROOT, capture_output=True, text=True
        )
        for _ in range(2)
    ]
    assert runs[0].returncode == 0 and runs[0].stdout == runs[1].stdout
    assert "def jvp_loss(w, X, y, dw):" in runs[0].stdout
    cupy = subprocess.run(
        base + ["--backend", "cupy"], cwd=ROOT, capture_output=True, text=True
    )
    assert cupy.stdout.startswith("import cupy\n") and "cupy.exp(" in cupy.stdout


def test_printed_source_imports_the_modules_and_functions_it_calls():
    want = numerical_grad(P.math_chain, [0.3], 0)
    for df in (tl.grad(P.math_chain), tl.jvp(P.math_chain)):
        src = tl.getsource(df)
        assert "import math\n" in src
        namespace = {}
        exec(compile(src, "<generated>", "exec"), namespace)  # runs on its own
        main = [
            v for k, v in namespace.items() if k.startswith(("dmath_chain", "jvp_"))
        ][0]
        _, derivative = main(0.3) if main.__name__.startswith("d") else main(0.3, 1.0)
        assert derivative == pytest.approx(float(want), rel=1e-6)


def test_lambdas_have_gradients_like_defs(rng):
    x = rng.normal(size=4)
    np.testing.assert_allclose(tl.grad(P.square_sum)(x), 2 * x)
    np.testing.assert_allclose(tl.grad(P.two[1])(x), 3 * x**2)
    np.testing.assert_allclose(tl.grad(lambda v: np.sum(np.exp(v)))(x), np.exp(x))
    assert "def dlambda_dv(v" in tl.getsource(tl.grad(P.square_sum))


def doubles_first(x):
    x[0] = x[0] * 2.0
    return np.sum(x * x)


def test_finite_differences_survive_in_place_updates():
    x = np.array([0.5, -1.0, 2.0])
    want = np.array([8 * 0.5, 2 * -1.0, 2 * 2.0])
    np.testing.assert_allclose(numerical_grad(doubles_first, [x], 0), want, rtol=1e-6)
    np.testing.assert_array_equal(
        x, [0.5, -1.0, 2.0]
    )  # the caller's array is untouched
    np.testing.assert_allclose(tl.grad(doubles_first)(x.copy()), want, rtol=1e-12)


def test_cli_output_reads_the_modules_constants_and_runs(tmp_path):
    """The printed code gets the globals it reads: a literal's value, else an import."""
    src = tmp_path / "consts.py"
    src.write_text(
        "import numpy as np\nSCALE = 2.5\nW = np.array([1.0, -2.0])\n\n\n"
        "def f(x):\n    def inner(t):\n        return SCALE * t * t\n\n"
        "    return np.sum(inner(x) * W)\n"
    )
    out = tmp_path / "out.py"
    cmd = [sys.executable, "-m", "tangentlike", "dump", f"{src}:f", "-o", str(out)]
    subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, check=True)
    text = out.read_text()
    assert "SCALE = 2.5" in text and "from consts import W" in text
    run = [
        sys.executable,
        "-c",
        "import out; import numpy as np; "
        "print(out.df_dx(np.array([1.0, 2.0]))[1].tolist())",
    ]
    done = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[5.0, -20.0]"
    bad = subprocess.run(
        cmd[:-1] + [str(tmp_path / "no" / "dir.py")], capture_output=True, text=True
    )
    assert (
        bad.returncode == 2
        and "cannot write" in bad.stderr
        and "Traceback" not in bad.stderr
    )
