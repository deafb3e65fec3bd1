"""Standalone export: every corpus gradient, printed with ``standalone=True``, runs
in a fresh virtual environment that has NumPy and not tangentlike, and gives what
the gradient gives in process.

The environment is made once per session (``python -m venv --without-pip``, which
needs no network), with NumPy reached through a folder that links to NumPy alone;
all modules run in one interpreter there.  Where no venv can be made, the modules
run under ``python -I -S`` with only that folder on ``sys.path``.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

import numpy as np
import pytest

import tangentlike as tl

from . import corpus_control as C
from . import programs_core as P

USER_MODULES = ("__init__.py", "corpus_control.py", "helpers_imported.py")

DRIVER = textwrap.dedent(
    """
    import importlib, pickle, sys
    sys.path.insert(0, sys.argv[1])
    try:
        import tangentlike
    except ImportError:
        pass
    else:
        raise SystemExit("tangentlike is importable here")
    cases = pickle.load(open(sys.argv[2], "rb"))
    results = {}
    for name, main, args in cases:
        try:
            results[name] = getattr(importlib.import_module(name), main)(*args)
        except Exception as exc:
            results[name] = f"{type(exc).__name__}: {exc}"
    pickle.dump(results, open(sys.argv[3], "wb"))
    """
)


def _cases():
    """``(id, derivative, arguments, positional extras)`` of every corpus gradient:
    the core programs in reverse and forward mode, the control corpus in reverse."""
    found = []
    for func, args in P.inputs(np.random.default_rng(0)).items():
        found.append((f"core_{func.__name__}", tl.grad(func), args, ()))
        tangent = np.ones_like(args[0]) if np.ndim(args[0]) else 1.0
        found.append((f"core_jvp_{func.__name__}", tl.jvp(func), args, (tangent,)))
    for k, (func, args, _, todo) in enumerate(C.CORPUS):
        if not todo:
            found.append((f"control{k}_{func.__name__}", tl.grad(func), args, ()))
    return found


CASES = _cases()


def _numpy_only(folder: Path) -> Path:
    """A folder linking to NumPy (its package, libraries and metadata) and nothing else."""
    site = Path(np.__file__).resolve().parent.parent
    folder.mkdir()
    for entry in site.iterdir():
        if entry.name == "numpy" or entry.name.startswith(("numpy.", "numpy-")):
            (folder / entry.name).symlink_to(entry)
    return folder


def _bare_python(root: Path, numpy_dir: Path) -> list[str]:
    """The command of a Python that sees NumPy and not tangentlike."""
    try:
        venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(root / "env")
    except Exception:  # no venv here: an isolated interpreter instead
        return [sys.executable, "-I", "-S"]
    scheme = {"base": str(root / "env"), "platbase": str(root / "env")}
    purelib = Path(sysconfig.get_path("purelib", vars=scheme))
    (purelib / "numpy_only.pth").write_text(f"{numpy_dir}\n")
    return [str(root / "env" / "bin" / "python")]


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """What each standalone module returned in the bare environment, by case id."""
    root = tmp_path_factory.mktemp("standalone")
    numpy_dir = _numpy_only(root / "numpy_only")
    code = root / "code"
    (code / "tests").mkdir(parents=True)
    for name in USER_MODULES:  # the user's own modules stay importable
        source = Path(__file__).with_name(name).read_text()
        (code / "tests" / name).write_text(source if name != "__init__.py" else "")
    cases = []
    for name, df, args, extra in CASES:
        main = df.__tangentlike__.module.main_name
        (code / f"{name}.py").write_text(tl.getsource(df, standalone=True))
        cases.append((name, main, (*args, *extra)))
        if name.startswith("core_") and "jvp" not in name:
            variant = tl.getsource(df, standalone=True, args=args)
            (code / f"{name}_variant.py").write_text(variant)
            cases.append((f"{name}_variant", main, args))
    (root / "cases.pkl").write_bytes(pickle.dumps(cases))
    (root / "driver.py").write_text(DRIVER)
    command = _bare_python(root, numpy_dir)
    paths = [str(code), str(root / "cases.pkl"), str(root / "results.pkl")]
    if command[-1] == "-S":
        paths[0] = f"{code}{os.pathsep}{numpy_dir}"
    done = subprocess.run(
        [*command, str(root / "driver.py"), *paths],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "")},
    )
    assert done.returncode == 0, done.stderr
    return pickle.loads((root / "results.pkl").read_bytes())


def _close(got, want) -> None:
    if isinstance(want, (list, tuple)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _close(g, w)
    elif isinstance(want, dict):
        assert set(got) == set(want)
        for k in want:
            _close(got[k], want[k])
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_standalone_matches_in_process(case, ran):
    name, df, args, extra = case
    want = df(*args, *extra)
    for key in (name, f"{name}_variant"):
        if key in ran:
            got = ran[key]
            assert not isinstance(got, str), f"{key} raised {got}"
            _close(got[1], want)


def test_standalone_source_imports_nothing_of_tangentlike():
    source = tl.getsource(tl.grad(P.softmax_loss), standalone=True)
    assert "import tangentlike" not in source and "from tangentlike" not in source
    assert "def unreduce(g, x" in source and "def _shape(x)" in source
    assert "from tangentlike" in tl.getsource(tl.grad(P.softmax_loss))
