"""The template language's declarations: linear(), bilinear(), refused(), and the
facts each runtime helper declares, checked against finite differences."""

import inspect

import numpy as np
import pytest

import tangentlike as tl
from tangentlike import constants, runtime
from tangentlike import template as tpl
from tangentlike.api.check import numerical_grad
from tangentlike.runtime.facts import HELPERS, facts_of

W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])


def shift_rows(x, k):
    """Linear in x: each row rolled by k."""
    return np.roll(x, k, axis=1)


def weigh_pair(a, b):
    """Bilinear in a and b."""
    return a * b + 2.0 * a * b


def no_rule(x):
    return x * 1.0


@pytest.fixture(scope="module", autouse=True)
def declared():
    """The declarations of this module, taken back after it (the list of supported
    functions is of tangentlike's own)."""
    tpl.linear(shift_rows, "shift_rows(d[y], -k)")
    tpl.bilinear(weigh_pair)
    tpl.refused(no_rule, "no_rule in this test")
    yield
    for f in (shift_rows, weigh_pair, no_rule):
        tpl.ADJOINTS.pop(f, None)
        tpl.TANGENTS.pop(f, None)
        tpl.LINEAR_IN.pop(f.__name__, None)


def uses_linear(x):
    return np.sum(np.sin(shift_rows(x, 1)) * W)


def uses_bilinear(a, b):
    return np.sum(np.cos(weigh_pair(a, b)) * W)


def uses_bilinear_on_a_constant(a):
    return np.sum(weigh_pair(a, W) ** 2)


def uses_refused(x):
    return np.sum(no_rule(x))


X = np.array([[0.3, -1.1, 0.7], [0.2, 0.9, -0.4]])
Y = np.array([[1.2, 0.1, -0.3], [0.5, -0.8, 0.6]])


def directional(f, args, i, v, eps=1e-6):
    hi, lo = list(args), list(args)
    hi[i], lo[i] = args[i] + eps * v, args[i] - eps * v
    return (f(*hi) - f(*lo)) / (2 * eps)


@pytest.mark.parametrize(
    "f, args",
    [(uses_linear, (X,)), (uses_bilinear, (X, Y))],
    ids=["linear", "bilinear"],
)
def test_declared_rules_match_finite_differences_in_both_modes(f, args):
    for i in range(len(args)):
        want = numerical_grad(f, list(args), i)
        np.testing.assert_allclose(tl.grad(f, wrt=i)(*args), want, rtol=1e-6)
        v = np.linspace(-1.0, 1.0, args[i].size).reshape(args[i].shape)
        tangents = [v if j == i else np.zeros_like(a) for j, a in enumerate(args)]
        got = tl.jvp(f, wrt=tuple(range(len(args))))(*args, *tangents)
        np.testing.assert_allclose(got, directional(f, args, i, v), rtol=1e-6)


def test_a_linear_rule_is_differentiated_again():
    hessian = tl.hessian(uses_linear)(X)
    df = tl.grad(uses_linear)
    rows = [numerical_grad(lambda x, k=k: df(x).flat[k], [X], 0) for k in range(6)]
    want = np.array(rows).reshape(6, 6)
    np.testing.assert_allclose(hessian.reshape(6, 6), want, atol=1e-6)


def test_the_product_rule_drops_the_term_of_a_constant_operand():
    source = tl.getsource(tl.jvp(uses_bilinear_on_a_constant))
    calls = [line for line in source.splitlines() if "= weigh_pair(" in line]
    assert len(calls) == 2  # the value, and one tangent term
    np.testing.assert_allclose(
        tl.jvp(uses_bilinear_on_a_constant)(X, Y),
        directional(uses_bilinear_on_a_constant, (X,), 0, Y),
        rtol=1e-6,
    )


@pytest.mark.parametrize("make", [tl.grad, tl.jvp])
def test_a_refused_primal_is_refused_at_the_users_line(make):
    with pytest.raises(tl.NoDerivativeError, match="no_rule in this test") as info:
        make(uses_refused)
    assert "return np.sum(no_rule(x))" in str(info.value)


def _public_functions():
    return {
        name: obj
        for name, obj in vars(runtime).items()
        if not name.startswith("_") and inspect.isfunction(obj)
    }


def test_every_helper_of_generated_code_declares_its_facts():
    undeclared = sorted(set(_public_functions()) - set(HELPERS))
    assert not undeclared, f"declare these with @helper(...): {undeclared}"


def test_every_helper_is_a_constant_or_has_both_derivative_templates():
    """A helper called for its value; those called as statements (the stacks'
    bookkeeping) give none to differentiate."""
    missing = [
        name
        for name, helper in sorted(HELPERS.items())
        if not constants.is_constant(helper)
        and not facts_of(helper).statement
        and not (tpl.lookup(tpl.ADJOINTS, helper) and tpl.lookup(tpl.TANGENTS, helper))
    ]
    assert not missing, f"give these an adjoint and a tangent template: {missing}"


def test_a_helper_declared_linear_drops_a_zero_tangent_in_forward_mode():
    for name, helper in HELPERS.items():
        for i in facts_of(helper).linear:
            params = list(inspect.signature(helper).parameters)
            assert i < len(params), f"{name} is declared linear in argument {i}"
