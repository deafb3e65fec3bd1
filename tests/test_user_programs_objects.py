"""Programs written as a practitioner writes them: models as classes whose
methods call each other, parameters kept as attributes, dataclasses and named
tuples, losses made by factories, functions passed in.  Each gradient is checked
against central finite differences in float64 (and autograd where it runs), in
reverse and forward mode, and to second order where it applies."""

from collections import namedtuple
from dataclasses import dataclass

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad
from tests.test_objects import fd_attribute

RNG = np.random.default_rng(7)
X = RNG.normal(size=(8, 3))
Y = (X @ np.array([1.0, -2.0, 0.5]) > 0).astype(float)


def close(a, b, rtol=1e-6, atol=1e-8):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


# 1. a linear regression model, trained by gradient descent on its attributes ----
class LinearRegression:
    def __init__(self, n):
        self.w = np.zeros(n)
        self.b = 0.0

    def predict(self, X):
        return X @ self.w + self.b

    def loss(self, X, y):
        residual = self.predict(X) - y
        return np.mean(residual**2)


def test_linear_regression_trained_on_its_attributes():
    model = LinearRegression(3)
    y = X @ np.array([0.5, -1.0, 2.0]) + 0.3
    step = tl.grad(model.loss, wrt="self")
    first = model.loss(X, y)
    for _ in range(50):
        g = step(X, y)
        model.w = model.w - 0.1 * g["w"]
        model.b = model.b - 0.1 * g["b"]
    assert model.loss(X, y) < 0.05 * first
    g = step(X, y)
    close(g["w"], fd_attribute(lambda: model.loss(X, y), model, "w"))
    assert isinstance(g["b"], float)


# 2. a two-layer perceptron whose layers are methods ---------------------------------
class MLP:
    def __init__(self):
        r = np.random.default_rng(0)
        self.W1 = r.normal(size=(3, 4)) * 0.5
        self.b1 = np.zeros(4)
        self.W2 = r.normal(size=(4,)) * 0.5

    def hidden(self, X):
        return np.tanh(X @ self.W1 + self.b1)

    def logits(self, X):
        return self.hidden(X) @ self.W2

    def loss(self, X, y):
        z = self.logits(X)
        p = 1.0 / (1.0 + np.exp(-z))
        return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def test_mlp_gradients_by_attribute_and_autograd():
    model = MLP()
    g = tl.grad(model.loss, wrt="self")(X, Y)
    assert sorted(g) == ["W1", "W2", "b1"]
    for name in g:
        close(g[name], fd_attribute(lambda: model.loss(X, Y), model, name))
    autograd = pytest.importorskip("autograd")
    anp = autograd.numpy

    def theirs(W1):
        z = anp.tanh(anp.dot(X, W1) + model.b1) @ model.W2
        p = 1.0 / (1.0 + anp.exp(-z))
        return -anp.mean(Y * anp.log(p) + (1.0 - Y) * anp.log(1.0 - p))

    close(g["W1"], autograd.grad(theirs)(model.W1), rtol=1e-10)


def test_mlp_forward_mode_and_second_order_in_the_inputs():
    model = MLP()
    v = RNG.normal(size=X.shape)
    expected = numerical_grad(model.loss, (X, Y), 0)
    assert tl.jvp(model.loss)(X, Y, v) == pytest.approx(np.sum(expected * v))
    t = {"W2": np.ones(4)}
    g = tl.grad(model.loss, wrt="self")(X, Y)
    assert tl.jvp(model.loss, wrt="self")(X, Y, t) == pytest.approx(np.sum(g["W2"]))
    hv = tl.hvp(model.loss)(X, Y, v)
    df = tl.grad(model.loss)
    fd = (df(X + 1e-5 * v, Y) - df(X - 1e-5 * v, Y)) / 2e-5
    close(hv, fd, rtol=1e-5, atol=1e-8)


