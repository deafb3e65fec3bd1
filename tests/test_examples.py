"""Every script in examples/ runs, on a small size, and finds what it should."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def example(name: str):
    """The example's module, loaded from its file (examples/ is no package)."""
    spec = importlib.util.spec_from_file_location(
        f"example_{name}", EXAMPLES / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(EXAMPLES))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(EXAMPLES))
    return module


def test_every_example_is_run_here():
    tested = {"logistic", "mlp", "ode_fit", "scipy_minimize", "dask_logistic", "graph"}
    assert {p.stem for p in EXAMPLES.glob("*.py")} == tested


def test_logistic_regression_by_gradient_descent(capsys):
    w = example("logistic").main(["500"])
    np.testing.assert_allclose(w, [1.5, -2.0, 0.5, 0.0, 1.0], atol=0.35)
    assert "accuracy" in capsys.readouterr().out


def test_an_mlp_learns_the_digits(capsys):
    pytest.importorskip("sklearn")
    accuracy = example("mlp").main(["30"])
    assert accuracy > 0.9
    assert f"test accuracy: {accuracy:.1%}" in capsys.readouterr().out


def test_an_ode_integrated_by_rk4_is_fitted(capsys):
    params = example("ode_fit").main(["40", "80"])
    np.testing.assert_allclose(params, [9.81 / 1.5, 0.3], rtol=0.05)
    assert "found: g/l" in capsys.readouterr().out


def test_scipy_minimize_takes_the_gradient_as_jac(capsys):
    pytest.importorskip("scipy")
    vmax, k = example("scipy_minimize").main([])
    assert vmax == pytest.approx(212.68, abs=0.01) and k == pytest.approx(
        0.06412, abs=1e-5
    )
    assert "jac=tl.grad(f)" in capsys.readouterr().out


def test_the_gradient_saves_evaluations_over_finite_differences():
    """Same minimum as SciPy's finite-difference default, in fewer evaluations of f
    (its gradient's evaluations counted as one each)."""
    optimize = pytest.importorskip("scipy.optimize")
    import tangentlike as tl

    module = example("scipy_minimize")
    f, data = module.sum_of_squares, (module.CONCENTRATION, module.RATE)
    start = np.array([150.0, 0.1])
    found = optimize.minimize(f, start, args=data, jac=tl.grad(f), method="BFGS")
    plain = optimize.minimize(f, start, args=data, method="BFGS")
    np.testing.assert_allclose(found.x, plain.x, rtol=1e-4)
    assert found.nfev + found.njev < plain.nfev


def test_out_of_core_logistic_regression_on_dask(capsys):
    pytest.importorskip("dask.array")
    w, peak = example("dask_logistic").main(["40000", "5"])
    np.testing.assert_allclose(w, np.linspace(-1.0, 1.0, 5), atol=0.2)
    assert peak is None or "peak memory of the process" in capsys.readouterr().out


def test_the_graph_of_the_readme_example(tmp_path, capsys):
    out = example("graph").main([str(tmp_path / "graph.dot")])
    assert out.read_text().startswith('digraph "loss" {')
    assert "14 of them link an adjoint" in capsys.readouterr().out
    if shutil.which("dot"):
        png = example("graph").main([str(tmp_path / "graph.png")])
        assert png.read_bytes().startswith(b"\x89PNG")
