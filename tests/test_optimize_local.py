"""Forwarding copies, numbers and negations: the rewrites, and when they must not happen."""

import textwrap

import gast
import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad
from tangentlike.codegen.render import to_source
from tangentlike.optimize.forwarding import forward_values


def rewrite(source: str) -> str:
    func = gast.parse(textwrap.dedent(source)).body[0]
    forward_values(func)
    return to_source([func], []).strip()


def body(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines()[1:]]


def test_copy_forwarded_into_its_readers():
    out = rewrite("""
        def f(bh):
            b_mul2 = bh
            b_sin = b_mul2 * 0.1
            return b_sin
    """)
    assert body(out) == ["b_sin = bh * 0.1", "return b_sin"]


def test_copy_kept_when_its_source_changes_first():
    out = rewrite("""
        def f(bh, c):
            b_mul = bh
            bh = c * 2.0
            bh = bh + b_mul * 0.5
            return bh
    """)
    assert "b_mul = bh" in out


def test_negation_absorbed_by_a_constant_and_a_sum():
    out = rewrite("""
        def f(bd, b_log, p, b_sub2):
            b_mul = -bd
            bx = b_mul * 0.5
            bp = -b_sub2
            bp = bp + b_log / p
            return bx, bp
    """)
    assert body(out) == ["bx = bd * -0.5", "bp = b_log / p - b_sub2", "return bx, bp"]


def test_negation_that_would_stay_is_not_moved():
    out = rewrite("""
        def f(z, X):
            _neg = -z
            e = np.exp(_neg)
            w = X @ _neg
            return e
    """)
    assert "_neg = -z" in out


def test_negation_cancels():
    out = rewrite("""
        def f(a, b):
            n = -a
            m = -n * b
            return m
    """)
    assert body(out) == ["m = a * b", "return m"]


def test_augmented_target_is_a_read():
    out = rewrite("""
        def f(a, b):
            t = a
            t += b
            return t
    """)
    assert "t = a" in out


def test_no_forwarding_past_a_break():
    out = rewrite("""
        def f(xs, b):
            for x in xs:
                t = b
                if x > 0:
                    break
                b = x * t
            return t
    """)
    assert "t = b" in out


def test_value_read_by_the_next_iteration_stays():
    out = rewrite("""
        def f(xs, h):
            for x in xs:
                g = h * x
                b = h
                h = g + 1.0
            return b
    """)
    assert "b = h" in out


def sign_heavy(x, y):
    a = -x * y
    b = np.sum(-(a - x) / (1.0 + y * y))
    return b - np.sum(-a * 0.5)


@pytest.mark.parametrize("wrt", [0, 1])
def test_gradients_with_many_signs(wrt):
    r = np.random.default_rng(3)
    args = [r.standard_normal(4), r.standard_normal(4)]
    got = tl.grad(sign_heavy, wrt=wrt)(*args)
    np.testing.assert_allclose(got, numerical_grad(sign_heavy, args, wrt), rtol=1e-6)


def test_negation_read_twice_moves_when_both_absorb_it():
    out = rewrite("""
        def f(b_neg, _add, c, bb):
            bc = -b_neg
            bb = bb + bc / _add
            b_add = -bc * c / _add
            return bb, b_add
    """)
    assert body(out) == [
        "bb = bb - b_neg / _add",
        "b_add = b_neg * c / _add",
        "return bb, b_add",
    ]
    kept = rewrite("""
        def f(b_neg, _add):
            bc = -b_neg
            bb = 1.0 + bc / _add
            e = np.exp(bc)
            return bb, e
    """)
    assert "bc = -b_neg" in kept


def test_copy_forwarded_into_a_subscripted_target_too():
    """Found by the fuzzer: ``t7 = _t7`` was forwarded into ``_t7_old = t7[1, -1]``
    but not into ``t7[1, -1] = v``, which then wrote into the old array."""
    out = rewrite("""
        def f(a, v):
            _t7 = a * 2.0
            t7 = _t7
            _old = t7[1]
            t7[1] = v
            t7 = _t7 * a
            return t7, _old
    """)
    assert "_t7[1] = v" in out


def subscript_store_after_rebinding(a, b):
    t7 = a * a
    t7 *= np.exp(t7)
    t7[1, -1] = t7[-1, 0] * 2.0
    t7 *= a
    return np.sum(t7) + np.sum(b)


def test_subscript_store_after_a_rebinding_gradient():
    a = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]])
    b = np.array([0.1, 0.2, 0.3])
    got = tl.grad(subscript_store_after_rebinding)(a.copy(), b)
    want = numerical_grad(subscript_store_after_rebinding, (a, b), 0)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)


def test_a_copy_back_goes_and_the_copy_forwards():
    out = rewrite("""
        def f(bx, x):
            for i in range(3):
                b_x = bx
                bx = b_x
                b_add = b_x * 0.01
                bx = bx + b_add * x
            return bx
    """)
    assert body(out)[1:3] == ["b_add = bx * 0.01", "bx = bx + b_add * x"]


@pytest.mark.parametrize("between", ["bx = bx * 2.0", "b_x = x"])
def test_a_copy_back_stays_where_either_side_changes_between(between):
    source = f"""
        def f(bx, x):
            b_x = bx
            {between}
            bx = b_x
            return bx + 3.0 * b_x
    """
    namespace = {}
    exec(rewrite(source), namespace)
    exec(textwrap.dedent(source), want := {})
    assert namespace["f"](1.5, 0.25) == want["f"](1.5, 0.25)
