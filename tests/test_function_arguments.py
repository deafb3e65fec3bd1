"""Functions passed in and called (``def apply(f, x): return f(x)``): a derivative
is made for each function passed, in both modes and to second order, against
central finite differences."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

X = np.array([0.5, 1.5])


def apply(f, x):
    return f(x)


def combine(f, g, x):
    return f(x) * g(x) + f(2 * x)


def square(x):
    return np.sum(x**2)


def cube(x):
    return np.sum(x**3)


sine = lambda z: np.sum(np.sin(z))  # noqa: E731 (a lambda, as passed in)


@pytest.mark.parametrize("f", [square, cube, sine])
def test_the_function_passed_is_differentiated(f):
    expected = numerical_grad(lambda x: apply(f, x), (X,), 0)
    np.testing.assert_allclose(tl.grad(apply, wrt=1)(f, X), expected, rtol=1e-6)
    v = np.array([1.0, -2.0])
    assert tl.jvp(apply, wrt=1)(f, X, v) == pytest.approx(expected @ v, rel=1e-6)


def test_one_derivative_serves_each_function_it_is_given():
    df = tl.grad(combine, wrt="x")
    for f, g in [(square, cube), (cube, square), (square, square)]:
        expected = numerical_grad(lambda x, f=f, g=g: combine(f, g, x), (X,), 0)
        np.testing.assert_allclose(df(f, g, X), expected, rtol=1e-6)


def test_second_order_and_a_numpy_function_passed():
    df = tl.grad(apply, wrt=1)
    assert tl.grad(df, wrt=1)(np.sin, 0.5) == pytest.approx(-np.sin(0.5))
    expected = [numerical_grad(lambda x, k=k: df(cube, x)[k], (X,), 0) for k in (0, 1)]
    np.testing.assert_allclose(tl.hessian(apply, wrt=1)(cube, X), expected, rtol=1e-6)


def test_the_generated_code_calls_the_function_by_its_name():
    df = tl.grad(apply, wrt=1)
    df(square, X)
    assert "_fwd_square(x)" in tl.getsource(df)


class Poly:
    def __init__(self, c):
        self.c = np.asarray(c)

    def __call__(self, x):
        return np.sum(self.c[0] + self.c[1] * x + self.c[2] * self.square(x))

    def square(self, x):
        return x**2

    def predict(self, x):
        return np.sum(np.tanh(x) * self.c[0])


class Shifted(Poly):
    def square(self, x):
        return (x - 1.0) ** 2


@pytest.mark.parametrize(
    "make", [lambda p: p, lambda p: p.predict], ids=["call", "method"]
)
@pytest.mark.parametrize("cls", [Poly, Shifted])
def test_a_bound_method_or_a_callable_object_passed_in(make, cls):
    f = make(cls([1.0, -2.0, 0.5]))
    expected = numerical_grad(lambda x: apply(f, x), (X,), 0)
    np.testing.assert_allclose(tl.grad(apply, wrt=1)(f, X), expected, rtol=1e-6)
    v = np.array([0.5, 1.0])
    assert tl.jvp(apply, wrt=1)(f, X, v) == pytest.approx(expected @ v, rel=1e-6)
