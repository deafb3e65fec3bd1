"""Objects: methods calling methods (``self.forward(x)``), gradients with respect
to an object (``wrt="self"``: a dict by attribute name) or one of its attributes
(``wrt="self.W"``), dataclasses and named tuples made inside the function; both
modes and second order, against central finite differences."""

from collections import namedtuple
from dataclasses import dataclass

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

X = np.arange(6.0).reshape(2, 3) / 10


class Layer:
    def __init__(self):
        self.W = np.linspace(-1.0, 1.0, 6).reshape(3, 2)
        self.b = np.array([0.1, -0.2])

    def forward(self, x):
        return np.tanh(x @ self.W + self.b)

    def loss(self, x):
        return np.sum(self.forward(x) ** 2)


class Base:
    scale = 2.0

    def forward(self, x):
        raise NotImplementedError

    def loss(self, x):
        return np.sum(self.forward(x) ** 2) * self.penalty(x)

    def penalty(self, x):
        return 1.0 + np.sum(x**2)


class Sine(Base):
    def __init__(self):
        self.W = np.full((3, 2), 0.3)

    def forward(self, x):
        return np.sin(self.double(x) @ self.W)

    def double(self, x):
        return self.scale * x

    @staticmethod
    def cube(x):
        return x**3

    def total(self, x):
        return np.sum(self.cube(x)) + self.loss(x)


class Cosine(Sine):
    def double(self, x):
        return 3.0 * x


def fd_attribute(loss, obj, name):
    """Central differences of ``loss()`` in the array ``obj.<name>``."""
    kept = getattr(obj, name).copy()

    def at(value):
        setattr(obj, name, value)
        return loss()

    try:
        return numerical_grad(at, (kept.copy(),), 0)
    finally:
        setattr(obj, name, kept)


@pytest.mark.parametrize("model", [Layer(), Sine(), Cosine()], ids=type)
def test_methods_calling_methods_in_both_modes(model):
    expected = numerical_grad(model.loss, (X,), 0)
    np.testing.assert_allclose(tl.grad(model.loss)(X), expected, rtol=1e-6)
    v = np.linspace(0.5, 2.0, 6).reshape(2, 3)
    assert tl.jvp(model.loss)(X, v) == pytest.approx(np.sum(expected * v), rel=1e-6)


def test_a_static_method_and_an_inherited_one():
    model = Sine()
    expected = numerical_grad(model.total, (X,), 0)
    np.testing.assert_allclose(tl.grad(model.total)(X), expected, rtol=1e-6)


def test_the_gradient_of_an_object_is_a_dictfd_attribute():
    model = Layer()
    g = tl.grad(model.loss, wrt="self")(X)
    assert sorted(g) == ["W", "b"]
    for name in ("W", "b"):
        expected = fd_attribute(lambda: model.loss(X), model, name)
        np.testing.assert_allclose(g[name], expected, rtol=1e-6)
    w = tl.grad(model.loss, wrt="self.W")(X)
    np.testing.assert_allclose(w, g["W"], rtol=1e-12)
    value, (gw, gx) = tl.value_and_grad(model.loss, wrt=("self.W", "x"))(X)
    assert value == pytest.approx(model.loss(X))
    np.testing.assert_allclose(gw, g["W"])
    np.testing.assert_allclose(gx, numerical_grad(model.loss, (X,), 0), rtol=1e-6)


def test_an_unbound_method_and_an_attribute_never_read():
    model = Sine()
    g = tl.grad(Sine.loss, wrt="self")(model, X)
    expected = fd_attribute(lambda: model.loss(X), model, "W")
    np.testing.assert_allclose(g["W"], expected, rtol=1e-6)
    model.unused = np.ones(3)
    assert np.array_equal(tl.grad(model.loss, wrt="self.unused")(X), np.zeros(3))


def test_forward_mode_takes_a_dict_of_tangents_for_an_object():
    model = Layer()
    t = {"W": np.ones((3, 2))}
    g = tl.grad(model.loss, wrt="self")(X)
    assert tl.jvp(model.loss, wrt="self")(X, t) == pytest.approx(np.sum(g["W"]))


def test_second_order_through_methods():
    model = Layer()
    df = tl.grad(model.loss)
    h = tl.hessian(model.loss)(X)
    rows = [numerical_grad(lambda x, k=k: df(x).flat[k], (X,), 0) for k in range(6)]
    np.testing.assert_allclose(h.reshape(6, 6), np.reshape(rows, (6, 6)), atol=1e-6)


