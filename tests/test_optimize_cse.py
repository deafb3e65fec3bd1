"""Repeated operations computed once, negations cancelled across statements: the
rewrites, when they must not happen, and that they change no bit of a gradient."""

import math

import gast
import numpy as np
import pytest

import tangentlike as tl
from tangentlike import anno
from tangentlike.api.check import numerical_grad
from tangentlike.optimize.cse import share_common
from tangentlike.optimize.negations import cancel_negations

from .rewriting import rewrite, unchanged


def test_a_held_operation_is_read_from_its_name():
    out = rewrite(
        """
        def f(d):
            bd = 3.0 * d
            bd = bd + 3.0 * d
            return bd
        """,
        share_common,
    )
    assert out == ["bd = 3.0 * d", "bd = bd + bd", "return bd"]


def test_an_operation_inside_an_expression_gets_a_temporary():
    out = rewrite(
        """
        def f(bx, b_add, x):
            bx = bx + b_add * x
            bx += b_add * x
            return bx
        """,
        share_common,
    )
    assert out == ["_mul = b_add * x", "bx = bx + _mul", "bx += _mul", "return bx"]


@pytest.mark.parametrize(
    "between",
    ["x = x + 1.0", "b_add += 1.0", "x[0] = 2.0", "np.sin(b_add, out=x)", "x.sort()"],
)
def test_an_operand_changed_in_between_stops_the_reuse(between):
    out = rewrite(
        f"""
        def f(bx, b_add, x):
            bx = bx + b_add * x
            {between}
            bx += b_add * x
            return bx
        """,
        share_common,
    )
    assert sum(line.count("b_add * x") for line in out) == 2


def test_the_holder_changed_in_between_stops_the_reuse():
    out = rewrite(
        """
        def f(d):
            bd = 3.0 * d
            bd = bd * bd
            y = 3.0 * d
            return y + bd
        """,
        share_common,
    )
    assert out[2] == "y = 3.0 * d"


def test_a_name_the_operation_reads_does_not_hold_it():
    out = rewrite(
        """
        def f(x):
            x = x * 2.0
            y = x * 2.0
            return y
        """,
        share_common,
    )
    assert out == ["x = x * 2.0", "y = x * 2.0", "return y"]


def test_negation_cancelled_through_a_chain_of_products():
    out = rewrite(
        """
        def f(bp, p, _add, _exp, X):
            b_add = -bp * p / _add
            b_neg = b_add * _exp
            bz = -b_neg
            return X.T @ bz
        """,
        lambda func: cancel_negations(func),
    )
    assert out == [  # each adjoint holding its negation is named for it
        "_neg_b_add = bp * p / _add",
        "_neg_b_neg = _neg_b_add * _exp",
        "bz = _neg_b_neg",
        "return X.T @ bz",
    ]


def test_negation_folded_into_a_number():
    out = rewrite(
        """
        def f(y, p):
            b_log = -0.001 * y
            return -b_log / p
        """,
        lambda func: cancel_negations(func),
    )
    assert out == ["_neg_b_log = 0.001 * y", "return _neg_b_log / p"]


@pytest.mark.parametrize(
    "source",
    [
        # read twice: both readers would see the flipped sign
        "def f(a, b):\n    t = -a * b\n    u = -t\n    return u + t\n",
        # no sign to cancel: a sum (flipping it would change the sign of a zero)
        "def f(a, b):\n    t = a - b\n    return -t\n",
        # the user's names keep their meaning
        "def f(a, b):\n    z = -a * b\n    return -z\n",
    ],
)
def test_negation_kept_where_it_cannot_be_cancelled(source):
    assert unchanged(source, lambda func: cancel_negations(func, keep=frozenset({"z"})))


# exactness: the optimized gradient equals the unoptimized one to the bit ------------
def scalar_ops(x):
    u = math.cos(x) * x - 0.25
    v = u * u / (2.0 + x * x)
    w = -math.exp(-v) * u
    return w * w + math.tanh(u * x) - v


def logreg(w, X, y):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def squares(x):
    s = x * x
    t = np.sin(s) * s
    return np.sum(t * t + x * x)


