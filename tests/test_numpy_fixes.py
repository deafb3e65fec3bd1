"""Gradients that were wrong or crashed: reshape/ravel/flatten with an order, einsum with
an ellipsis, np.dot with a scalar, builtin sum over an array, lstsq, repeated indices.

Each derivative is compared with central finite differences, and with autograd where
it differentiates the same function.  Every derivative is called twice: the first
call compiles a variant for the argument types, the second runs it.
"""

import types

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad
from tangentlike.runtime import (
    einsum_grad,
    reshape_grad,
    reshape_tangent,
    setitem_grad,
    sum_grad,
)

anp = pytest.importorskip("autograd.numpy")
autograd = pytest.importorskip("autograd")

rng = np.random.default_rng(7)


def rand(*shape):
    return rng.uniform(-1.0, 1.0, shape)


W6 = np.linspace(0.5, 3.0, 6)
W32 = np.linspace(-1.0, 2.0, 6).reshape(3, 2)


def with_autograd(f):
    """``f`` reading ``np`` as autograd.numpy."""
    return types.FunctionType(f.__code__, {**f.__globals__, "np": anp}, f.__name__)


def check(f, args, wrt, use_autograd=True):
    """Reverse (grad, value_and_grad) and forward (jvp) mode against finite
    differences and autograd, each derivative called twice."""
    want = numerical_grad(f, list(args), wrt)
    ref = autograd.grad(with_autograd(f), wrt)(*args) if use_autograd else None
    df = tl.grad(f, wrt=wrt)
    vdf = tl.value_and_grad(f, wrt=wrt)
    jf = tl.jvp(f, wrt=wrt)
    tangent = rand(*np.shape(args[wrt])) if np.ndim(args[wrt]) else 0.7
    for _ in range(2):
        got = df(*args)
        assert np.shape(got) == np.shape(args[wrt])
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        if ref is not None:
            np.testing.assert_allclose(got, ref, rtol=1e-7, atol=1e-9)
        value, got = vdf(*args)
        np.testing.assert_allclose(value, f(*args), rtol=1e-12)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(
            jf(*args, tangent), np.sum(want * tangent), rtol=1e-5, atol=1e-6
        )


# 1. reshape, ravel and flatten with an order ---------------------------------------


def reshape_method_f(x):
    return np.sum(x.reshape(2, 3, order="F")[0] * np.arange(3.0))


def ravel_method_f(x):
    return np.sum(np.sin(x.ravel(order="F")) * W6)


def flatten_f(x):
    return np.sum(np.sin(x.flatten("F")) * W6)


def np_reshape_f(x):
    return np.sum(np.sin(np.reshape(x, (3, 2), order="F")) * W32)


def np_ravel_f(x):
    return np.sum(np.ravel(x, "F") ** 3 * W6)


def reshape_c(x):
    return np.sum(np.sin(np.reshape(x, (3, 2), order="C")) * W32)


ORDER_CASES = [
    (reshape_method_f, (6,)),
    (ravel_method_f, (2, 3)),
    (flatten_f, (2, 3)),
    (np_reshape_f, (2, 3)),
    (np_ravel_f, (2, 3)),
    (reshape_c, (2, 3)),
]


@pytest.mark.parametrize(
    "f, shape", ORDER_CASES, ids=[f.__name__ for f, _ in ORDER_CASES]
)
def test_reshape_order(f, shape):
    check(f, (rand(*shape),), 0)


# 'A' reads a Fortran-contiguous array (x.T of a C array) in 'F' order; 'K' in memory
# order; autograd reshapes the gradient with the gradient's layout, so only finite
# differences decide these


def ravel_a_of_transpose(x):
    return np.sum(np.sin(np.ravel(x.T, "A")) * W6)


def reshape_a_of_transpose(x):
    return np.sum(np.sin(np.reshape(x.T, (2, 3), order="A")) * W32.reshape(2, 3))


def ravel_a_of_c(x):
    return np.sum(np.sin(np.ravel(x, order="A")) * W6)


def ravel_k_of_view(x):
    return np.sum(np.sin(np.ravel(x.T[::-1], "K")) * W6)


def ravel_k_3d(x):
    return np.sum(np.sin(x.transpose(2, 0, 1)[:, ::-1].ravel("K")) * np.arange(24.0))


