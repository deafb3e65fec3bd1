"""A value that depends on a differentiated input is differentiated or refused,
never silently taken for a constant.

Gradients, tangents and Hessians are checked against central finite differences
in float64; a refusal must name the construct and the user's line.
"""

from __future__ import annotations

import numpy as np
import pytest

import tangentlike as tl
from tangentlike import template as tpl
from tangentlike.call import probe
from tangentlike.errors import SilentZeroError
from tangentlike.template import d

H = 1e-6


def fd_grad(f, x):
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = H
        g[i] = (f(x + e) - f(x - e)) / (2 * H)
    return g


def fd_hessian(f, x, h=1e-4):
    x = np.asarray(x, dtype=float)
    n = x.size
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.zeros(n), np.zeros(n)
            ei[i], ej[j] = h, h
            ei, ej = ei.reshape(x.shape), ej.reshape(x.shape)
            out[i, j] = (
                f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)
            ) / (4 * h * h)
    return out.reshape(x.shape + x.shape)


# the examples and their kin ---------------------------------------------
def full_of(a):
    return np.sum(np.full(3, a) ** 2)


def linspace_to(L):
    return np.sum(np.linspace(0.0, L, 5) ** 2)


def _sum_squares(*arrays):
    total = 0.0
    for a in arrays:
        total = total + np.sum(a * a)
    return total


def star_args(x):
    return _sum_squares(x, 2.0 * x)


def _energy(a, b, c):
    return np.sum(a * b) + c**2


def spread_onto_names(x):
    args = (x, 2.0 * x, np.sum(x))
    return _energy(*args)


def spread_after_a_value(x):
    parts = [x * x, np.sum(np.sin(x))]
    return _energy(x, *parts)


def full_like_of(x):
    return np.sum(np.full_like(x, x[0]) * x)


def array_of(x):
    return np.sum(np.array([x[0] * x[1], np.sin(x[1])]) ** 2)


def asarray_of(x):
    return np.sum(np.asarray([x[0], x[1] * 2.0]) ** 2)


def repeat_of(x):
    return np.sum(np.repeat(x * 2.0, 3) ** 3)


def tile_of(x):
    return np.sum(np.tile(x, 2) ** 3)


def _kwargs_only(**kw):
    return np.sum(kw["a"] * kw["b"] ** 2)


def star_kwargs(x):
    return _kwargs_only(a=x, b=3.0 * x)


def arange_from(a):
    return np.sum(np.arange(a, a + 3.0) ** 2) + np.sum(np.sin(np.arange(0.5, 4.0, a)))


def arange_count(n):
    return np.sum(np.arange(n) * 1.5) + n


def through_a_name(x):
    fn, g = _sum_squares, np.tanh

    def plain(t):  # reads nothing of f's: a value like any function
        return t * t

    h = plain
    return fn(g(x), x) + np.sum(h(x))


def cast_to_integers(x):
    k = (x * 10.0).astype(int)  # a step function of x
    m = np.array(x, dtype=bool)
    return (
        np.sum(k * x**2)
        + np.sum(np.asarray(x * 3.0, dtype=np.int64) * x)
        + np.sum(m * np.sin(x))
    )


CASES = [
    (full_of, np.array(0.4)),
    (linspace_to, np.array(2.0)),
    (star_args, np.array([1.0, 2.0])),
    (spread_onto_names, np.array([1.0, 2.0])),
    (spread_after_a_value, np.array([0.3, -0.7])),
    (full_like_of, np.array([1.0, 2.0, 3.0])),
    (array_of, np.array([0.3, 0.8])),
    (asarray_of, np.array([0.3, 0.8])),
    (repeat_of, np.array([0.3, -0.5])),
    (tile_of, np.array([0.7, -1.1])),
    (star_kwargs, np.array([0.7, -1.1])),
    (arange_from, np.array(0.9)),
    (arange_count, np.array(2.5)),
    (through_a_name, np.array([0.4, -0.9])),
    (cast_to_integers, np.array([0.31, 0.72])),
]
IDS = [f.__name__ for f, _ in CASES]


