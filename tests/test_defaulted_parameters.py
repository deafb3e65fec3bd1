"""Parameters with defaults, left out or passed by keyword, in every derivative.

``jvp(f)(*args, *tangents)``, ``vjp(f)(*args, seed)`` and ``hvp(f)(*args, v)``
take their tangents, seed or vector after the arguments given: a defaulted
parameter left out keeps its default and never takes the first tangent; one
passed by keyword is that value; ``wrt`` may name a defaulted float parameter,
which is then differentiated at its default.  Every derivative is compared
with central finite differences of the function in float64.
"""

import numpy as np
import pytest

import tangentlike as tl

X = np.array([0.3, 0.7, 1.1])
V = np.array([1.0, -0.5, 0.25])
H = 1e-6


def spaced(x, xp=np):
    """An array namespace with a default (its functions called: made per module)."""
    return xp.sum(xp.sin(x) ** 2)


def scaled(x, a=2.0):
    return np.sum(np.sin(a * x) ** 2)


def only_keyword(x, *, a=2.0):
    return np.sum(np.sin(a * x) ** 2) + a**3


def applied(x, act=np.tanh):
    """A function with a default, called: made per function passed."""
    return np.sum(act(x) ** 2)


class Wave:
    def __init__(self):
        self.w = np.array([0.5, -1.0, 2.0])

    def wave_at(self, x):
        return np.sin(self.w * x)


def with_object(x, wave=Wave()):  # noqa: B008 - a default object is the point
    """An object with a default, its method called: made per class."""
    return np.sum(wave.wave_at(x) ** 2)


def vector(x, a=2.0):
    return np.sin(a * x) * x


def bump(x, k, h=H):
    """Step ``h`` in element ``k``, shaped like ``x`` (a float for a scalar)."""
    if np.ndim(x) == 0:
        return h
    e = np.zeros(np.shape(x))
    e.flat[k] = h
    return e


def central(f, x, h=H):
    """Central differences of ``f`` (any output shape) at ``x``:
    ``f(x).shape + x.shape``."""
    steps = [bump(x, k, h) for k in range(np.size(x))]
    cols = [(f(x + e) - f(x - e)) / (2 * h) for e in steps]
    out = np.moveaxis(np.array(cols), 0, -1)
    return out.reshape(np.shape(f(x)) + np.shape(x))


def hessian_fd(f, x, h=1e-4):
    """The Hessian of scalar ``f`` by central differences of central differences."""
    n = np.size(x)
    hess = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = bump(x, i, h), bump(x, j, h)
            hess[i, j] = (
                f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)
            ) / (4 * h * h)
    return hess.reshape(np.shape(x) * 2)


SCALARS = [spaced, scaled, only_keyword, applied, with_object]


