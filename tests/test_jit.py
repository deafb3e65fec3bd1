"""jit=True: the variant compiled by Numba, its machine code cached on disk; where
Numba cannot compile it, the NumPy code runs and explain_jit says which line
stopped it. Gradients are checked against central finite differences.

Each test compiles one small function (Numba takes about a second for each), so
the file stays short.
"""

import math
import textwrap

import gast
import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api import cli
from tangentlike.codegen import jit
from tangentlike.codegen.render import to_source


def _central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def recurrence(a, x0):
    x = x0
    for _ in range(50):
        x = x + 0.01 * a * np.sin(x) - 0.001 * x
    return x


def growth(r, x):
    for _ in range(20):
        x = x + r * x * (1.0 - x)
    return x


def decay(r, x):
    for _ in range(10):
        x = x - r * x * x
    return x


def mapped(a, x):
    return np.sin(a * x)


def sorted_sum(a, x):
    return np.sum(np.sort(a * x) * x)


@pytest.fixture
def numba(tmp_path, monkeypatch):
    monkeypatch.setenv("TANGENTLIKE_CACHE", str(tmp_path))
    return pytest.importorskip("numba")


def test_the_rewrites_numba_needs():
    source = textwrap.dedent(
        """
        def f(a, x, bx=1.0):
            _x_saved = [None] * 100
            for i in range(100):
                _x_saved[i] = x
                x = x + a * math.sin(x)
            ba = np.zeros_like(a)
            for i in reversed(range(100)):
                ba += bx * math.sin(_x_saved[i])
            del _x_saved
            for x in reversed(_x_saved):
                ba += x
            return x, ba
        """
    )
    f = gast.parse(source).body[0]
    (done,) = jit.for_numba([f], ("a",))
    assert to_source([done], []) == textwrap.dedent(
        """\
        @numba.njit(cache=True)
        def f(a, x, bx=1.0):
            _x_saved = []
            for i in range(100):
                _x_saved.append(x)
                x = x + a * math.sin(x)
            ba = 0.0
            for i in range(99, -1, -1):
                ba += bx * math.sin(_x_saved[i])
            for __x_saved_i in range(len(_x_saved) - 1, -1, -1):
                x = _x_saved[__x_saved_i]
                ba += x
            return x, ba
        """
    )


KEPT = [
    """
    def f(x):
        _s = [None] * 10
        for i in range(10):
            if x > 0:
                _s[i] = x
        return x
    """,
    """
    def f(x):
        _s = [None] * 10
        for j in range(3):
            for i in range(10):
                _s[i] = x
                x = x * 2.0
        return x
    """,
    """
    def f(x):
        _s = [None] * 10
        for i in range(10):
            if x > 1.0:
                continue
            _s[i] = x
            x = x * 2.0
        return x
    """,
]


@pytest.mark.parametrize(
    "source", KEPT, ids=["in a branch", "in a loop's loop", "after a continue"]
)
def test_a_save_not_once_a_step_keeps_its_list(source):
    (done,) = jit.for_numba([gast.parse(textwrap.dedent(source)).body[0]], ())
    assert "_s = [None] * 10" in to_source([done], [])


def test_a_list_changed_or_returned_stays_a_list():
    source = textwrap.dedent(
        """
        def f(a, b):
            read = [a, b]
            grown = [a]
            grown.append(b)
            given = [a, b]
            return np.concatenate(read), grown, given
        """
    )
    (done,) = jit.for_numba([gast.parse(source).body[0]], ())
    printed = to_source([done], [])
    assert "read = a, b" in printed
    assert "grown = [a]" in printed and "given = [a, b]" in printed


def test_grad_of_a_scalar_loop_compiled(numba, tmp_path):
    dgrowth = tl.grad(growth, jit=True)
    g = dgrowth(0.3, 0.1)
    assert type(g) is float
    assert math.isclose(g, _central(lambda r: growth(r, 0.1), 0.3), rel_tol=1e-6)
    assert tl.explain_jit(dgrowth).endswith("compiled by Numba")
    cached = list((tmp_path / "jit").glob("tl_*.py"))
    assert len(cached) == 1 and "@numba.njit(cache=True)" in cached[0].read_text()
    assert list((tmp_path / "jit" / "__pycache__").glob("*.nbi"))  # machine code


