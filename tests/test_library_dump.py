"""Library functions through the command line: ``tangentlike dump`` of a user's
module that calls ``scipy.optimize.rosen``, ``scipy.special.softmax``,
``np.polyval`` and ``np.trapezoid`` prints the library function's derivative, and
the module dumped with ``--standalone`` gives the gradient (and, dumped with
``--mode forward``, the directional derivative) of central finite differences when
it runs where tangentlike cannot be imported."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("scipy")

from tangentlike.api import cli  # noqa: E402
from tangentlike.api.check import numerical_grad  # noqa: E402

MODEL = '''\
import numpy as np
import scipy.optimize
import scipy.special

C = np.array([0.5, -1.0, 2.0, 0.7, 1.5])
T = np.linspace(0.0, 1.0, 5)

rosen = scipy.optimize.rosen
softmax_weighted = lambda x: np.sum(scipy.special.softmax(x) * C)  # noqa: E731


def polyval_fit(c):
    """Squares of a polynomial of coefficients c at T."""
    return np.sum(np.polyval(c, T) ** 2)


def trapezoid_area(y):
    """The area under y * y over T."""
    return np.trapezoid(y * y, T)
'''

# each function, and what its dump shows of the library function's derivative
SHOWN = {
    "rosen": "100.0 * (x[1:] - x[:-1]**2.0)**2.0",  # SciPy's line, quoted
    "softmax_weighted": "np.sum(_weighted",  # the template's adjoint
    "polyval_fit": "polyval_coefficients(",
    "trapezoid_area": "_bwd_trapezoid(",
}

RUNNER = textwrap.dedent(
    """
    import importlib, pickle, sys
    sys.modules["tangentlike"] = None  # importing it fails from here on
    sys.path.insert(0, sys.argv[1])
    cases = pickle.load(open(sys.argv[2], "rb"))
    results = {}
    for module, main, args in cases:
        code = importlib.import_module(module)
        try:
            results[module] = getattr(code, main)(*args)
        except Exception as exc:
            results[module] = f"{type(exc).__name__}: {exc}"
    pickle.dump(results, open(sys.argv[3], "wb"))
    """
)

X = np.array([0.3, 1.2, -0.7, 2.05, 0.4])
V = np.linspace(0.5, -0.8, X.size)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """The user's module, and its namespace."""
    folder = tmp_path_factory.mktemp("library_dump")
    (folder / "library_model.py").write_text(MODEL)
    namespace: dict = {}
    exec(compile(MODEL, str(folder / "library_model.py"), "exec"), namespace)
    return folder, namespace


def _dump(path, name, *options) -> str:
    out = path.parent / f"out_{name}_{len(options)}.py"
    assert cli.main(["dump", f"{path}:{name}", *options, "-o", str(out)]) == 0
    return out.read_text()


@pytest.fixture(scope="module")
def ran(model):
    """What each dumped module returned, run where tangentlike is not importable."""
    folder, _ = model
    cases = []
    for name in SHOWN:
        for mode, args in (("reverse", (X,)), ("forward", (X, V))):
            source = _dump(
                folder / "library_model.py", name, "--standalone", "--mode", mode
            )
            code = source.split("\n# The helpers")[0]  # the runtime's copy follows
            assert "tangentlike" not in code
            main = re.findall(r"^def (\w+)\(", code, re.M)[-1]
            (folder / f"{name}_{mode}.py").write_text(source)
            cases.append((f"{name}_{mode}", main, args))
    (folder / "cases.pkl").write_bytes(pickle.dumps(cases))
    (folder / "runner.py").write_text(RUNNER)
    paths = [str(folder), str(folder / "cases.pkl"), str(folder / "results.pkl")]
    done = subprocess.run(
        [sys.executable, str(folder / "runner.py"), *paths],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return pickle.loads((folder / "results.pkl").read_bytes())


@pytest.mark.parametrize("name", list(SHOWN))
def test_dump_shows_the_library_functions_derivative(model, name):
    folder, _ = model
    source = _dump(folder / "library_model.py", name)
    assert SHOWN[name] in source


@pytest.mark.parametrize("name", list(SHOWN))
def test_standalone_dump_gives_the_gradient(model, ran, name):
    f = model[1][name]
    got = ran[f"{name}_reverse"]
    assert not isinstance(got, str), got
    assert got[0] == pytest.approx(f(X))
    np.testing.assert_allclose(got[1], numerical_grad(f, [X], 0), rtol=1e-6)


@pytest.mark.parametrize("name", list(SHOWN))
def test_standalone_forward_dump_gives_the_directional_derivative(model, ran, name):
    f = model[1][name]
    got = ran[f"{name}_forward"]
    assert not isinstance(got, str), got
    want = numerical_grad(f, [X], 0) @ V
    np.testing.assert_allclose(got[1], want, rtol=1e-6)