@pytest.mark.parametrize(
    "f, shape",
    [
        (ravel_a_of_transpose, (2, 3)),
        (reshape_a_of_transpose, (2, 3)),
        (ravel_a_of_c, (2, 3)),
        (ravel_k_of_view, (2, 3)),
        (ravel_k_3d, (2, 3, 4)),
    ],
)
def test_reshape_order_from_layout(f, shape):
    check(f, (rand(*shape),), 0, use_autograd=False)


def ravel_a(x):
    return np.sum(np.ravel(x, order="A") * W6)


def test_ravel_a_of_a_fortran_argument():
    x = np.asfortranarray(rand(2, 3))
    want = np.reshape(W6, (2, 3), order="F")  # x is read in Fortran order
    df = tl.grad(ravel_a)
    for _ in range(2):
        np.testing.assert_allclose(df(x), want)
        np.testing.assert_allclose(tl.jvp(ravel_a)(x, x), np.sum(want * x))


def test_layout_helpers_match_numpy():
    """The tangent of ravel/reshape applied to the array itself is the primal, for
    every order and many layouts; reshape_grad is its transpose."""
    base = rand(4, 6, 8)
    views = [
        base[:2, :3, :4],
        base[:2, :3, :4].transpose(2, 0, 1),
        base[::2, ::-2, :].transpose(1, 2, 0),
        np.asfortranarray(base[:2, :3, :4]),
        np.broadcast_to(base[:2, :1, :4], (2, 3, 4)),
        base[0, ::-1, 1::3].T,
    ]
    for a in views:
        for order in "CFAK":
            y = np.ravel(a, order)
            np.testing.assert_array_equal(reshape_tangent(a, a, y.shape, order), y)
            g, t = rand(*y.shape), rand(*a.shape)
            lhs = np.sum(g * reshape_tangent(t, a, y.shape, order))
            np.testing.assert_allclose(lhs, np.sum(reshape_grad(g, a, order) * t))
        for order in "CFA":
            y = np.reshape(a, (a.shape[-1], -1), order=order)
            np.testing.assert_array_equal(reshape_tangent(a, a, y.shape, order), y)


def test_default_order_keeps_plain_reshape():
    source = tl.getsource(tl.grad(reshape_c))
    assert "np.reshape(b_reshape, np.shape(x))" in source
    assert "reshape_grad" not in source


def test_second_derivative_through_fortran_reshape():
    x = rand(2, 3)
    want = np.diag(6.0 * x.ravel() * W6.reshape(2, 3, order="F").ravel())
    np.testing.assert_allclose(
        tl.hessian(np_ravel_f)(x).reshape(6, 6), want, rtol=1e-12
    )


# 2. einsum with an ellipsis --------------------------------------------------------


def einsum_dot_last(x, y):
    return np.sum(np.sin(np.einsum("...j,...j->...", x, y)))


def einsum_batched_matvec(a, v):
    return np.sum(np.sin(np.einsum("...ij,...j->...i", a, v)))


def einsum_batched_diagonal(a):
    return np.sum(np.sin(np.einsum("...ii->...i", a)) * np.arange(1.0, 4.0))


def einsum_leading_transpose(a):
    return np.sum(
        np.sin(np.einsum("ij...->ji...", a)) * np.arange(24.0).reshape(3, 2, 4)
    )


def einsum_implicit_ellipsis(x, y):
    return np.sum(np.sin(np.einsum("...j,...j", x, y)))


def einsum_broadcast_letter(x, y):
    return np.sum(np.sin(np.einsum("ij,ij->ij", x, y)))


def einsum_spaces(a, v):
    return np.sum(np.sin(np.einsum(" ...ij , ...j -> ...i ", a, v)))


EINSUM_CASES = [
    (einsum_dot_last, ((2, 3), (2, 3)), True),
    (einsum_dot_last, ((4, 3), (3,)), True),  # ellipses of different lengths
    (einsum_dot_last, ((1, 3), (2, 4, 3)), True),  # an ellipsis axis of length 1
    (einsum_batched_matvec, ((2, 3, 4), (2, 4)), True),
    (einsum_batched_matvec, ((3, 4), (2, 5, 4)), True),
    (
        einsum_batched_diagonal,
        ((2, 3, 3),),
        False,
    ),  # autograd: "output subscript 'i' twice"
    (einsum_leading_transpose, ((2, 3, 4),), True),
    (einsum_implicit_ellipsis, ((2, 3), (2, 3)), True),
    (einsum_broadcast_letter, ((1, 3), (4, 3)), True),
    (einsum_spaces, ((2, 3, 4), (2, 4)), False),
]