def test_optimized_scalar_gradient_is_bitwise_the_unoptimized_one():
    for x in (0.7, -1.3, 2.5):
        got = tl.grad(scalar_ops)(x)
        assert got == tl.grad(scalar_ops, optimize=False)(x)
        assert got == pytest.approx(numerical_grad(scalar_ops, (x,), 0), rel=1e-6)


def test_optimized_array_gradients_are_bitwise_the_unoptimized_ones():
    r = np.random.default_rng(1)
    X, w = r.standard_normal((50, 7)), 0.1 * r.standard_normal(7)
    y = (r.random(50) < 0.5).astype(float)
    got = tl.grad(logreg)(w, X, y)
    np.testing.assert_array_equal(got, tl.grad(logreg, optimize=False)(w, X, y))
    np.testing.assert_allclose(
        got, numerical_grad(logreg, (w, X, y), 0), rtol=1e-6, atol=1e-9
    )
    x = r.standard_normal(11)
    got = tl.grad(squares)(x)
    np.testing.assert_array_equal(got, tl.grad(squares, optimize=False)(x))
    np.testing.assert_allclose(
        got, numerical_grad(squares, (x,), 0), rtol=1e-6, atol=1e-9
    )


def test_a_whole_value_is_not_shared():
    """``z = x * 1.0`` after ``y = x * 1.0`` stays: as ``z = y`` the two names would
    be one array, and ``y[0] = c`` would change ``z`` too."""
    out = rewrite(
        """
        def f(x, c):
            y = x * 1.0
            z = x * 1.0
            y[0] = c
            return y, z
        """,
        share_common,
    )
    assert out[1] == "z = x * 1.0"


def two_copies_one_updated(x, c):
    y = x * 1.0
    z = x * 1.0
    z[0] = c
    return np.sum(x * y * z)


def test_two_equal_arrays_stay_two_arrays():
    x = np.array([0.3, -0.4, 0.8])
    got = tl.grad(two_copies_one_updated)(x.copy(), 0.5)
    np.testing.assert_allclose(got, [2 * 0.3 * 0.5, 3 * 0.16, 3 * 0.64], rtol=1e-12)


def exp_twice(z, y):
    a = np.exp(z) / np.sum(np.exp(z))  # the user wrote np.exp(z) twice
    return np.sum(a * y) + np.sum(np.exp(z, dtype=np.float64))


def exp_into_own_names(z, y):
    a = np.exp(z)
    b = np.exp(z)  # a name of the user's: it may be updated in place, kept apart
    return np.sum(a * y) + np.sum(b)


def exp_of_a_changed_operand(z, y):
    e = np.exp(z)
    z = z * 2.0
    return np.sum(e * y) + np.sum(np.exp(z))


@pytest.mark.parametrize(
    "f, exps",
    [(exp_twice, 2), (exp_into_own_names, 2), (exp_of_a_changed_operand, 2)],
    ids=lambda c: getattr(c, "__name__", ""),
)
def test_a_pure_call_repeated_is_computed_once(f, exps):
    z, y = np.linspace(-1.0, 1.0, 7), np.arange(7.0)
    df = tl.grad(f)
    want = numerical_grad(f, [z, y], 0)
    np.testing.assert_allclose(df(z, y), want, rtol=1e-7, atol=1e-9)
    np.testing.assert_array_equal(df(z, y), tl.grad(f, optimize=False)(z, y))
    for source in (tl.getsource(df), tl.getsource(df, args=(z, y))):
        primal = source.split("# line")[0]
        assert primal.count("np.exp(") == exps


def test_a_call_is_shared_between_temporaries_only():
    out = rewrite(
        """
        def f(z):
            _exp = np.exp(z)
            a = np.exp(z)
            _exp2 = np.exp(z)
            _exp3 = np.exp(z, out=a)
            return _exp, a, _exp2, _exp3
        """,
        lambda func: share_common(with_numpy_callees(func)),
    )
    assert out[:4] == [
        "_exp = np.exp(z)",
        "a = np.exp(z)",
        "_exp2 = _exp",
        "_exp3 = np.exp(z, out=a)",
    ]


def with_numpy_callees(func):
    for node in gast.walk(func):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute):
            anno.set_(node, anno.CALLEE, getattr(np, node.func.attr))
    return func