@pytest.mark.parametrize("f", SCALARS, ids=lambda f: f.__name__)
def test_first_order_with_the_default_left_out(f):
    expected = central(f, X)
    np.testing.assert_allclose(tl.grad(f)(X), expected, rtol=1e-6, atol=1e-8)
    value, g = tl.value_and_grad(f)(X)
    assert value == pytest.approx(f(X))
    np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(tl.vjp(f)(X, 1.5), 1.5 * expected, rtol=1e-6)
    np.testing.assert_allclose(tl.vjp(f)(X, seed=1.5), 1.5 * expected, rtol=1e-6)
    assert tl.jvp(f)(X, V) == pytest.approx(expected @ V, rel=1e-6)
    np.testing.assert_allclose(tl.jacobian(f)(X), expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", SCALARS, ids=lambda f: f.__name__)
def test_second_order_with_the_default_left_out(f):
    expected = hessian_fd(f, X)
    np.testing.assert_allclose(tl.hessian(f)(X), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(tl.hvp(f)(X, V), expected @ V, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        tl.jvp(tl.grad(f))(X, V), expected @ V, rtol=1e-5, atol=1e-6
    )


def test_a_module_passed_by_keyword():
    expected = central(spaced, X)
    assert tl.jvp(spaced)(X, V, xp=np) == pytest.approx(expected @ V, rel=1e-6)
    np.testing.assert_allclose(tl.jacobian(spaced)(X, xp=np), expected, rtol=1e-6)
    hess = hessian_fd(spaced, X)
    np.testing.assert_allclose(tl.hvp(spaced)(X, V, xp=np), hess @ V, rtol=1e-5)
    np.testing.assert_allclose(tl.hessian(spaced)(X, xp=np), hess, atol=1e-6)


def test_a_float_passed_by_keyword():
    def at(x):
        return scaled(x, a=1.5)

    hess = hessian_fd(at, X)
    np.testing.assert_allclose(tl.grad(scaled)(X, a=1.5), central(at, X), rtol=1e-6)
    assert tl.jvp(scaled)(X, V, a=1.5) == pytest.approx(central(at, X) @ V)
    np.testing.assert_allclose(tl.hvp(scaled)(X, V, a=1.5), hess @ V, rtol=1e-5)
    np.testing.assert_allclose(tl.hessian(scaled)(X, a=1.5), hess, atol=1e-6)
    np.testing.assert_allclose(
        tl.hessian(only_keyword)(X, a=1.5),
        hessian_fd(lambda x: only_keyword(x, a=1.5), X),
        atol=1e-6,
    )


@pytest.mark.parametrize("f", [scaled, only_keyword], ids=lambda f: f.__name__)
def test_a_defaulted_float_differentiated_where_wrt_names_it(f):
    def of_a(a):
        return f(X, a=a)

    da = central(of_a, 2.0)
    assert tl.grad(f, wrt="a")(X) == pytest.approx(da, rel=1e-6)
    assert tl.vjp(f, wrt="a")(X, 2.0) == pytest.approx(2.0 * da, rel=1e-6)
    assert tl.jvp(f, wrt="a")(X, 0.5) == pytest.approx(0.5 * da, rel=1e-6)
    assert tl.jacobian(f, wrt="a")(X) == pytest.approx(da, rel=1e-6)
    daa = hessian_fd(of_a, 2.0)
    assert tl.hessian(f, wrt="a")(X) == pytest.approx(daa, rel=1e-5)
    assert tl.hvp(f, wrt="a")(X, 0.5) == pytest.approx(0.5 * daa, rel=1e-5)


def test_a_tuple_wrt_with_a_defaulted_float():
    _, (gx, ga) = tl.value_and_grad(scaled, wrt=("x", "a"))(X)
    np.testing.assert_allclose(gx, central(scaled, X), rtol=1e-6)
    assert ga == pytest.approx(central(lambda a: scaled(X, a), 2.0), rel=1e-6)
    (hxx, hxa), (hax, haa) = tl.hessian(scaled, wrt=(0, "a"))(X)
    np.testing.assert_allclose(hxx, hessian_fd(scaled, X), atol=1e-6)
    cross = central(lambda a: central(lambda x: scaled(x, a), X, 1e-4), 2.0, 1e-4)
    np.testing.assert_allclose(hxa, cross, rtol=1e-5)
    np.testing.assert_allclose(hax, cross, rtol=1e-5)
    assert float(haa) == pytest.approx(hessian_fd(lambda a: scaled(X, a), 2.0))
    hx, ha = tl.hvp(scaled, wrt=(0, "a"))(X, V, 0.5)
    np.testing.assert_allclose(hx, hxx @ V + cross * 0.5, rtol=1e-5)
    assert ha == pytest.approx(cross @ V + float(haa) * 0.5, rel=1e-5)


def test_a_vector_output_with_a_default():
    expected = central(vector, X)
    np.testing.assert_allclose(tl.jacobian(vector)(X), expected, rtol=1e-6)
    np.testing.assert_allclose(tl.jvp(vector)(X, V), expected @ V, rtol=1e-6)
    np.testing.assert_allclose(tl.vjp(vector)(X, V), V @ expected, rtol=1e-6)
    da = central(lambda a: vector(X, a), 2.0)
    np.testing.assert_allclose(tl.jacobian(vector, wrt="a")(X), da, rtol=1e-6)
    np.testing.assert_allclose(tl.jvp(vector, wrt="a")(X, 0.5), 0.5 * da, rtol=1e-6)


def test_a_defaulted_module_is_no_argument_to_differentiate():
    with pytest.raises(tl.ArgumentError, match="'xp'.*the module numpy"):
        tl.grad(spaced, wrt="xp")(X)
    with pytest.raises(tl.ArgumentError, match="not the module numpy"):
        tl.hessian(spaced, wrt="xp")(X)


def test_an_hvp_without_its_vector_says_how_it_is_called():
    with pytest.raises(tl.ArgumentError, match="then one vector for each of x"):
        tl.hvp(scaled)(X)
    with pytest.raises(tl.ArgumentError, match="too many positional arguments"):
        tl.hvp(scaled)(X, 2.0, V, V)