# 3. a loss made by a factory, with its data in the closure --------------------------
def make_loss(X, y, l2):
    def loss(w):
        margin = y * 2.0 - 1.0
        z = (X @ w) * margin
        return np.mean(np.log1p(np.exp(-z))) + l2 * np.sum(w**2)

    return loss


def test_factory_closure_gradient_and_newton_step():
    loss = make_loss(X, Y, 0.1)
    w = np.array([0.2, -0.1, 0.3])
    close(tl.grad(loss)(w), numerical_grad(loss, (w,), 0))
    h = tl.hessian(loss)(w)
    df = tl.grad(loss)
    rows = [numerical_grad(lambda w, k=k: df(w)[k], (w,), 0) for k in range(3)]
    close(h, rows, rtol=1e-5)
    w_new = w - np.linalg.solve(h, df(w))
    assert loss(w_new) < loss(w)


# 4. a fitting loss taking the model function as an argument -------------------------
def fit_loss(model_fn, w, X, y):
    return np.mean((model_fn(w, X) - y) ** 2)


def linear(w, X):
    return X @ w


def quadratic(w, X):
    return (X @ w) ** 2 + X @ w


@pytest.mark.parametrize("model_fn", [linear, quadratic])
def test_fit_loss_with_the_model_passed_in(model_fn):
    w = np.array([0.3, -0.2, 0.1])
    expected = numerical_grad(lambda w: fit_loss(model_fn, w, X, Y), (w,), 0)
    close(tl.grad(fit_loss, wrt="w")(model_fn, w, X, Y), expected)
    v = np.array([1.0, 0.5, -1.0])
    jvp = tl.jvp(fit_loss, wrt=1)(model_fn, w, X, Y, v)
    assert jvp == pytest.approx(expected @ v, rel=1e-6)


# 5. parameters unflattened into a dataclass inside the loss -------------------------
@dataclass
class Params:
    W: np.ndarray
    b: np.ndarray


def unflatten(theta):
    return Params(W=np.reshape(theta[:6], (3, 2)), b=theta[6:])


def flat_loss(theta):
    p = unflatten(theta)
    out = np.tanh(X @ p.W + p.b)
    return np.sum(out**2) / X.shape[0]


def test_a_flat_vector_unflattened_into_a_dataclass():
    theta = np.linspace(-0.5, 0.5, 8)
    expected = numerical_grad(flat_loss, (theta,), 0)
    close(tl.grad(flat_loss)(theta), expected)
    v = np.linspace(1.0, 2.0, 8)
    assert tl.jvp(flat_loss)(theta, v) == pytest.approx(expected @ v, rel=1e-6)


# 6. an integrator whose state is a named tuple ---------------------------------------
State = namedtuple("State", "pos vel")


def euler(state, k, dt):
    return State(state.pos + dt * state.vel, state.vel - dt * k * state.pos)


def spring_loss(k):
    s = State(np.array([1.0, 0.5]), np.array([0.0, 0.2]))
    for _ in range(20):
        s = euler(s, k, 0.05)
    return np.sum(s.pos**2)


def test_a_named_tuple_state_through_an_integrator():
    expected = numerical_grad(spring_loss, (1.3,), 0)
    assert tl.grad(spring_loss)(1.3) == pytest.approx(expected, rel=1e-6)
    assert tl.jvp(spring_loss)(1.3, 1.0) == pytest.approx(expected, rel=1e-6)
    df = tl.grad(spring_loss)
    second = numerical_grad(df, (1.3,), 0)
    assert tl.grad(df)(1.3) == pytest.approx(second, rel=1e-5)


# 7. a recurrent cell stepped by a method in a loop ------------------------------------
class RNN:
    def __init__(self):
        r = np.random.default_rng(3)
        self.Wh = r.normal(size=(4, 4)) * 0.3
        self.Wx = r.normal(size=(3, 4)) * 0.3

    def step(self, h, x):
        return np.tanh(h @ self.Wh + x @ self.Wx)

    def loss(self, xs):
        h = np.zeros(4)
        for x in xs:
            h = self.step(h, x)
        return np.sum(h**2)