def test_an_unbound_method_is_differentiated_for_each_class_it_is_called_on():
    for f, model in [(Sine.loss, Cosine()), (Base.loss, Sine()), (Sine.loss, Sine())]:
        expected = numerical_grad(model.loss, (X,), 0)
        np.testing.assert_allclose(tl.grad(f, wrt=1)(model, X), expected, rtol=1e-6)


def test_a_method_set_on_the_object_itself_is_refused():
    model = Sine()
    df = tl.grad(Sine.loss, wrt=1)
    model.forward = lambda x: 5.0 * x
    with pytest.raises(tl.ArgumentError, match="another forward"):
        df(model, X)


@dataclass
class Pair:
    a: np.ndarray
    b: np.ndarray


Point = namedtuple("Point", "a b")


def with_dataclass(x):
    p = Pair(x * 2, np.sin(x))
    return np.sum(p.a * p.b)


def with_namedtuple(x):
    p = Point(x * 2, b=np.sin(x))
    a, b = p
    return np.sum(p.a * p.b) + np.sum(p[0] * b)


@pytest.mark.parametrize("f", [with_dataclass, with_namedtuple])
def test_records_made_inside_the_function(f):
    x = np.array([0.3, 1.0, 2.0])
    expected = numerical_grad(f, (x,), 0)
    np.testing.assert_allclose(tl.grad(f)(x), expected, rtol=1e-6)
    assert tl.jvp(f)(x, np.ones(3)) == pytest.approx(np.sum(expected))
    df = tl.grad(f)
    rows = [numerical_grad(lambda z, k=k: df(z)[k], (x,), 0) for k in range(3)]
    np.testing.assert_allclose(tl.hessian(f)(x), rows, rtol=1e-5, atol=1e-8)


def test_autograd_agrees_on_a_method():
    autograd = pytest.importorskip("autograd")
    anp = autograd.numpy
    model = Layer()

    def theirs(x):
        return anp.sum(anp.tanh(anp.dot(x, model.W) + model.b) ** 2)

    np.testing.assert_allclose(tl.grad(model.loss)(X), autograd.grad(theirs)(X))


def test_dense_derivatives_refuse_an_object():
    with pytest.raises(tl.ArgumentError, match="Layer object"):
        tl.hessian(Layer.loss, wrt=0)(Layer(), X)


@dataclass
class Segment:
    a: np.ndarray
    b: np.ndarray

    def total(self):
        return np.sum(self.a * self.b)

    def longer(self, k):
        return Segment(self.a * k, self.b)


class Vec(namedtuple("Vec", "x y")):
    def norm2(self):
        return self.x**2 + self.y**2


def segment_methods(x):
    s = Segment(x * 2, np.sin(x))
    return s.total() * s.a[0]


def vec_methods(t):
    v = Vec(np.cos(t), t * 2)
    return np.sum(v.norm2())


def method_of_a_method(x):
    s = Segment(x, x)
    return s.longer(2.0).total()


@pytest.mark.parametrize("f", [segment_methods, vec_methods])
def test_methods_of_records_made_inside_the_function(f):
    x = np.array([0.3, 1.1])
    expected = numerical_grad(f, (x,), 0)
    np.testing.assert_allclose(tl.grad(f)(x), expected, rtol=1e-6)
    assert tl.jvp(f)(x, np.ones(2)) == pytest.approx(np.sum(expected), rel=1e-6)


def test_a_method_of_an_object_a_method_returned_is_refused_by_name():
    with pytest.raises(tl.NoDerivativeError, match="total"):
        tl.grad(method_of_a_method)


class Decorated:
    def __init__(self):
        self.W = np.full((3, 2), 0.2)

    def forward(self, x):
        return np.tanh(x @ self.W)

    @tl.grad(wrt="x")
    def dloss(self, x):
        return np.sum(self.forward(x) ** 2)


def test_a_gradient_decorating_a_method_is_bound_as_the_method_is():
    model = Decorated()

    def loss(x):
        return np.sum(np.tanh(x @ model.W) ** 2)

    np.testing.assert_allclose(model.dloss(X), numerical_grad(loss, (X,), 0), rtol=1e-6)
