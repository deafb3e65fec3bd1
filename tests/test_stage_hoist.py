"""Hoist: arithmetic a loop that surely runs never changes moves before the loop,
so it is computed and saved once; the gradient stays what it was."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad
from tangentlike.frontend.hoist import hoist_invariants

from .stages import code, expected, normalized


def hoisted(source: str):
    node, _ = normalized(source)
    node.body = hoist_invariants(node.body)
    return code(node)


def test_an_invariant_temporary_moves_before_the_loop():
    assert hoisted("""
        def f(a, x, dt):
            for i in range(100):
                x = x + 0.5 * dt * (-a * x)
            return x
    """) == expected("""
        def f(a, x, dt):
            _mul = 0.5 * dt
            _neg = -a
            for i in range(100):
                _mul2 = _neg * x
                _mul3 = _mul * _mul2
                _x = x + _mul3
                x = _x
            return x
    """)


@pytest.mark.parametrize(
    "loop",
    [
        "for i in range(n):",  # may run no pass: -a might not have been computed
        "for i in range(0):",
        "for i in range(3):\n            a = a * x",  # a changes
        "for i in range(3):\n            a[0] = x",  # a changes in place
    ],
)
def test_nothing_moves_out_of_a_loop_that_may_not_run_or_changes_it(loop):
    source = f"""
    def f(a, x, n):
        {loop}
            x = x * -a
        return x
    """
    assert "    _neg = -a\n    for" not in hoisted(source)


def decay(a, x0):
    x = x0
    for _ in range(100):
        x = x + 0.01 * (-a * x + np.sin(x))
    return x


def test_a_float_parameters_gradient_is_a_float_summed_once():
    df = tl.grad(decay)
    source = tl.getsource(df, args=(0.5, 1.0))
    assert "_neg_saved" not in source and "zeros_like" not in source
    for a, x0 in ((0.5, 1.0), (-0.3, 2.0)):
        got = df(a, x0)
        assert type(got) is float
        assert got == pytest.approx(numerical_grad(decay, (a, x0), 0), rel=1e-6)
        assert got == tl.grad(decay, optimize=False)(a, x0)
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")

    def decay_ag(a, x0):
        x = x0
        for _ in range(100):
            x = x + 0.01 * (-a * x + anp.sin(x))
        return x

    assert df(0.5, 1.0) == pytest.approx(autograd.grad(decay_ag)(0.5, 1.0))