def test_a_recurrent_cell_stepped_by_a_method():
    model = RNN()
    g = tl.grad(model.loss, wrt="self")(X)
    for name in ("Wh", "Wx"):
        close(g[name], fd_attribute(lambda: model.loss(X), model, name))
    close(tl.grad(model.loss)(X), numerical_grad(model.loss, (X,), 0))


# 8. a softmax classifier with a static helper and an inherited loss ---------------------
class Classifier:
    def loss(self, X, labels):
        logp = self.log_softmax(self.logits(X))
        return -np.mean(np.sum(logp * labels, axis=1))

    @staticmethod
    def log_softmax(z):
        shifted = z - np.max(z, axis=1, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


class Softmax(Classifier):
    def __init__(self):
        self.W = np.linspace(-1.0, 1.0, 9).reshape(3, 3)

    def logits(self, X):
        return X @ self.W


def test_a_softmax_classifier_with_inherited_and_static_methods():
    model = Softmax()
    labels = np.eye(3)[np.arange(8) % 3]
    g = tl.grad(model.loss, wrt="self.W")(X, labels)
    close(g, fd_attribute(lambda: model.loss(X, labels), model, "W"))
    unbound = tl.grad(Classifier.loss, wrt="X")(model, X, labels)
    close(unbound, numerical_grad(model.loss, (X, labels), 0))


# 9. a model object passed to a plain training-step function ---------------------------
def penalized(model, X, y, l2):
    return model.loss(X, y) + l2 * np.sum(model.w**2)


def test_a_model_object_as_an_argument_of_a_plain_function():
    model = LinearRegression(3)
    model.w = np.array([0.1, 0.2, -0.3])
    g = tl.grad(penalized, wrt="model")(model, X, Y, 0.5)
    close(g["w"], fd_attribute(lambda: penalized(model, X, Y, 0.5), model, "w"))
    assert g["b"] == pytest.approx(
        numerical_grad(
            lambda b: (setattr(model, "b", b), penalized(model, X, Y, 0.5))[1],
            (0.0,),
            0,
        ),
        rel=1e-6,
    )


# 10. a closure over a configuration, and a callback passed to it ------------------------
def make_objective(config):
    def objective(w, activation):
        z = activation(X @ w)
        return config["scale"] * np.sum(z**2) + config["l1"] * np.sum(np.abs(w))

    return objective


def softplus(z):
    return np.log1p(np.exp(z))


def test_a_configured_closure_with_an_activation_passed_in():
    objective = make_objective({"scale": 0.5, "l1": 0.01})
    w = np.array([0.4, -0.3, 0.2])
    for activation in (np.tanh, softplus):
        expected = numerical_grad(lambda w, a=activation: objective(w, a), (w,), 0)
        close(tl.grad(objective)(w, activation), expected)


# 11. an ensemble: a list of models, each called in a loop ---------------------------
def ensemble_loss(models, X, y):
    total = 0.0
    for model in models:
        total = total + model.loss(X, y)
    return total / len(models)


def ensemble_of_two(first, second, X, y):
    return (first.loss(X, y) + second.loss(X, y)) / 2.0


def test_an_ensemble_of_models_passed_one_by_one_and_a_list_refused():
    models = [LinearRegression(3), LinearRegression(3)]
    models[0].w = np.array([0.1, 0.0, -0.2])
    models[1].w = np.array([-0.3, 0.4, 0.2])
    expected = numerical_grad(lambda X: ensemble_loss(models, X, Y), (X,), 0)
    close(tl.grad(ensemble_of_two, wrt="X")(*models, X, Y), expected)
    g = tl.grad(ensemble_of_two, wrt=("first", "second"))(*models, X, Y)
    close(
        g[1]["w"], fd_attribute(lambda: ensemble_of_two(*models, X, Y), models[1], "w")
    )
    with pytest.raises(tl.NoDerivativeError, match="model.loss"):
        tl.grad(ensemble_loss, wrt="X")(models, X, Y)  # a model taken from a list


# 11. a model holding its layers as attributes, each with a method of its own ------
class Dense:
    def __init__(self, W, b):
        self.W = W
        self.b = b

    def forward(self, x):
        return np.tanh(self.W @ x + self.b)


class Scaled(Dense):
    def forward(self, x):
        return 2.0 * np.sin(self.W @ x) + self.b


class Autoencoder:
    def __init__(self, encoder, decoder, weight):
        self.encoder = encoder
        self.decoder = decoder
        self.weight = weight

    def loss(self, x):
        code = self.encoder.forward(x)
        back = self.decoder.forward(code)
        return np.sum((back - x) ** 2) + self.weight * np.sum(code**2)


def autoencoder(encoder_class=Dense):
    enc = encoder_class(RNG.normal(size=(2, 3)), RNG.normal(size=2))
    dec = Dense(RNG.normal(size=(3, 2)), RNG.normal(size=3))
    return Autoencoder(enc, dec, 0.3)


def autoencoder_loss(model, encW, decb, weight, x):
    """The loss with some of the model's arrays replaced (for differences)."""
    enc = type(model.encoder)(encW, model.encoder.b)
    dec = Dense(model.decoder.W, decb)
    return Autoencoder(enc, dec, weight).loss(x)


@pytest.mark.parametrize("encoder_class", [Dense, Scaled])
def test_layers_held_as_attributes_in_both_modes(encoder_class):
    """``self.encoder.forward(x)``: the layer's class's method, made for the class
    of the layer it is called with; gradients reach the layers' arrays as a dict
    in the model's dict."""
    model, x = autoencoder(encoder_class), RNG.normal(size=3)
    got = tl.grad(Autoencoder.loss, wrt="self")(model, x)
    args = [model, model.encoder.W, model.decoder.b, model.weight, x]
    for key, at in ((("encoder", "W"), 1), (("decoder", "b"), 2)):
        close(got[key[0]][key[1]], numerical_grad(autoencoder_loss, args, at), 1e-5)
    close(got["weight"], numerical_grad(autoencoder_loss, args, 3), 1e-5)
    tangent = {"encoder": {"W": np.ones((2, 3))}, "weight": 0.5}
    want = np.sum(got["encoder"]["W"]) + 0.5 * got["weight"]
    close(tl.jvp(Autoencoder.loss, wrt="self")(model, x, tangent), want, 1e-5)


def test_layers_held_as_attributes_to_second_order_in_the_input():
    model, x, v = autoencoder(), RNG.normal(size=3), RNG.normal(size=3)
    got = tl.hvp(model.loss)(x, v)
    h = 1e-4
    up = numerical_grad(model.loss, [x + h * v], 0)
    down = numerical_grad(model.loss, [x - h * v], 0)
    close(got, (up - down) / (2 * h), 1e-4, 1e-6)


class Pipeline(Autoencoder):
    def encode(self, x):
        return self.encoder.forward(x)

    def nested_loss(self, x):
        return np.sum(self.encode(x) ** 2)


def test_a_layers_method_called_from_another_method_is_refused_by_name():
    """Only the function differentiated has its attributes' classes looked up:
    ``self.encoder.forward(x)`` in a method it calls is refused, naming the call,
    its line, and what to do."""
    model = Pipeline(autoencoder().encoder, autoencoder().decoder, 0.3)
    with pytest.raises(tl.NoDerivativeError) as info:
        tl.grad(Pipeline.nested_loss, wrt="self")(model, RNG.normal(size=3))
    text = str(info.value)
    assert "the method .forward()" in text and __file__ in text
    assert "return self.encoder.forward(x)" in text
    assert "the methods of the function's parameters" in text
