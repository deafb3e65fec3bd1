"""The source on disk must be the function that runs: a module edited after it was
imported gets a StaleSourceError telling the user to reload, never the gradient of
whatever the file now holds.  Unedited definitions of every kind pass the check."""

import importlib
import os
import sys

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.frontend.parse import parse_function

ORIGINAL = """\
import numpy as np


def h(x):
    return np.sin(x) * 2.0


def k(x):
    return np.cos(x)
"""
MOVED = """\
import numpy as np

# a new comment moves every line down


def k(x):
    return np.cos(x)


def h(x):
    return np.sin(x) * 2.0
"""
SWAPPED = ORIGINAL.replace("def h", "def tmp").replace("def k", "def h")
CHANGED = ORIGINAL.replace("* 2.0", "* 3.0")


@pytest.fixture
def module(tmp_path, monkeypatch):
    """A module imported from a file, and a function that rewrites that file."""
    monkeypatch.syspath_prepend(str(tmp_path))
    path = tmp_path / "edited_module.py"
    path.write_text(ORIGINAL)
    sys.modules.pop("edited_module", None)
    mod = importlib.import_module("edited_module")

    def edit(text):
        path.write_text(text)
        stat = path.stat()  # a new modification time, however fast the edit
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))

    yield mod, edit
    sys.modules.pop("edited_module", None)


@pytest.mark.parametrize(
    "text", [MOVED, SWAPPED, CHANGED], ids=["moved", "swapped", "changed"]
)
def test_an_edited_file_is_refused(module, text):
    mod, edit = module
    edit(text)
    with pytest.raises(tl.StaleSourceError, match="reload") as info:
        tl.grad(mod.h)(0.3)
    assert "edited_module.py" in str(info.value)


def test_the_same_text_written_again_is_fine(module):
    mod, edit = module
    edit(ORIGINAL)
    assert tl.grad(mod.h)(0.3) == pytest.approx(2.0 * np.cos(0.3))


def test_after_a_reload_the_new_function_is_differentiated(module):
    mod, edit = module
    edit(CHANGED)
    mod = importlib.reload(mod)
    assert tl.grad(mod.h)(0.3) == pytest.approx(3.0 * np.cos(0.3))


class Base:
    def scale(self):
        return 2.0


class Model(Base):
    __private = 3.0

    def loss(self, x):
        return np.sum(x * x) * super().scale() * self.__private


def outer(c):
    def inner(x):
        return np.sum(np.sin(x) * c)

    return inner


decorated = tl.grad(lambda x: np.sum(x**3))


def test_unedited_definitions_of_every_kind_pass():
    x = np.array([0.5, -1.0])
    np.testing.assert_allclose(tl.grad(outer(2.0))(x), 2.0 * np.cos(x))
    np.testing.assert_allclose(decorated(x), 3 * x**2)
    parse_function(Model.loss)  # super() and a private name compile in their class