@pytest.mark.parametrize(
    "f, shapes, use_autograd",
    EINSUM_CASES,
    ids=[f"{f.__name__}-{'-'.join(map(str, s))}" for f, s, _ in EINSUM_CASES],
)
def test_einsum_ellipsis(f, shapes, use_autograd):
    args = tuple(rand(*s) for s in shapes)
    for i in range(len(args)):
        check(f, args, i, use_autograd)


def test_einsum_grad_keeps_float32():
    x, y = rand(2, 3).astype(np.float32), rand(1, 3).astype(np.float32)
    g = np.ones((2,), np.float32)
    assert einsum_grad(g, "...j,...j->...", 1, x, y, None).dtype == np.float32
    assert einsum_grad(g, "...j,...j->...", 1, x, y, None).shape == (1, 3)


# 3. np.dot with a scalar -----------------------------------------------------------


def dot_by_constant(x):
    return np.sum(np.sin(np.dot(x, 2.0)))


def dot_method_by_constant(x):
    return np.sum(np.sin(x.dot(3.0)))


def dot_scalar_left(s, x):
    return np.sum(np.sin(np.dot(s, x)))


def dot_scalar_right(x, s):
    return np.sum(np.sin(np.dot(x, s)))


@pytest.mark.parametrize("shape", [(6,), (2, 3)])
def test_dot_with_a_constant_scalar(shape):
    x = rand(*shape)
    check(dot_by_constant, (x,), 0)
    check(dot_method_by_constant, (x,), 0, use_autograd=False)  # ArrayBox has no .dot


@pytest.mark.parametrize("shape", [(6,), (2, 3)])
def test_dot_with_a_scalar_argument(shape):
    x = rand(*shape)
    for i in (0, 1):
        check(dot_scalar_left, (1.5, x), i)
        check(dot_scalar_right, (x, -0.5), i)


def test_dot_with_arrays_unchanged():
    check(dot_scalar_left, (rand(2, 3), rand(3, 4)), 0)
    check(dot_scalar_left, (rand(3), rand(3)), 1)


def test_second_derivative_of_dot_with_a_scalar():
    x = rand(6)
    hess = tl.hessian(dot_by_constant)(x)
    np.testing.assert_allclose(
        hess, np.diag(-4.0 * np.sin(2.0 * x)), rtol=1e-7, atol=1e-12
    )


# 4. builtin sum over an array ------------------------------------------------------


def sum_of_vector(x):
    return sum(x**2)


def sum_of_rows(x):
    return np.sum(np.sin(sum(x)) * np.arange(1.0, 5.0))


def sum_of_list(a, b):
    return np.sum(sum([a, b * 2.0, a * b]) ** 2)


def sum_of_list_broadcast(a, b):
    return np.sum(sum([a, np.sin(b)]) ** 2)


def test_builtin_sum_of_a_vector():
    check(sum_of_vector, (rand(6),), 0)


def test_builtin_sum_of_a_matrix_sums_rows():
    check(sum_of_rows, (rand(3, 4),), 0)


def test_builtin_sum_of_a_list_still_works():
    a, b = rand(2, 3), rand(2, 3)
    for i in (0, 1):
        check(sum_of_list, (a, b), i)
        check(sum_of_list_broadcast, (a, rand(3)), i)


def test_builtin_sum_float32():
    x = rand(6).astype(np.float32)
    g = tl.grad(sum_of_vector)(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 2 * x, rtol=1e-6)
    assert sum_grad(np.float32(1.0), x).shape == (6,)


# 5. lstsq --------------------------------------------------------------------------


def lstsq_unpacked(a, b):
    x, residuals, rank, sv = np.linalg.lstsq(a, b, rcond=None)
    return np.sum(np.sin(x))


def lstsq_indexed(a, b):
    x = np.linalg.lstsq(a, b, rcond=None)[0]
    return np.sum(np.sin(x))


