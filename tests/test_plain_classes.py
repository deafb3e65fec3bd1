"""Objects of a plain class made inside the function, as users write models:
a class whose ``__init__`` only stores its parameters (``self.W = W``) is
followed like a dataclass, through its fields and methods; any other class made
from a value to differentiate is refused by name.  Checked against central
differences."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

rng = np.random.default_rng(3)
X = rng.normal(size=(6, 3))
Y = rng.normal(size=6)
W0 = rng.normal(size=3)


class Linear:
    """A linear model."""

    def __init__(self, W, b=0.0):
        self.W = W
        self.b = b

    def predict(self, x):
        return x @ self.W + self.b

    def loss(self, x, y):
        return np.mean((self.predict(x) - y) ** 2)


class Doubled:
    def __init__(self, w):
        self.w = w * 2.0  # not a store of the parameter as it is


class Counted:
    def __init__(self, w):
        self.w = w
        self.calls = 0  # a field that is no parameter


def model_loss(W, b):
    m = Linear(W, b)
    return m.loss(X, Y)


def fields_and_default(W):
    m = Linear(W)
    return np.sum(m.W**2) + m.loss(X, Y) + m.b


def made_doubled(w):
    return np.sum(Doubled(w).w)


def made_counted(w):
    c = Counted(w)
    return np.sum(c.w)


def test_reverse_mode_through_fields_and_methods():
    got_w, got_b = tl.grad(model_loss, wrt=(0, 1))(W0, 0.3)
    np.testing.assert_allclose(got_w, numerical_grad(model_loss, [W0, 0.3], 0))
    np.testing.assert_allclose(got_b, numerical_grad(model_loss, [W0, 0.3], 1))


def test_forward_mode_and_a_default_field():
    v = np.array([1.0, -0.5, 2.0])
    want = numerical_grad(fields_and_default, [W0], 0)
    np.testing.assert_allclose(tl.grad(fields_and_default)(W0), want, rtol=1e-7)
    np.testing.assert_allclose(tl.jvp(fields_and_default)(W0, v), want @ v, rtol=1e-7)


def test_second_order():
    # the loss is quadratic in W: its Hessian is 2 I + 2 X^T X / n
    want = 2.0 * np.eye(3) + 2.0 * X.T @ X / len(X)
    np.testing.assert_allclose(tl.hessian(fields_and_default)(W0), want, rtol=1e-9)


@pytest.mark.parametrize("f", [made_doubled, made_counted])
@pytest.mark.parametrize("make", [tl.grad, tl.jvp])
def test_other_classes_are_refused_by_name(f, make):
    with pytest.raises(tl.NoDerivativeError) as info:
        make(f)
    message = str(info.value)
    assert "no derivative through an object of class" in message
    assert __file__ in message and "__init__ only stores its parameters" in message


class Module:
    """A model that calls itself, as PyTorch-style code does (``self(x)``)."""

    def __init__(self, W):
        self.W = W

    def __call__(self, x):
        return np.tanh(x @ self.W)

    def loss(self, x, y):
        return np.mean((self(x) - y) ** 2)


def made_module_loss(W):
    m = Module(W)
    return m.loss(X, Y)


def unbound_module_loss(W):
    return Module(W).loss(X, Y)


def test_a_method_of_an_object_not_bound_to_a_name_is_refused_with_what_to_do():
    with pytest.raises(tl.NoDerivativeError) as info:
        tl.grad(unbound_module_loss)
    message = str(info.value)
    assert "return Module(W).loss(X, Y)" in message
    assert "m = Model(w), then m.loss(x)" in message


def test_a_method_calling_its_own_object():
    want = numerical_grad(made_module_loss, [W0], 0)
    np.testing.assert_allclose(tl.grad(made_module_loss)(W0), want, rtol=1e-6)
    v = np.array([0.5, 1.0, -1.0])
    np.testing.assert_allclose(tl.jvp(made_module_loss)(W0, v), want @ v, rtol=1e-6)


def test_a_bound_method_calling_its_own_object():
    model = Module(W0.copy())
    got = tl.grad(model.loss, wrt="self")(X, Y)
    want = numerical_grad(made_module_loss, [W0], 0)
    np.testing.assert_allclose(got["W"], want, rtol=1e-6)
    dx = tl.grad(model.loss)(X, Y)
    want_x = numerical_grad(lambda x: Module(W0).loss(x, Y), [X], 0)
    np.testing.assert_allclose(dx, want_x, rtol=1e-6, atol=1e-9)
