"""Statements that update an array in place: indexed sums (``np.add.at``) and
assignments whose index reads the array are differentiated; calls whose effect
on a value has no derivative are refused by name, never taken for constants."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

X4 = np.array([1.0, -2.0, 0.5, 3.0])
M23 = np.arange(1.0, 7.0).reshape(2, 3) / 4


def check(f, *args):
    """Gradient (twice: compiled, then the fast path) and tangent against finite
    differences."""
    want = numerical_grad(f, args, 0)
    for _ in range(2):
        np.testing.assert_allclose(tl.grad(f)(*args), want, rtol=1e-6, atol=1e-8)
    tangent = tl.jvp(f)(*args, np.ones_like(args[0]))
    assert tangent == pytest.approx(np.sum(want), rel=1e-6, abs=1e-8)


def indexed_sum(x):
    y = np.zeros(4)
    np.add.at(y, np.array([0, 0, 2]), x[:3] ** 2)
    return np.sum(y * y)


def mask_of_itself(x):
    y = x * 1.0
    y[y < 0.0] = 0.0
    return np.sum(y * x)


def argmax_of_itself(x):
    y = x * 1.0
    y[np.argmax(y)] = 0.0
    return np.sum(y * x)


def negate_where_negative(x):
    y = x.copy()
    y[y < 0] = -y[y < 0]
    return np.sum(y**2)


def rows_by_a_column(m):
    y = m * 2.0
    y[y[:, 0] > 0.6, 1] = 0.5
    return np.sum(y * m)


def columns(m, idx):
    return np.sum(m[:, idx] ** 2) + np.sum(m[1:, [0, 2]] ** 3) + np.sum(m[0, [0, 2]])


def outer_by_newaxis(x):
    return np.sum(x[:, np.newaxis] * x)


def fills_diagonal(x):
    y = np.outer(x, x[::-1])
    np.fill_diagonal(y, np.diagonal(y) + x**2)
    return np.sum(y @ y)


def fills_a_diagonal_with_a_number(x):
    K = np.exp(-((x[:, None] - x[None, :]) ** 2))
    if x[0] < 10.0:
        np.fill_diagonal(K, x[1])
    return np.sum(np.linalg.solve(K + 4.0 * np.eye(4), x))


@pytest.mark.parametrize(
    "f",
    [
        indexed_sum,
        mask_of_itself,
        argmax_of_itself,
        negate_where_negative,
        fills_diagonal,
        fills_a_diagonal_with_a_number,
    ],
)
def test_vector_statements_match_finite_differences(f):
    check(f, X4)


def fills_a_diagonal_of_squares(x):
    y = np.outer(x, x[::-1])
    np.fill_diagonal(y, x**2 + 1.0)
    return np.sum(y @ y)


def test_fill_diagonal_is_the_item_assignment_it_makes():
    f = fills_a_diagonal_of_squares
    source = tl.getsource(tl.grad(f))
    assert "fill_diagonal" not in source.split("# line")[0]
    check(f, X4)


def test_an_index_reading_the_array_is_computed_before_the_update():
    check(rows_by_a_column, M23)
    source = tl.getsource(tl.grad(argmax_of_itself))
    assert "_index = np.argmax(y)" in source and "y[_index] = _y_old" in source


def test_slices_with_index_arrays_or_newaxis():
    check(columns, M23, np.array([0, 2]))
    check(outer_by_newaxis, np.array([0.3, 1.2, -0.4]))
    assert "slice(None, None, None)" in tl.getsource(tl.grad(columns))


def index_after_arithmetic(x):
    i = 2
    return x[i + 1] ** 3


def gather(x):
    return np.sum(x[np.array([0, 1, 3])] ** 3)


def masked(x):
    return np.sum(x[x > 0] ** 3)


def hessian_by_hand(f, x):
    """The Hessians of the four functions above, worked out on paper."""
    h = np.zeros((4, 4))
    if f is index_after_arithmetic:
        h[3, 3] = 6 * x[3]
    elif f in (gather, masked):
        picked = [0, 1, 3] if f is gather else np.flatnonzero(x > 0)
        h[picked, picked] = 6 * x[picked]
    else:  # (x0**2 + x1**2)**2 + x2**4
        h[:2, :2] = [
            [12 * x[0] ** 2 + 4 * x[1] ** 2, 8 * x[0] * x[1]],
            [8 * x[0] * x[1], 4 * x[0] ** 2 + 12 * x[1] ** 2],
        ]
        h[2, 2] = 12 * x[2] ** 2
    return h


@pytest.mark.parametrize("f", [index_after_arithmetic, gather, masked, indexed_sum])
def test_second_derivatives_through_indexed_sums(f):
    """The gradient's np.add.at has a tangent and an adjoint of its own: the
    Hessian is not the zero matrix."""
    want = hessian_by_hand(f, X4)
    np.testing.assert_allclose(tl.hessian(f)(X4), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        tl.grad(lambda_sum_of_grad(f))(X4), want.sum(axis=0), rtol=1e-12
    )


def lambda_sum_of_grad(f):
    df = tl.grad(f)

    def total(x):
        return np.sum(df(x))

    return total


def copies_into(x):
    y = np.zeros(4)
    np.copyto(y, x**2)
    return np.sum(y)


def writes_out(x):
    y = np.zeros(4)
    np.multiply(x, x, out=y)
    return np.sum(y)


def assigns_with_out(x):
    y = np.zeros(4)
    z = np.sin(x, out=y)
    return np.sum(z + y)


def sorts(x):
    y = x * 1.0
    y.sort()
    return np.sum(y * np.arange(4.0))


def fills(x):
    y = np.zeros(4)
    y.fill(x[0])
    return np.sum(y)


def multiplies_at(x):
    y = np.ones(4)
    np.multiply.at(y, np.array([0, 1]), x[:2])
    return np.sum(y)


def reverses(x):
    parts = [x[0], x[1] * 2.0]
    parts.reverse()
    return parts[0] * 3.0 + parts[1]


@pytest.mark.parametrize(
    "f",
    [
        copies_into,
        writes_out,
        assigns_with_out,
        sorts,
        fills,
        multiplies_at,
        reverses,
    ],
)
@pytest.mark.parametrize("make", [tl.grad, tl.jvp])
def test_calls_updating_a_value_in_place_are_refused_by_name(f, make):
    with pytest.raises(
        tl.TangentlikeError, match="in-place update of `(y|parts)` by a call"
    ):
        make(f)


def prints_and_updates_a_constant(x):
    log = []
    log.append(1.0)
    log.reverse()
    c = np.zeros(2)
    c.fill(3.0)
    return np.sum(x * c[0]) + log[0]


def test_in_place_calls_on_constants_are_fine():
    check(prints_and_updates_a_constant, X4)
