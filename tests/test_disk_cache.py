"""Generated code kept on disk: a later request (here, after the in-memory cache is
cleared; or a fresh process) runs the kept code without transforming, and never a
stale one: an edited function, an edited helper, other templates, other options
each make a new entry; a corrupt entry is ignored and rewritten; processes
writing at once leave a whole entry.  Gradients are checked against central
differences."""

import importlib
import json
import linecache
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tangentlike as tl
from tangentlike import pipeline
from tangentlike.api import cache
from tangentlike.codegen import disk, fingerprint


def central(f, args, i=0, h=1e-6):
    """The gradient of scalar ``f`` in argument ``i``, by central differences."""
    args = [np.array(a, dtype=np.float64) for a in args]
    x = args[i]
    out = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[k] = h
        up = args[:i] + [x + step] + args[i + 1 :]
        down = args[:i] + [x - step] + args[i + 1 :]
        out[k] = (f(*up) - f(*down)) / (2 * h)
    return out


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An empty cache folder, and the in-memory cache cleared before and after."""
    monkeypatch.setenv("TANGENTLIKE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(disk.SWITCH, raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    cache.clear()
    yield tmp_path
    cache.clear()


@pytest.fixture
def builds(monkeypatch):
    """The transforms made (``pipeline.build`` calls), counted."""
    made = []
    build = pipeline.build

    def counting(*args, **kwargs):
        made.append(args[0])
        return build(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build", counting)
    return made


def write_module(folder, name: str, text: str):
    """Write module ``name`` into ``folder`` and import it afresh."""
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(text))
    linecache.checkcache(str(path))
    sys.modules.pop(name, None)
    importlib.invalidate_caches()
    return importlib.import_module(name)


def entries(folder) -> list:
    return sorted((folder / "cache" / "source").rglob("*.json"))


MODEL = """
import numpy as np

SCALE = 2.0


def loss(w, X):
    z = np.tanh(X @ w)
    return np.sum(z * z) * SCALE + 0.5 * np.sum(w * w)
"""
X = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
W = np.array([0.3, -0.2, 0.1])


def test_a_second_request_runs_the_kept_code(folder, builds):
    model = write_module(folder, "kept_model", MODEL)
    first = tl.grad(model.loss)(W, X)
    assert len(builds) == 1 and entries(folder)
    cache.clear()
    df = tl.grad(model.loss)
    again = df(W, X)
    assert len(builds) == 1  # loaded, not transformed
    np.testing.assert_allclose(again, central(model.loss, [W, X]), rtol=1e-6)
    np.testing.assert_array_equal(again, first)
    model.SCALE = 3.0  # global data is read as it is now, as by the transform
    np.testing.assert_allclose(df(W, X), central(model.loss, [W, X]), rtol=1e-6)
    assert len(builds) == 1


def test_a_second_jvp_request_runs_the_kept_code(folder, builds):
    model = write_module(folder, "kept_forward", MODEL)
    v = np.array([1.0, -0.5, 2.0])
    first = tl.jvp(model.loss)(W, X, v)
    assert len(builds) == 1 and entries(folder)
    cache.clear()
    made = tl.jvp(model.loss)
    again = made(W, X, v)
    assert len(builds) == 1  # loaded, not transformed
    assert again == pytest.approx(central(model.loss, [W, X]) @ v, rel=1e-6)
    assert again == first
    model.SCALE = 3.0  # global data is read as it is now, as by the transform
    assert made(W, X, v) == pytest.approx(central(model.loss, [W, X]) @ v, rel=1e-6)
    assert len(builds) == 1
    tangent = tl.jvp(model.loss, wrt=1)(W, X, X)  # another request: another entry
    assert tangent == pytest.approx(np.sum(central(model.loss, [W, X], i=1) * X))
    assert len(builds) == 2


def test_jvp_and_grad_keep_their_code_apart(folder, builds):
    model = write_module(folder, "forward_and_reverse", MODEL)
    tl.grad(model.loss)(W, X)
    cache.clear()
    v = np.array([0.5, 0.25, -1.0])
    made = tl.jvp(model.loss)
    assert made(W, X, v) == pytest.approx(central(model.loss, [W, X]) @ v)
    assert len(builds) == 2
    cache.clear()
    kept = tl.jvp(model.loss)
    assert kept(W, X, v) == made(W, X, v)
    assert len(builds) == 2
    assert tl.getsource(kept) == tl.getsource(made)  # transforms, to print it


def test_the_kept_code_is_the_code_the_transform_prints(folder, builds):
    model = write_module(folder, "printed_model", MODEL)
    made = tl.grad(model.loss)
    made(W, X)
    cache.clear()
    kept = tl.grad(model.loss)
    assert (
        kept.__wrapped__.__code__.co_filename == made.__wrapped__.__code__.co_filename
    )
    assert tl.getsource(kept) == tl.getsource(made)  # transforms, to print it


def test_an_edited_function_is_transformed_again(folder, builds):
    model = write_module(folder, "edited_model", MODEL)
    tl.grad(model.loss)(W, X)
    edited = MODEL.replace("np.tanh(X @ w)", "np.sin(X @ w) * 1.5")
    model = write_module(folder, "edited_model", edited)
    cache.clear()
    found = tl.grad(model.loss)(W, X)
    assert len(builds) == 2
    np.testing.assert_allclose(found, central(model.loss, [W, X]), rtol=1e-6)


HELPER = """
import numpy as np