def test_value_and_grad_vjp_jvp(numba):
    value, g = tl.value_and_grad(recurrence, jit=True)(0.5, 0.3)
    assert value == pytest.approx(recurrence(0.5, 0.3), rel=1e-12)
    assert g == pytest.approx(_central(lambda a: recurrence(a, 0.3), 0.5), rel=1e-6)
    x = np.linspace(0.1, 1.0, 4)
    seed = np.array([1.0, -2.0, 0.5, 3.0])
    vjp = tl.vjp(mapped, wrt=1, jit=True)(0.7, x, seed)
    fd = [
        _central(lambda t, e=e: seed @ mapped(0.7, x + t * e), 0.0) for e in np.eye(4)
    ]
    np.testing.assert_allclose(vjp, fd, rtol=1e-6)
    djvp = tl.jvp(recurrence, jit=True)
    assert djvp(0.5, 0.3, 1.0) == pytest.approx(g, rel=1e-9)
    assert "compiled by Numba" in tl.explain_jit(djvp)


def test_what_numba_cannot_compile_runs_as_numpy(numba):
    dsorted = tl.grad(sorted_sum, wrt=1, jit=True)
    x = np.array([0.3, -1.0, 0.7, 0.1, -0.4])
    with pytest.warns(tl.JitWarning, match="runs as NumPy code"):
        g = dsorted(0.8, x)
    fd = [_central(lambda t, e=e: sorted_sum(0.8, x + t * e), 0.0) for e in np.eye(5)]
    np.testing.assert_allclose(g, fd, rtol=1e-6)
    why = tl.explain_jit(dsorted)
    assert "Numba cannot compile it at line" in why and "np.argsort(" in why
    np.testing.assert_allclose(dsorted(0.8, x), g)  # warned once: no error here


def test_without_numba_the_numpy_code_runs(monkeypatch):
    monkeypatch.setattr(jit, "numba_available", lambda: False)
    ddecay = tl.grad(decay, jit=True)
    with pytest.warns(tl.JitWarning, match="Numba is not installed"):
        g = ddecay(0.3, 0.1)
    assert math.isclose(g, _central(lambda r: decay(r, 0.1), 0.3), rel_tol=1e-6)
    assert "Numba is not installed" in tl.explain_jit(ddecay)


def test_explain_before_and_without_jit():
    assert "without jit=True" in tl.explain_jit(tl.grad(growth))
    assert "not been called yet" in tl.explain_jit(tl.grad(growth, jit=True))
    with pytest.raises(tl.ArgumentError):
        tl.explain_jit(growth)


