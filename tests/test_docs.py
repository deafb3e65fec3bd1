"""The public API documents itself: every public function has a full docstring
(its parameters, what it returns, an example, which runs here), a gradient shows
its generated source as a notebook cell's value, the package is typed, and
``tangentlike --version`` answers."""

from __future__ import annotations

import doctest
import inspect
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tangentlike as tl
from tangentlike import template as tpl

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = [
    name
    for name in tl.__all__
    if inspect.isfunction(getattr(tl, name)) or name == "Graph"
]


@pytest.fixture
def registries():
    """The examples of ``adjoint`` and ``tangent`` register templates: undone after."""
    tpl.load_templates()
    kept = dict(tpl.ADJOINTS), dict(tpl.TANGENTS)
    yield
    for table, saved in zip((tpl.ADJOINTS, tpl.TANGENTS), kept):
        table.clear()
        table.update(saved)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_function_has_a_full_docstring(name, registries):
    doc = inspect.getdoc(getattr(tl, name)) or ""
    if name != "Graph":
        for section in ("Args:", "Returns:", "Example:"):
            assert section in doc, f"tl.{name}'s docstring has no {section}"
    tests = doctest.DocTestFinder().find(getattr(tl, name), name, globs={})
    examples = [t for t in tests if t.examples]
    assert examples or name == "Graph", f"tl.{name} shows no example"
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in examples:
        runner.run(test)
    assert runner.failures == 0, f"tl.{name}'s example does not run as shown"


def square_sum(x):
    return np.sum(x * x)


def test_a_gradient_shows_its_source_in_a_notebook():
    df = tl.grad(square_sum)
    shown = df._repr_markdown_()
    assert shown == f"```python\n{tl.getsource(df)}```"
    assert "def dsquare_sum_dx(x, b_result=1.0):" in shown
    df(np.ones(3))  # the front changes its code on the first call; not what it shows
    assert df._repr_markdown_() == shown
    assert "def jvp_square_sum(x, dx):" in tl.jvp(square_sum)._repr_markdown_()


def test_the_package_is_typed_and_ships_the_marker():
    assert (ROOT / "tangentlike" / "py.typed").is_file()
    assert 'tangentlike = ["py.typed"]' in (ROOT / "pyproject.toml").read_text()


def test_version_on_the_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "tangentlike", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert (
        done.returncode == 0 and done.stdout.strip() == f"tangentlike {tl.__version__}"
    )
