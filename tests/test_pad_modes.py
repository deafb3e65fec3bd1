"""np.pad in both modes for every mode NumPy has: the copying modes (edge, reflect,
symmetric, wrap) send gradients back to what they copied, linear_ramp and mean to
the elements they weigh, maximum and minimum to what they select; median and a
function as the mode are refused by name."""

import numpy as np
import pytest

import tangentlike as tl

X = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
WIDTHS = ((1, 0), (2, 1))


def constant(x):
    return np.sum(np.sin(np.pad(x, WIDTHS)) ** 2)


def edge(x):
    return np.sum(np.sin(np.pad(x, WIDTHS, mode="edge")) ** 2)


def reflect(x):
    return np.sum(np.sin(np.pad(x, WIDTHS, mode="reflect")) ** 2)


def reflect_odd(x):
    return np.sum(np.sin(np.pad(x, WIDTHS, mode="reflect", reflect_type="odd")) ** 2)


def symmetric(x):
    return np.sum(np.sin(np.pad(x, 2, mode="symmetric")) ** 2)


def symmetric_odd(x):
    return np.sum(np.sin(np.pad(x, 1, "symmetric", reflect_type="odd")) ** 2)


def wrap(x):
    return np.sum(np.sin(np.pad(x, (4, 2), mode="wrap")) ** 2)


def linear_ramp(x):
    return np.sum(np.sin(np.pad(x, WIDTHS, mode="linear_ramp", end_values=2.0)) ** 2)


def mean(x):
    return np.sum(np.sin(np.pad(x, WIDTHS, mode="mean", stat_length=2)) ** 2)


def maximum(x):
    return np.sum(np.sin(np.pad(x, WIDTHS, mode="maximum")) ** 2)


def minimum(x):
    return np.sum(np.sin(np.pad(x, 2, mode="minimum", stat_length=(1, 2))) ** 2)


MODES = [
    constant,
    edge,
    reflect,
    reflect_odd,
    symmetric,
    symmetric_odd,
    wrap,
    linear_ramp,
    mean,
    maximum,
    minimum,
]


def test_the_issue_example():
    g = tl.grad(lambda x: np.sum(np.pad(x, 1, mode="edge") ** 2))(np.array([1.0, 2, 3]))
    np.testing.assert_allclose(g, [4.0, 4.0, 12.0])


@pytest.mark.parametrize("f", MODES, ids=lambda f: f.__name__)
def test_mode(f):
    tl.check_grads(f, (X,), modes=("reverse", "forward"))


@pytest.mark.parametrize("f", [edge, linear_ramp, maximum], ids=lambda f: f.__name__)
def test_second_order(f):
    tl.check_grads(f, (X,), modes=("forward",), order=2)


def empty(x):
    return np.sum(np.pad(x, 1, mode="empty")[1:-1, 1:-1] ** 2)


def test_empty_pads_nothing_the_gradient_can_see():
    np.testing.assert_allclose(tl.grad(empty)(X), 2 * X)


def fills(x, c, e):
    a = np.pad(x, ((1, 2), (0, 1)), constant_values=c)
    b = np.pad(x, 2, mode="linear_ramp", end_values=e)
    return np.sum(np.sin(a) ** 2) + np.sum(np.sin(b) ** 2)


def test_fills_get_their_share():
    args = (X, np.array([1.5, -0.5]), 0.7)
    tl.check_grads(fills, args, wrt=(0, 1, 2), modes=("reverse", "forward"))


def median(x):
    return np.sum(np.pad(x, 1, mode="median"))


def odd_and_wide(x):
    return np.sum(np.pad(x, 3, mode="reflect", reflect_type="odd"))


@pytest.mark.parametrize(
    "f, what",
    [(median, "mode='median'"), (odd_and_wide, "wider than one reflection")],
)
def test_refused_by_name(f, what):
    with pytest.raises(tl.UnsupportedDerivativeError, match=what):
        tl.grad(f)(X)


def test_median_is_refused_in_forward_mode_too():
    with pytest.raises(tl.UnsupportedDerivativeError, match="mode='median'"):
        tl.jvp(median)(X, X)