def test_dump_jit_prints_the_decorated_module(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text(
        textwrap.dedent(
            """
            import numpy as np


            def recurrence(a, x0):
                x = x0
                for _ in range(50):
                    x = x + 0.01 * a * np.sin(x) - 0.001 * x
                return x
            """
        )
    )
    argv = ["dump", f"{path}:recurrence", "--jit", "--args", "float, float"]
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("import numba\nimport numpy as np\n")
    assert "@numba.njit(cache=True)\ndef drecurrence_da(" in printed
    namespace = {}
    plain_source = printed.replace("@numba.njit(cache=True)\n", "")
    exec(
        compile(plain_source.replace("import numba\n", ""), "m", "exec"),
        namespace,
    )
    value, g = namespace["drecurrence_da"](0.5, 0.3)
    assert g == pytest.approx(_central(lambda a: recurrence(a, 0.3), 0.5), rel=1e-6)
    assert cli.main(["dump", f"{path}:recurrence", "--jit", "--backend", "cupy"]) == 2


def pair(y, k):
    return np.array([k * y[0], y[0] * y[1]])


def stepped(y0, k):
    y = y0
    for _ in range(3):
        y = y + 0.1 * pair(y, k)
    return np.sum(y * y)


def test_a_users_function_building_an_array_compiled(numba):
    y0 = np.array([0.4, -0.3])
    dstepped = tl.grad(stepped, wrt=1, jit=True)
    g = dstepped(y0, 0.7)
    assert g == pytest.approx(_central(lambda k: stepped(y0, k), 0.7), rel=1e-6)
    assert tl.explain_jit(dstepped).endswith("compiled by Numba")


def test_slice_updates_become_loops_into_the_view():
    source = textwrap.dedent(
        """
        def f(bu, g, s):
            bu[1:-1] += g
            bu[2] += s
            bu[:, 0:1] += g
            return bu
        """
    )
    (done,) = jit.for_numba([gast.parse(source).body[0]], ())
    printed = to_source([done], [])
    assert "add_into(bu[1:-1], g)\n" in printed
    assert "bu[2] += s\n" in printed  # one item: no view
    assert "add_into(bu[:, 0:1], g)\n" in printed


def test_adding_into_a_view_compiled_is_numpys_in_place_add(numba):
    from tangentlike.runtime.compiled import add_into

    @numba.njit
    def updated(x, v, m):
        add_into(x[1:], x[:-1])  # overlapping: NumPy reads all of x[:-1] first
        add_into(x[:2], v)  # one element, broadcast
        add_into(m[1:, :], m[:1, :])  # a row, broadcast down the rows
        return x, m

    x, m = np.arange(6.0), np.arange(6.0).reshape(3, 2)
    want_x, want_m = x.copy(), m.copy()
    want_x[1:] += want_x[:-1].copy()
    want_x[:2] += np.array([10.0])
    want_m[1:, :] += want_m[:1, :]
    got_x, got_m = updated(x, np.array([10.0]), m)
    np.testing.assert_array_equal(got_x, want_x)
    np.testing.assert_array_equal(got_m, want_m)


def test_a_loops_saves_go_on_one_list_of_tuples():
    source = textwrap.dedent(
        """
        def f(x, a):
            _x_saved = [None] * 10
            _y_saved = [None] * 10
            _kept = [None] * 10
            for i in range(10):
                _x_saved[i] = x
                y = a * x
                _y_saved[i] = y
                _kept[i] = y
                x = np.sin(y)
            for i in reversed(range(10)):
                a = a + _x_saved[i] * _y_saved[i]
            for v in reversed(_y_saved):
                a = a + v
            return _kept, a
        """
    )
    (done,) = jit.for_numba([gast.parse(source).body[0]], ())
    assert to_source([done], []) == textwrap.dedent(
        """\
        @numba.njit(cache=True)
        def f(x, a):
            _steps_saved = []
            _kept = []
            for i in range(10):
                _x_saved_item = x
                y = a * x
                _y_saved_item = y
                _kept.append(y)
                x = np.sin(y)
                _steps_saved.append((_x_saved_item, _y_saved_item))
            for i in range(9, -1, -1):
                a = a + _steps_saved[i][0] * _steps_saved[i][1]
            for __y_saved_i in range(len(_steps_saved) - 1, -1, -1):
                v = _steps_saved[__y_saved_i][1]
                a = a + v
            return _kept, a
        """
    )


def cross_energy(x, y):
    d = x[:, None, :] - y[None, :, :]
    return np.sum(1.0 / (np.sum(d * d, axis=-1) + 1.0))


def test_squared_distances_written_out_compiled(numba):
    """Their short gradient's helper has a compiled form (one Numba compile)."""
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    dcross = tl.grad(cross_energy, wrt=(0, 1), jit=True)
    got = dcross(x, y)
    assert tl.explain_jit(dcross).endswith("compiled by Numba")
    for g, arg in zip(got, (x, y)):
        for idx in [(0, 0), (3, 2), (1, 1)]:
            e = np.zeros_like(arg)
            e[idx] = 1.0

            def along(t, e=e, arg=arg):
                moved = (x + t * e, y) if arg is x else (x, y + t * e)
                return cross_energy(*moved)

            assert g[idx] == pytest.approx(_central(along, 0.0), rel=1e-6)
    from tangentlike.runtime.compiled import _weights_checked  # as Numba runs it

    with pytest.raises(tl.TangentlikeError, match="np.square"):
        _weights_checked(np.ones((4, 5)), x, rng.normal(size=(5, 1)))
