"""Every generated function reads its names from the scope of the function it came
from: two modules' globals of one name, a global a closure shadows, an inner def
reading its enclosing function's closure."""

import importlib
import sys

import numpy as np
import pytest

import tangentlike as tl

MODULE = """\
scale = {value}


def {name}(x):
    return x * scale
"""
MAIN = """\
from scale_a import a
from scale_b import b


def both(x):
    return a(x) * b(x)
"""


@pytest.fixture
def modules(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "scale_a.py").write_text(MODULE.format(value=2.0, name="a"))
    (tmp_path / "scale_b.py").write_text(MODULE.format(value=3.0, name="b"))
    (tmp_path / "scale_main.py").write_text(MAIN)
    for name in ("scale_a", "scale_b", "scale_main"):
        sys.modules.pop(name, None)
    yield importlib.import_module("scale_main")
    for name in ("scale_a", "scale_b", "scale_main"):
        sys.modules.pop(name, None)


def test_two_modules_globals_of_one_name(modules):
    g = tl.grad(modules.both)
    assert g(1.0) == pytest.approx(12.0)  # d/dx (2x * 3x); 18 read one scale twice
    sys.modules["scale_a"].scale = 5.0  # each still read when the gradient runs
    assert g(1.0) == pytest.approx(30.0)
    assert "scale" in tl.getsource(g) and "scale2" in tl.getsource(g)


c = 100.0


def times_c(y):
    return y * c


def shadowing(c):
    def f(x):
        return times_c(x) * x * c

    return f


def enclosing(c):
    def f(x):
        def g(y):
            return y * c

        return np.sum(g(x) * x)

    return f


def test_a_closure_does_not_shadow_a_callees_global():
    assert tl.grad(shadowing(2.0))(1.0) == pytest.approx(400.0)


def test_an_inner_def_reads_its_own_closures_cell():
    x = np.array([0.5, 1.5])
    for k in (2.0, 3.0):
        np.testing.assert_allclose(tl.grad(enclosing(k))(x), 2 * k * x)