@pytest.mark.parametrize("bshape", [(5,), (5, 2)])
def test_lstsq_unpacked(bshape):
    a, b = rand(5, 3), rand(*bshape)
    for i in (0, 1):
        check(lstsq_unpacked, (a, b), i, use_autograd=False)


def test_lstsq_indexed_forward():
    a, b = rand(5, 3), rand(5)
    for i in (0, 1):
        want = numerical_grad(lstsq_indexed, [a, b], i)
        t = rand(*np.shape((a, b)[i]))
        jf = tl.jvp(lstsq_indexed, wrt=i)
        for _ in range(2):
            np.testing.assert_allclose(
                jf(a, b, t), np.sum(want * t), rtol=1e-5, atol=1e-6
            )


def test_lstsq_indexed_reverse():
    check(lstsq_indexed, (rand(5, 3), rand(5)), 0, use_autograd=False)


# 6. assignment to repeated indices -------------------------------------------------

REPEATED = np.array([0, 0, 3])


def add_at_repeated(x, v):
    y = x.copy()
    y[REPEATED] += v
    return np.sum(y**2)


def set_repeated(x, v, w):
    y = x.copy()
    y[REPEATED] = v * w
    return np.sum(np.sin(y) * W6)


def set_unique(x, v):
    y = x.copy()
    y[np.array([4, 1])] = v**2
    return np.sum(np.sin(y) * W6)


def test_repeated_index_forward():
    x, v, w = rand(6), rand(3), rand(3)
    for f, args in ((add_at_repeated, (x, v)), (set_repeated, (x, v, w))):
        for i in range(len(args)):
            want = numerical_grad(f, list(args), i)
            t = rand(*np.shape(args[i]))
            jf = tl.jvp(f, wrt=i)
            for _ in range(2):
                np.testing.assert_allclose(
                    jf(*args, t), np.sum(want * t), rtol=1e-5, atol=1e-6
                )


def test_unique_fancy_index_reverse():
    x, v = rand(6), rand(2)
    for i in (0, 1):
        check(set_unique, (x, v), i, use_autograd=False)  # autograd: no item assignment


def test_setitem_grad_gives_each_position_to_its_last_write():
    g = np.arange(1.0, 7.0)
    np.testing.assert_array_equal(setitem_grad(g, np.array([0, 0, 2, 0])), [0, 0, 3, 1])
    np.testing.assert_array_equal(setitem_grad(g, np.array([4, 1])), [5, 2])
    m = g.reshape(2, 3)
    np.testing.assert_array_equal(
        setitem_grad(m, np.array([1, 1])), [[0, 0, 0], [4, 5, 6]]
    )
    np.testing.assert_array_equal(
        setitem_grad(m, (np.array([0, 0]), np.array([1, 1]))), [0, 2]
    )
    np.testing.assert_array_equal(setitem_grad(m, m > 3), [4, 5, 6])
    assert setitem_grad(g.astype(np.float32), [1, 1]).dtype == np.float32


@pytest.mark.parametrize("which", ["add_at_repeated", "set_repeated"])
def test_repeated_index_reverse(which):
    f = {"add_at_repeated": add_at_repeated, "set_repeated": set_repeated}[which]
    args = (rand(6), rand(3)) if f is add_at_repeated else (rand(6), rand(3), rand(3))
    for i in range(len(args)):
        check(f, args, i, use_autograd=False)


def mean_of_squares(x):
    return np.mean(x * x)


def sample_variance(x):
    return np.var(x, ddof=1) + np.std(x, ddof=1)


def test_an_empty_mean_is_nan_with_numpys_warning_not_a_crash():
    with pytest.warns(RuntimeWarning):
        value, g = tl.value_and_grad(mean_of_squares)(np.array([]))
    assert np.isnan(value) and g.shape == (0,)
    with pytest.warns(RuntimeWarning):
        assert np.isnan(tl.jvp(mean_of_squares)(np.array([]), np.array([])))


def test_no_degrees_of_freedom_give_nan_gradients_as_numpy_gives_nan():
    with pytest.warns(RuntimeWarning):
        value, g = tl.value_and_grad(sample_variance)(np.array([2.0]))
    assert np.isnan(value) and np.isnan(g).all()