def _arg(x):
    return float(x) if x.ndim == 0 else x


@pytest.mark.parametrize("f, x", CASES, ids=IDS)
def test_reverse_mode(f, x):
    got = tl.grad(f)(_arg(x))
    np.testing.assert_allclose(got, fd_grad(f, x), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("f, x", CASES, ids=IDS)
def test_forward_mode(f, x):
    v = np.linspace(0.5, 1.5, x.size).reshape(x.shape)
    got = tl.jvp(f)(_arg(x), _arg(v))
    want = np.sum(fd_grad(f, x) * v)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("f, x", CASES, ids=IDS)
def test_second_order(f, x):
    got = tl.hessian(f)(_arg(x))
    np.testing.assert_allclose(got, fd_hessian(f, x), rtol=1e-4, atol=1e-4)


# what cannot be differentiated is refused at the user's line ----------------------
def r_of(x):
    return np.sum(np.r_[x, 2.0 * x] ** 2)


def mgrid_to(x):
    return np.sum(np.mgrid[0.0 : x[0] : 3j])


class Pair:
    def __init__(self, a, b):
        self.a = a
        self.b = b


def attribute_stored(x):
    p = Pair(1.0, 2.0)
    p.a = x
    return np.sum(p.a)


def setattr_called(x):
    p = Pair(1.0, 2.0)
    name = "a"
    setattr(p, name, 2.0 * x)
    return np.sum(p.a)


def inner_function_as_a_value(x):
    def scaled(t):
        return t * x

    fn = scaled
    return np.sum(fn(3.0) ** 2)


def _apply(fn, t):
    return fn(t)


def inner_function_passed(x):
    def scaled(t):
        return t * x

    return np.sum(_apply(scaled, 3.0) ** 2)


def inner_default_reads_x(x):
    def scaled(t, s=x):
        return t * s

    return np.sum(scaled(2.0) ** 2)


def lambda_default_reads_x(x):
    g = lambda t, s=x * 2.0: t * s  # noqa: E731
    return np.sum(g(2.0) ** 2)


class Table:
    """An object whose ``[]`` computes its item from the index."""

    def __init__(self, w):
        self.w = w

    def __getitem__(self, t):
        return self.w * t


TABLE = Table(np.array([1.0, -2.0, 0.5]))


def item_of_made_object(x):
    t = Table(np.ones(3))
    return np.sum(t[x] ** 2)


def item_of_global_object(x):
    return np.sum(TABLE[x[0]] ** 2)


REFUSED = [
    (item_of_made_object, "return np.sum(t[x] ** 2)"),
    (item_of_global_object, "return np.sum(TABLE[x[0]] ** 2)"),
    (inner_default_reads_x, "def scaled(t, s=x):"),
    (lambda_default_reads_x, "g = lambda t, s=x * 2.0: t * s"),
    (inner_function_as_a_value, "fn = scaled"),
    (inner_function_passed, "return np.sum(_apply(scaled, 3.0) ** 2)"),
    (r_of, "np.r_[x, 2.0 * x]"),
    (mgrid_to, "np.mgrid[0.0 : x[0] : 3j]"),
    (attribute_stored, "p.a = x"),
    (setattr_called, "setattr(p, name, 2.0 * x)"),
]


@pytest.mark.parametrize("f, line", REFUSED, ids=[f.__name__ for f, _ in REFUSED])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_refused_with_the_line(f, line, mode):
    make = tl.grad if mode == "reverse" else tl.jvp
    with pytest.raises(tl.TangentlikeError) as info:
        make(f)
    message = str(info.value)
    assert __file__ in message and line in message


# objects made of values to differentiate: a true gradient, or a refusal -----------
class Model:
    def __init__(self, w, scale):
        self.w = w
        self.scale = scale

    def energy(self, t):
        return np.sum(self.scale * (self.w * t) ** 2)

    def __call__(self, t):
        return np.sum(np.sin(self.w * t))


def method_of_made_object(x):
    return Model(x, 2.0).energy(1.5)


def made_object_called(x):
    m = Model(2.0 * x, 1.0)
    return m(0.5)


def attribute_of_made_object(x):
    m = Model(x, 3.0)
    return np.sum(m.w * m.scale)


def polynomial_made_here(c):
    p = np.polynomial.Polynomial(c)
    return np.sum(p(np.array([0.5, 1.5])))


OBJECTS = [
    method_of_made_object,
    made_object_called,
    attribute_of_made_object,
    polynomial_made_here,
]


@pytest.mark.parametrize("f", OBJECTS, ids=[f.__name__ for f in OBJECTS])
def test_objects_made_here_are_never_silently_constant(f):
    x = np.array([0.3, -0.8, 1.1])
    try:
        got = tl.grad(f)(x)
    except tl.TangentlikeError as exc:
        assert __file__ in str(exc)
        return
    np.testing.assert_allclose(got, fd_grad(f, x), rtol=1e-6, atol=1e-6)


# TANGENTLIKE_DEBUG: a derivative identically zero is probed -------------------------
def _scaled(x):
    return 3.0 * x


def _scaled_adjoint_forgotten(y, x):  # a wrong template: its gradient is zero
    d[x] = np.zeros_like(x)


def _scaled_tangent_forgotten(y, x):
    d[y] = d[x] - d[x]


@pytest.fixture
def wrong_template():
    """The wrong templates of ``_scaled``, registered for one test."""
    tl.adjoint(_scaled)(_scaled_adjoint_forgotten)
    tl.tangent(_scaled)(_scaled_tangent_forgotten)
    yield
    del tpl.ADJOINTS[_scaled], tpl.TANGENTS[_scaled]


def through_a_wrong_template(x):
    return np.sum(np.sin(_scaled(x)))


def steps_only(x):
    return np.sum(np.floor(3.0 * x)) + np.sum(np.sign(x))


def flat_here(x):
    return np.sum(x**3)


@pytest.mark.usefixtures("debug_checks", "wrong_template")
@pytest.mark.parametrize("mode", ["grad", "value_and_grad", "vjp", "jvp"])
def test_debug_mode_finds_a_zero_derivative_that_is_not(mode):
    x = np.array([0.3, -0.8])
    args = {"vjp": (x, 1.0), "jvp": (x, np.ones(2))}.get(mode, (x,))
    derivative = getattr(tl, mode)(through_a_wrong_template)
    for _ in range(2):  # the first call, then the front made for these types
        with pytest.raises(SilentZeroError, match="through_a_wrong_template"):
            derivative(*args)


@pytest.mark.usefixtures("wrong_template")
def test_debug_mode_is_off_by_default(monkeypatch):
    monkeypatch.delenv("TANGENTLIKE_DEBUG", raising=False)
    got = tl.grad(through_a_wrong_template)(np.array([0.3, -0.8]))
    assert not np.any(got)  # the wrong template, as registered


@pytest.mark.usefixtures("debug_checks")
@pytest.mark.parametrize("f", [steps_only, flat_here])
def test_debug_mode_accepts_true_zeros(f):
    x = np.zeros(3) if f is flat_here else np.array([0.1, 0.55, -0.7])
    assert not np.any(tl.grad(f)(x))
    assert not np.any(tl.jvp(f)(x, np.ones(3)))


def test_the_probe_takes_containers_and_ignores_a_step_crossed():
    x = [np.array([1.0, 2.0]), 3.0]
    with pytest.raises(SilentZeroError):
        probe.check_gradients(
            lambda xs: np.sum(xs[0]) * xs[1], [x], (0,), [[np.zeros(2), 0.0]]
        )
    probe.check_gradients(
        lambda xs: np.sum(xs[0]) * xs[1], [x], (0,), [[np.zeros(2), 3.0]]
    )
    at_a_step = [np.array([1.0 - 1e-9, 2.0])]
    probe.check_gradients(lambda a: np.sum(np.floor(a)), at_a_step, (0,), [np.zeros(2)])