def squash(z):
    return np.tanh(z)
"""
CALLERS = {
    "by_attribute": """
import numpy as np

import kept_helper


def loss(w):
    return np.sum(kept_helper.squash(w) ** 2)
""",
    "by_name": """
import numpy as np

from kept_helper import squash


def loss(w):
    return np.sum(squash(w) ** 2)
""",
}


@pytest.mark.parametrize("how", sorted(CALLERS))
def test_an_edited_helper_is_transformed_again(folder, builds, how):
    write_module(folder, "kept_helper", HELPER)
    caller = write_module(folder, "kept_caller", CALLERS[how])
    tl.grad(caller.loss)(W)
    write_module(folder, "kept_helper", HELPER.replace("np.tanh(z)", "np.sin(z) * z"))
    caller = write_module(folder, "kept_caller", CALLERS[how])
    cache.clear()
    found = tl.grad(caller.loss)(W)
    assert len(builds) == 2
    np.testing.assert_allclose(found, central(caller.loss, [W]), rtol=1e-6)


def test_other_templates_make_another_key(folder, monkeypatch):
    model = write_module(folder, "templates_model", MODEL)
    sources = folder / "sources"
    sources.mkdir()
    template = sources / "numpy_elementwise.py"
    template.write_text("RULE = 'd[x] = d[y] * (1.0 - y * y)'\n")
    monkeypatch.setattr(fingerprint, "source_folders", lambda: [str(sources)])
    monkeypatch.setattr(fingerprint, "_PACKAGE", [])
    request = ("reverse", (0,), True, "kept", "grad")
    before = fingerprint.key(model.loss, request)
    template.write_text("RULE = 'd[x] = d[y] * (1.0 - y ** 2)'\n")
    monkeypatch.setattr(fingerprint, "_PACKAGE", [])
    after = fingerprint.key(model.loss, request)
    assert before is not None and after is not None and before != after


def test_other_options_are_kept_apart(folder, builds):
    model = write_module(folder, "options_model", MODEL)
    for _ in range(2):  # made, then loaded
        cache.clear()
        for wrt, optimize in [(0, True), (1, True), (0, False)]:
            found = tl.grad(model.loss, wrt=wrt, optimize=optimize)(W, X)
            truth = central(model.loss, [W, X], i=wrt)
            np.testing.assert_allclose(found, truth, rtol=1e-6, atol=1e-9)
        value, g = tl.value_and_grad(model.loss)(W, X)
        assert np.isclose(value, model.loss(W, X))
    assert len(builds) == 3


def test_a_vjp_entry_does_not_let_grad_take_a_tuple(folder):
    model = write_module(
        folder,
        "pair_model",
        """
        import numpy as np

        def pair(x):
            return np.sum(x * x), np.sum(x)
        """,
    )
    seed = (1.0, 2.0)
    np.testing.assert_allclose(tl.vjp(model.pair)(W, seed), 2 * W + 2.0)
    cache.clear()
    with pytest.raises(tl.TangentlikeError, match="one scalar"):
        tl.grad(model.pair)


def test_a_corrupt_entry_is_ignored_and_rewritten(folder, builds):
    model = write_module(folder, "corrupt_model", MODEL)
    tl.grad(model.loss)(W, X)
    kept = entries(folder)
    for path in kept:
        path.write_text(path.read_text()[:50])
    cache.clear()
    found = tl.grad(model.loss)(W, X)
    np.testing.assert_allclose(found, central(model.loss, [W, X]), rtol=1e-6)
    assert len(builds) == 2
    assert entries(folder) == kept
    for path in kept:
        assert json.loads(path.read_text())["source"]


def test_what_no_key_covers_is_not_kept(folder):
    class Scale:
        factor = 2.0

    scale = Scale()

    def reads_an_object(w):
        return np.sum(w * w) * scale.factor

    def loss(w):
        return np.sum(np.sin(w))

    assert tl.grad(reads_an_object)(W) == pytest.approx(4 * W)
    assert not entries(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(disk.SWITCH, "0")
        np.testing.assert_allclose(tl.grad(loss)(W), np.cos(W))
    assert not entries(folder)


RACE = """
import sys
import numpy as np
import tangentlike as tl
import raced_model

