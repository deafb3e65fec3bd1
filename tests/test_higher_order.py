"""Higher derivatives: generated code is itself differentiated."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad


def poly_loop(x):
    s = 0.0
    for _ in range(3):
        s = s + np.sin(x) * x
    return s


def branchy(x):
    if x > 0.0:
        y = x**3
    else:
        y = np.exp(x)
    return y * helper(x)


def helper(a):
    return np.cos(a) + a * a


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


W1 = np.array([[0.2, -0.5, 0.3], [0.7, 0.1, -0.4]])
TARGET = np.array([0.5, -0.2])


def mlp_loss(w):
    h = np.tanh(W1.T @ w)
    out = W1 @ h
    return np.mean((out - TARGET) ** 2)


@pytest.mark.parametrize("func", [poly_loop, branchy], ids=["loop", "branch-call"])
@pytest.mark.parametrize("x", [0.7, -0.4])
def test_second_derivative_forward_over_reverse(func, x):
    got = tl.jvp(tl.grad(func))(x, 1.0)
    want = numerical_grad(tl.grad(func), [x], 0)
    assert np.isclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("x", [0.7, -0.4])
def test_reverse_over_reverse_and_reverse_over_forward(x):
    want = numerical_grad(tl.grad(branchy), [x], 0)
    assert np.isclose(tl.grad(tl.grad(branchy))(x), want, rtol=1e-5)
    assert np.isclose(tl.grad(tl.jvp(branchy))(x, 1.0), want, rtol=1e-5)


def test_third_derivative():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")

    def ag(x):
        return (x**3) * (anp.cos(x) + x * x)

    want = autograd.grad(autograd.grad(autograd.grad(ag)))(0.7)
    assert np.isclose(tl.jvp(tl.grad(tl.grad(branchy)))(0.7, 1.0), want)


def test_third_derivative_reverse_cubed():
    want = tl.jvp(tl.grad(tl.grad(branchy)))(0.7, 1.0)
    assert np.isclose(tl.grad(tl.grad(tl.grad(branchy)))(0.7), want)


def overwrite_loop(x, n):
    y = x
    for i in range(n):
        y = np.sin(y) * x + i
    return y


def while_overwrite(x):
    y = x
    k = 0
    while k < 3:
        y = y * np.cos(y) + x
        k = k + 1
    return y


def vector_loop(x):
    h = x
    for _ in range(3):
        h = np.tanh(h * 0.5 + x)
    return np.sum(h * h)


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (poly_loop, [0.7]),
        (overwrite_loop, [0.7, 3]),
        (overwrite_loop, [0.7, 0]),
        (while_overwrite, [0.4]),
    ],
)
def test_reverse_over_reverse_through_loops(func, args):
    want = numerical_grad(tl.grad(func), args, 0)
    assert np.isclose(tl.grad(tl.grad(func))(*args), want, rtol=1e-5, atol=1e-6)


def test_reverse_over_reverse_saves_adjoints_on_a_stack():
    src = tl.getsource(tl.grad(tl.grad(overwrite_loop)))
    assert "_bstack.append(" in src and "_bstack.pop()" in src


def test_hessian_through_a_loop():
    x = np.array([0.3, -0.2, 0.5])
    h = tl.hessian(vector_loop)(x)
    want = np.array(
        [
            numerical_grad(lambda y, k=k: tl.grad(vector_loop)(y)[k], [x], 0)
            for k in range(x.size)
        ]
    )
    np.testing.assert_allclose(h, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h, h.T, atol=1e-12)


@pytest.mark.parametrize(
    ("func", "x"),
    [(rosenbrock, np.array([1.2, 0.8, -0.5])), (mlp_loss, np.array([0.3, -0.6]))],
)
def test_hessians_match_finite_differences_and_are_symmetric(func, x):
    autograd = pytest.importorskip("autograd")

    h = tl.hessian(func)(x)
    want = np.array(
        [
            numerical_grad(lambda y, k=k: tl.grad(func)(y)[k], [x], 0)
            for k in range(x.size)
        ]
    )
    np.testing.assert_allclose(h, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(h, h.T, rtol=1e-12, atol=1e-12)
    if func is rosenbrock:
        anp = pytest.importorskip("autograd.numpy")

        def ag(x):
            return anp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

        np.testing.assert_allclose(h, autograd.hessian(ag)(x), rtol=1e-10)


def test_hvp():
    x, v = np.array([1.2, 0.8, -0.5]), np.array([0.3, -1.0, 2.0])
    np.testing.assert_allclose(tl.hvp(rosenbrock)(x, v), tl.hessian(rosenbrock)(x) @ v)


def test_check_grads_order_two():
    tl.check_grads(branchy, [0.7], order=2)
    tl.check_grads(
        rosenbrock, [np.array([1.2, 0.8, -0.5])], order=2, modes=("forward",)
    )


def test_second_order_check_of_rosenbrock_in_both_modes():
    x = np.array([1.2, 0.8, -0.5, 0.3])
    tl.check_grads(rosenbrock, [x], order=2, modes=("reverse", "forward"))


def coupled(x, y):
    return np.sum(np.sin(x) * y[0]) + np.sum(x * x) * np.sum(y**3)


def coupled_vector(x, y):
    return np.sin(x) * y[1] + x * y[0]


X2, Y2 = np.array([0.3, -1.2, 0.7]), np.array([1.5, 0.4])


def test_a_hessian_with_respect_to_two_arguments_has_four_blocks():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")

    def ag(x, y):
        return anp.sum(anp.sin(x) * y[0]) + anp.sum(x * x) * anp.sum(y**3)

    h = tl.hessian(coupled, wrt=(0, "y"))(X2, Y2)
    for a in range(2):
        for b in range(2):
            want = autograd.jacobian(autograd.grad(ag, a), b)(X2, Y2)
            assert h[a][b].shape == want.shape
            np.testing.assert_allclose(h[a][b], want, rtol=1e-12)
    np.testing.assert_allclose(h[0][1], h[1][0].T, rtol=1e-12)
    np.testing.assert_allclose(tl.hessian(coupled, wrt=1)(X2, Y2), h[1][1])
    (only,) = tl.hessian(coupled, wrt=(0,))(X2, Y2)
    np.testing.assert_allclose(only[0], h[0][0])


def test_an_hvp_with_respect_to_two_arguments_gives_each_block_row_times_the_vectors():
    u, v = np.array([0.5, -1.0, 2.0]), np.array([0.3, 0.1])
    h = tl.hessian(coupled, wrt=(0, 1))(X2, Y2)
    hu, hv = tl.hvp(coupled, wrt=(0, 1))(X2, Y2, u, v)
    np.testing.assert_allclose(hu, h[0][0] @ u + h[0][1] @ v, rtol=1e-12)
    np.testing.assert_allclose(hv, h[1][0] @ u + h[1][1] @ v, rtol=1e-12)


def test_a_jacobian_with_respect_to_two_arguments_gives_one_per_argument():
    jx, jy = tl.jacobian(coupled_vector, wrt=(0, 1))(X2, Y2)
    assert jx.shape == (3, 3) and jy.shape == (3, 2)
    for i, j in ((0, jx), (1, jy)):
        cols = [
            numerical_grad(lambda *a, k=k: coupled_vector(*a)[k], [X2, Y2], i)
            for k in range(3)
        ]
        np.testing.assert_allclose(j, np.array(cols), rtol=1e-6, atol=1e-8)


def test_a_one_element_wrt_tuple_stays_a_tuple_when_differentiated_again():
    def cube(x):
        return np.sum(x**3)

    x = np.array([1.0, 2.0])
    (g,) = tl.grad(cube, wrt=(0,))(x)
    (dg,) = tl.jvp(tl.grad(cube, wrt=(0,)))(x, np.ones(2))
    np.testing.assert_allclose(g, 3 * x**2)
    np.testing.assert_allclose(dg, 6 * x)


def tanh_and_mean(x):
    return np.sum(np.tanh(x)) + np.mean(x**2)


def test_hessians_keep_float32():
    x = np.array([0.3, 0.5], np.float32)
    assert tl.hessian(tanh_and_mean)(x).dtype == np.float32
    assert tl.hvp(tanh_and_mean)(x, np.ones(2, np.float32)).dtype == np.float32
    np.testing.assert_allclose(
        tl.hessian(tanh_and_mean)(x),
        tl.hessian(tanh_and_mean)(x.astype(float)),
        rtol=1e-5,
    )
