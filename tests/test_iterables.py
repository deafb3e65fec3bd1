"""``list(x)`` and ``reversed(x)`` of arrays and lists, as users write them, in
reverse and forward mode and second order, against central differences."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad


def horner_reversed(x):
    acc = 0.0
    for v in reversed(x):
        acc = acc * 0.5 + v * v
    return acc


def items_of_an_array(x):
    xs = list(x)
    return xs[0] * xs[1] + sum(list(x)) ** 2


def reversed_list_of_rows(x):
    acc = 0.0
    for v in reversed(list(x)):
        acc = np.tanh(acc + v)
    return acc


def counted_backwards(x):
    total = 0.0
    for i, v in enumerate(reversed(x)):
        total = total + (i + 1.0) * np.sin(v)
    return total


def zipped_with_its_reverse(x):
    return sum(a * b for a, b in zip(x, reversed(x)))


def range_reversed_as_written(x):
    acc = 0.0
    for i in reversed(range(len(x))):
        acc = acc * x[i] + 1.0
    return acc + len(list(range(3)))


PROGRAMS = [
    horner_reversed,
    items_of_an_array,
    reversed_list_of_rows,
    counted_backwards,
    zipped_with_its_reverse,
    range_reversed_as_written,
]
X = np.array([0.3, -0.74, 1.1, 0.5])
V = np.array([0.2, 0.5, -0.3, 0.1])


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_both_modes(f):
    want = numerical_grad(f, [X], 0)
    np.testing.assert_allclose(tl.grad(f)(X), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(tl.jvp(f)(X, V), want @ V, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_second_order(f):
    h = 1e-4
    want = (numerical_grad(f, [X + h * V], 0) - numerical_grad(f, [X - h * V], 0)) / (
        2 * h
    )
    np.testing.assert_allclose(tl.hvp(f)(X, V), want, rtol=1e-4, atol=1e-5)


def test_a_list_of_floats_gets_a_list():
    xs = [0.3, -0.74, 1.1]
    got = tl.grad(horner_reversed)(xs)
    want = numerical_grad(horner_reversed, [np.array(xs)], 0)
    assert isinstance(got, list)
    np.testing.assert_allclose(got, want, rtol=1e-6)