g = tl.grad(raced_model.loss)(np.array([0.3, -0.2, 0.1]), np.linspace(-1, 1, 12).reshape(4, 3))
print(repr(g.tolist()))
print("tangentlike.pipeline" in sys.modules, "tangentlike.template" in sys.modules)
"""


def test_processes_writing_at_once_then_a_warm_start(folder):
    write_module(folder, "raced_model", MODEL)
    script = folder / "race.py"
    script.write_text(RACE)
    env = {**os.environ, "TANGENTLIKE_CACHE": str(folder / "cache")}
    env["PYTHONPATH"] = str(folder)
    run = [sys.executable, str(script)]
    racing = [
        subprocess.Popen(run, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in racing]
    assert all(p.returncode == 0 for p in racing)
    warm = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120)
    assert warm.returncode == 0, warm.stderr
    model = importlib.import_module("raced_model")
    truth = central(model.loss, [W, X])
    for out in [*outputs, warm.stdout]:
        np.testing.assert_allclose(eval(out.splitlines()[0]), truth, rtol=1e-6)
    assert warm.stdout.splitlines()[1] == "False False"  # nothing transformed
    assert not list((folder / "cache").rglob("*.tmp"))


def test_an_error_in_kept_code_names_the_users_line(folder, builds):
    model = write_module(folder, "failing_model", MODEL)
    notes = []
    for _ in range(2):  # made, then loaded
        cache.clear()
        with pytest.raises(ValueError) as caught:
            tl.grad(model.loss)(W, X.T)  # X @ w cannot be taken
        notes.append(caught.value.__notes__)
    assert len(builds) == 1
    assert notes[0] == notes[1]
    assert 'failing_model.py", line 8: z = np.tanh(X @ w)' in notes[1][0]


def test_a_folder_that_cannot_be_written_keeps_nothing(folder, monkeypatch):
    model = write_module(folder, "unwritten_model", MODEL)
    (folder / "a_file").write_text("")
    monkeypatch.setenv("TANGENTLIKE_CACHE", str(folder / "a_file"))
    found = tl.grad(model.loss)(W, X)
    np.testing.assert_allclose(found, central(model.loss, [W, X]), rtol=1e-6)


def test_what_the_key_reads(folder, monkeypatch):
    from tangentlike import template

    model = write_module(folder, "keyed_model", MODEL)
    request = ("reverse", (0,), True, "kept", "grad")
    first = fingerprint.key(model.loss, request)
    assert fingerprint.key(model.loss, ("reverse", (1,), True, "kept", "grad")) != first
    monkeypatch.setattr(model, "SCALE", 3.0)  # a number read: by its value
    assert fingerprint.key(model.loss, request) not in (None, first)
    monkeypatch.setattr(model, "SCALE", [2.0])  # a list: no key
    assert fingerprint.key(model.loss, request) is None
    monkeypatch.setattr(model, "SCALE", 2.0)
    assert fingerprint.key(model.loss, request) == first
    scale = 2.0
    assert fingerprint.key(lambda w: np.sum(w) * scale, request) is None  # a closure
    assert set(fingerprint.OPTIONAL_MODULES) == set(template.OPTIONAL.values())
