"""A loop over a list the function makes of objects of one class
(``layers = [Dense(W1), Dense(W2)]``, then ``for layer in layers: h = layer(h)``)
calls that class's methods on each item, and the gradient reaches the arrays the
objects were made of."""

from dataclasses import dataclass

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

RNG = np.random.default_rng(3)
X = RNG.normal(size=(5, 3))
W1, W2 = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2))


@dataclass
class Dense:
    W: np.ndarray
    b: float

    def __call__(self, x):
        return x @ self.W + self.b

    def forward(self, x):
        return np.tanh(self(x))


def called_in_a_loop(W1, W2):
    layers = [Dense(W1, 0.1), Dense(W2, -0.2)]
    h = X
    for i, layer in enumerate(layers):
        h = layer(h)
        if i < len(layers) - 1:
            h = np.maximum(h, 0.0) + 0.01 * h
    return np.mean(h**2)


def method_of_each_item(W1, W2):
    layers = (Dense(W1, 0.0), Dense(W2, 0.3))
    h = X
    for layer in layers:
        h = layer.forward(h)
    return np.sum(h**2)


PROGRAMS = [called_in_a_loop, method_of_each_item]


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("wrt", [0, 1])
def test_both_modes(f, wrt):
    args = (W1, W2)
    want = numerical_grad(f, list(args), wrt)
    np.testing.assert_allclose(tl.grad(f, wrt=wrt)(*args), want, rtol=1e-6, atol=1e-8)
    v = RNG.normal(size=args[wrt].shape)
    got = tl.jvp(f, wrt=wrt)(*args, v)
    np.testing.assert_allclose(got, np.sum(want * v), rtol=1e-6, atol=1e-8)


def test_second_order():
    f = method_of_each_item
    v, h = RNG.normal(size=W2.shape), 1e-5
    want = (
        numerical_grad(f, [W1, W2 + h * v], 1) - numerical_grad(f, [W1, W2 - h * v], 1)
    ) / (2 * h)
    got = tl.hvp(f, wrt=1)(W1, W2, v)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def appended_later(W1, W2):
    layers = [Dense(W1, 0.1)]
    layers.append(Dense(W2, 0.0))
    h = X
    for layer in layers:
        h = layer(h)
    return np.sum(h)


def test_a_list_changed_after_it_is_made_is_refused():
    with pytest.raises(tl.NoDerivativeError, match="layer"):
        tl.grad(appended_later)(W1, W2)
