"""The GPU check (tests/gpu_check.sh) rehearsed without a GPU, offline, in a fresh
Python 3.12 environment (tests/gpu_rehearsal.sh). Slow: it builds the environment
and runs the whole suite in it, so CI leaves it out; run it with ``-m slow``."""

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_gpu_check_installs_offline_and_skips_what_it_cannot_run(tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    cmd = ["bash", "tests/gpu_rehearsal.sh", str(tmp_path / "wheels"), str(tmp_path)]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    results = (tmp_path / "gpu_check.md").read_text()
    assert run.returncode == 0, results + run.stderr[-2000:]
    for step in ("gast and astor", "tangentlike", "the installed package"):
        assert f"- {step}: ok" in results
    for step in ("GPU tests", "benchmark", "CPU tests"):
        assert f"- {step}: ok" in results
    assert "CuPy is not installed" in (tmp_path / "benchmark.log").read_text()
    gpu_log = (tmp_path / "gpu_tests.log").read_text()
    assert " passed" not in gpu_log.splitlines()[-1]  # every GPU test skipped


OPTIONAL = ("autograd", "dask", "distributed", "cupy", "jax", "torch")


def _optional_imports(tree):
    """Imports of optional packages outside a ``try`` that catches ImportError."""
    guarded = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            "ImportError" in ast.unparse(h.type or ast.Name("")) for h in node.handlers
        ):
            guarded |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom) or id(node) in guarded:
            continue
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        names += [a.name for a in node.names if isinstance(node, ast.Import)]
        if any(n.split(".")[0] in OPTIONAL for n in names):
            yield node.lineno


def test_optional_packages_are_imported_so_that_tests_skip_without_them():
    """The GPU machine has no autograd or Dask (and CI no CuPy): tests take an
    optional package with ``pytest.importorskip``, so that its absence skips them
    instead of failing them, or stopping the whole run at collection."""
    found = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        lines = _optional_imports(ast.parse(path.read_text()))
        found += [f"{path.name}:{n}" for n in lines]
    assert found == [], f"import these with pytest.importorskip: {found}"
