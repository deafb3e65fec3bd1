"""Float variants fold single-use temporaries into their readers: the rewrites,
when they must not happen, and that no bit of a gradient changes."""

import math

import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad
from tangentlike.optimize.fuse import fuse_temporaries

from .rewriting import rewrite, unchanged


def fused(source: str, keep=frozenset()) -> list[str]:
    return rewrite(source, lambda func: fuse_temporaries(func, keep, modules={"math"}))


def test_temporaries_fold_into_the_users_statement():
    out = fused(
        """
        def f(h, _h_saved, _i):
            _mul = 0.5 * h
            _sin = math.sin(h)
            _h_saved[_i] = h
            _mul2 = _sin * 0.1
            h = _mul + _mul2
            return h
        """,
        keep=frozenset({"h"}),
    )
    assert out == ["_h_saved[_i] = h", "h = 0.5 * h + math.sin(h) * 0.1", "return h"]


def test_an_adjoint_and_its_accumulation_merge():
    out = fused(
        """
        def f(bh, h):
            b_mul = bh
            b_sin = bh * 0.1
            bh = b_sin * math.cos(h)
            bh = bh + b_mul * 0.5
            return bh
        """,
        keep=frozenset({"h"}),
    )
    assert out == ["bh = bh * 0.1 * math.cos(h) + bh * 0.5", "return bh"]


@pytest.mark.parametrize(
    "between",
    ["h = h * 2.0", "h += 1.0", "xs[0] = 2.0", "helper(h)", "xs.append(h)"],
)
def test_nothing_moves_past_a_change_of_what_it_reads(between):
    out = fused(
        f"""
        def f(h, xs):
            _mul = h * xs[0]
            {between}
            y = _mul + 1.0
            return y
        """
    )
    assert out[0] == "_mul = h * xs[0]"


@pytest.mark.parametrize(
    "source",
    [
        # read twice
        "def f(x):\n    _t = x * 2.0\n    return _t + _t\n",
        # the user's own name
        "def f(x):\n    a = x * 2.0\n    return a + 1.0\n",
        # a call that is not a module's function
        "def f(x):\n    _t = g(x)\n    return _t + 1.0\n",
        # a loop's test is read again every time round
        "def f(x):\n    _t = x * 2.0\n    while _t > 1.0:\n        x = x - 1.0\n    return x\n",
    ],
)
def test_kept_where_folding_would_not_be_the_same(source):
    keep = frozenset({"a", "x"})
    assert unchanged(
        source, lambda func: fuse_temporaries(func, keep, modules={"math"})
    )


def recurrence(x):
    h = x
    for _ in range(20):
        h = 0.5 * h + math.sin(h) * 0.1 - h * h * 0.01
    return h


def scalar(x, y):
    a = math.exp(-x * y) * math.cos(x)
    b = a * a / (1.0 + y * y)
    return b - math.tanh(a * x) * y


def test_float_variants_fold_and_equal_the_unoptimized_gradient_bitwise():
    df = tl.grad(recurrence)
    for x in (0.3, -0.9, 1.7):
        assert df(x) == tl.grad(recurrence, optimize=False)(x)
        assert df(x) == pytest.approx(numerical_grad(recurrence, (x,), 0), rel=1e-6)
    assert "h = 0.5 * h + math.sin(h) * 0.1" in tl.getsource(df, args=(0.3,))
    dg = tl.grad(scalar, wrt=(0, 1))
    for x, y in ((0.3, 0.4), (-1.1, 0.7)):
        got = dg(x, y)
        assert got == tl.grad(scalar, wrt=(0, 1), optimize=False)(x, y)
        want = [float(numerical_grad(scalar, (x, y), i)) for i in (0, 1)]
        assert list(got) == pytest.approx(want, rel=1e-6)


def test_the_general_code_keeps_one_operation_per_line():
    source = tl.getsource(tl.grad(recurrence), comments=False)
    assert "h = 0.5 * h + math.sin(h) * 0.1" not in source
    assert "_mul = 0.5 * h" in source and "_sin = math.sin(h)" in source


@pytest.mark.parametrize("after, folded", [("", True), (" + h", False)])
def test_a_restored_value_read_once_is_read_from_the_saves(after, folded):
    """Folded where nothing reads ``h`` afterwards; kept where the return does."""
    out = fused(
        f"""
        def f(bh, _h_saved):
            for _i in reversed(range(3)):
                h = _h_saved[_i]
                bh = bh * math.cos(h)
            return bh{after}
        """,
        keep=frozenset({"h"}),
    )
    assert ("bh = bh * math.cos(_h_saved[_i])" in out) == folded
    assert ("h = _h_saved[_i]" in out) != folded
