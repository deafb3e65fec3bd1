"""The sigmoid written out, ``1 / (1 + exp(-z))``, and its logarithms take their
own derivatives: finite where the chain rule through ``exp`` gives ``0 * inf``,
and right (finite differences, autograd, the closed form) wherever they apply.
Patterns with anything changed in between keep the chain rule."""

import math
import warnings

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

autograd = pytest.importorskip("autograd")  # absent on some machines: skip, not fail
anp = pytest.importorskip("autograd.numpy")

Z = np.array([-800.0, -40.0, -3.0, -0.5, 0.0, 0.7, 4.0, 40.0, 800.0])


def exact_sigmoid(z):
    """The sigmoid and its derivative without overflow."""
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return p, p * (1 - p)


def sigmoid_sum(z):
    p = 1.0 / (1.0 + np.exp(-z))
    return np.sum(p)


def sigmoid_logs(z):
    p = 1 / (1 + np.exp(-z))
    return np.sum(0.3 * np.log(p) + 0.7 * np.log(1 - p))


def logistic(w, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def test_a_saturated_sigmoid_has_a_finite_gradient():
    """exp(800) overflows: the chain rule's gradient there is NaN (autograd's too)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = tl.grad(sigmoid_sum)(Z)
        _, want = exact_sigmoid(Z)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)
        tangent = tl.jvp(sigmoid_sum)(Z, np.ones_like(Z))
        assert math.isclose(tangent, np.sum(want), rel_tol=1e-12)


def test_the_logarithms_of_a_sigmoid_take_one_minus_p_and_minus_p():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = tl.grad(sigmoid_logs)(Z)
    p, _ = exact_sigmoid(Z)
    np.testing.assert_allclose(got, 0.3 * (1 - p) - 0.7 * p, rtol=1e-12, atol=1e-15)


def test_logistic_regression_against_the_closed_form_and_autograd():
    rng = np.random.default_rng(0)
    X, w = rng.standard_normal((50, 4)), rng.standard_normal(4)
    y = (rng.random(50) < 0.5).astype(float)
    p, _ = exact_sigmoid(X @ w)
    np.testing.assert_allclose(
        tl.grad(logistic)(w, X, y), X.T @ (p - y) / 50, rtol=1e-12
    )

    def ag(w):
        q = 1.0 / (1.0 + anp.exp(-(X @ w)))
        return -anp.mean(y * anp.log(q) + (1.0 - y) * anp.log(1.0 - q))

    np.testing.assert_allclose(
        tl.grad(logistic)(w, X, y), autograd.grad(ag)(w), rtol=1e-10
    )
    tangent = tl.jvp(logistic)(w, X, y, np.ones(4))
    assert math.isclose(tangent, np.sum(X.T @ (p - y) / 50), rel_tol=1e-10)


def test_the_generated_code_reads_the_sigmoid():
    source = tl.getsource(tl.grad(sigmoid_sum))
    assert "bz = bp * p * (1.0 - p)" in source
    assert "b_exp" not in source and "b_add" not in source
    source = tl.getsource(
        tl.grad(logistic),
        args=(np.zeros(3), np.zeros((5, 3)), np.zeros(5)),
        comments=False,
    )
    assert "np.exp" not in source.split("_result = -_mean")[1]


# the parts of the pattern read elsewhere, or changed in between ----------------------
def exp_read_twice(z):
    e = np.exp(-z)
    p = 1 / (1 + e)
    return np.sum(p * e)


def one_on_the_right(z):
    p = 1.0 / (np.exp(-z) + 1)
    return np.sum(p * p)


def z_changes_in_between(z):
    e = np.exp(-z)
    z = z * 3.0
    p = 1 / (1 + e)
    return np.sum(p * z)


def p_changes_before_the_log(z):
    p = 1 / (1 + np.exp(-z))
    p = p * 0.5
    return np.sum(np.log(p))


def z_changes_before_the_log(z):
    p = 1 / (1 + np.exp(-z))
    z = z + 1.0
    return np.sum(np.log(p) * z)


def one_minus_p_before_p_changes(z):
    p = 1 / (1 + np.exp(-z))
    q = 1 - p
    p = 2.0 * p
    return np.sum(np.log(q) + p)


def updated_in_place(z):
    a = 1 + np.exp(-z)
    a[0] = 2.0
    p = 1 / a
    return np.sum(p)


def rebinds_its_input(z):
    z = 1 / (1 + np.exp(-z))
    return np.sum(np.log(z))


def not_a_sigmoid(z):
    p = 2.0 / (1.0 + np.exp(-z))
    q = 1.0 / (1.0 + np.exp(z))
    return np.sum(np.log(p) + q)


def in_a_loop(z):
    s = 0.0
    for i in range(3):
        p = 1.0 / (1.0 + np.exp(-(z * i)))
        z = z + p
        s = s + np.sum(np.log(1.0 - p))
    return s


def in_a_branch(z, flag):
    if flag > 0:
        p = 1.0 / (1.0 + np.exp(-z))
    else:
        p = np.tanh(z)
    return np.sum(np.log(p * p))


def scalar(x):
    p = 1.0 / (1.0 + math.exp(-x))
    return math.log(p) * x + math.log(1.0 - p)


@pytest.mark.parametrize(
    "f",
    [
        exp_read_twice,
        one_on_the_right,
        z_changes_in_between,
        p_changes_before_the_log,
        z_changes_before_the_log,
        one_minus_p_before_p_changes,
        updated_in_place,
        rebinds_its_input,
        not_a_sigmoid,
        in_a_loop,
    ],
)
def test_gradients_and_tangents_match_finite_differences(f):
    z = np.array([-1.3, -0.2, 0.4, 1.1])
    want = numerical_grad(f, (z,), 0)
    np.testing.assert_allclose(tl.grad(f)(z), want, rtol=1e-6, atol=1e-9)
    v = np.array([0.3, -1.0, 0.5, 2.0])
    tangent = tl.jvp(f)(z, v)
    assert math.isclose(tangent, want @ v, rel_tol=1e-6, abs_tol=1e-9)


@pytest.mark.parametrize("flag", [1, -1])
def test_a_sigmoid_in_a_branch(flag):
    z = np.array([0.2, 0.9])
    want = numerical_grad(in_a_branch, (z, flag), 0)
    np.testing.assert_allclose(tl.grad(in_a_branch)(z, flag), want, rtol=1e-6)


def test_a_scalar_sigmoid_of_math_functions():
    for x in (-2.0, 0.3, 5.0):
        assert math.isclose(
            tl.grad(scalar)(x), numerical_grad(scalar, (x,), 0), rel_tol=1e-6
        )
    source = tl.getsource(tl.grad(scalar), comments=False)
    assert "math.exp" not in source.split("return")[0].split("bx")[1]


@pytest.mark.parametrize(
    "f, fused",
    [
        (exp_read_twice, True),
        (one_on_the_right, True),
        (in_a_loop, True),
        (z_changes_in_between, False),
        (updated_in_place, False),
        (rebinds_its_input, False),
        (not_a_sigmoid, False),
    ],
)
def test_where_the_sigmoid_is_recognised(f, fused):
    source = tl.getsource(tl.grad(f))
    assert ("* (1.0 - p)" in source) is fused
