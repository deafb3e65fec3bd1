"""The command line: dump --check (exit 0, 1 with a diff, 2), --standalone, --args and
--version, run in process through ``cli.main``."""

from __future__ import annotations

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api import cli
from tangentlike.api.check import numerical_grad

LOSS = '''\
import numpy as np


def loss(w, X):
    """A small least-squares loss."""
    r = X @ w - 1.0
    return np.sum(r * r) / X.shape[0]
'''


@pytest.fixture
def module(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(LOSS)
    return path


def test_check_is_0_when_equal_and_1_with_a_diff_when_not(module, tmp_path, capsys):
    out = tmp_path / "grads.py"
    assert cli.main(["dump", f"{module}:loss", "-o", str(out)]) == 0
    kept = out.read_text()
    assert cli.main(["dump", f"{module}:loss", "-o", str(out), "--check"]) == 0
    module.write_text(LOSS.replace("r * r", "r * r * r * r"))
    capsys.readouterr()
    assert cli.main(["dump", f"{module}:loss", "-o", str(out), "--check"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith(f"--- {out}\n+++ {out} (generated now)\n")
    assert "\n+" in captured.out and "\n-" in captured.out
    assert "to update it, run: tangentlike dump" in captured.err
    assert out.read_text() == kept  # --check writes nothing


def test_check_of_a_missing_file_is_1(module, tmp_path, capsys):
    missing = tmp_path / "nothing.py"
    assert cli.main(["dump", f"{module}:loss", "-o", str(missing), "--check"]) == 1
    assert f"--- {missing} (missing)" in capsys.readouterr().out
    assert not missing.exists()


def test_check_user_errors_are_2(module, tmp_path, capsys):
    assert cli.main(["dump", f"{module}:loss", "--check"]) == 2
    assert "give it with -o" in capsys.readouterr().err
    out = str(tmp_path / "grads.py")
    assert cli.main(["dump", f"{module}:nothing", "-o", out, "--check"]) == 2
    assert cli.main(["dump", "missing.py:loss", "-o", out, "--check"]) == 2


def test_standalone_dump_runs_without_tangentlike(module, capsys, rng):
    assert cli.main(["dump", f"{module}:loss", "--standalone"]) == 0
    source = capsys.readouterr().out
    assert "import tangentlike" not in source and "from tangentlike" not in source
    namespace: dict = {}
    exec(compile(source, "grads.py", "exec"), namespace)
    w, X = rng.normal(size=3), rng.normal(size=(7, 3))
    value, g = namespace["dloss_dw"](w, X)
    loss = _load(module)
    assert value == pytest.approx(loss(w, X))
    np.testing.assert_allclose(g, numerical_grad(loss, [w, X], 0), rtol=1e-6)


def test_args_give_the_variant_for_those_shapes(module, tmp_path, capsys, rng):
    spec = "float64[3], float64[7,3]"
    assert cli.main(["dump", f"{module}:loss", "--args", spec]) == 0
    printed = capsys.readouterr().out
    w, X = rng.normal(size=3), rng.normal(size=(7, 3))
    df = tl.grad(_load(module))
    assert printed == tl.getsource(df, args=(w, X))
    assert printed != tl.getsource(df)
    example = tmp_path / "example.npz"
    np.savez(example, w=w, X=X)
    assert cli.main(["dump", f"{module}:loss", "--args", str(example)]) == 0
    assert capsys.readouterr().out == printed


@pytest.mark.parametrize(
    "spec, why",
    [("float64[3], floaty[7,3]", "no NumPy dtype"), ("3", "cannot read '3'")],
)
def test_bad_args_are_2(module, capsys, spec, why):
    assert cli.main(["dump", f"{module}:loss", "--args", spec]) == 2
    assert why in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"tangentlike {tl.__version__}"


def _load(path):
    namespace: dict = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace["loss"]
