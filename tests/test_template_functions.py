"""Functions with a derivative template and no Python source of their own
(ufuncs, ``math`` functions, LAPACK wrappers) differentiated directly:
``tl.grad(np.sin)``, checked against central finite differences."""

import math

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

SCALAR = [np.sin, np.tanh, np.exp, np.log1p, math.sin, math.exp, math.log]


@pytest.mark.parametrize("f", SCALAR, ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_grad_and_second_order_of_a_function_known_by_its_template(f):
    x = 0.7
    np.testing.assert_allclose(tl.grad(f)(x), numerical_grad(f, (x,), 0), rtol=1e-7)
    df = tl.grad(f)
    np.testing.assert_allclose(tl.grad(df)(x), numerical_grad(df, (x,), 0), rtol=1e-6)
    np.testing.assert_allclose(tl.jvp(f)(x, 1.0), tl.grad(f)(x), rtol=1e-12)


def test_vjp_and_jacobian_of_an_elementwise_ufunc():
    x = np.array([0.1, -0.5, 2.0])
    seed = np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(tl.vjp(np.tanh)(x, seed), seed / np.cosh(x) ** 2)
    np.testing.assert_allclose(tl.jacobian(np.sin)(x), np.diag(np.cos(x)))


def test_a_linear_algebra_function_and_a_binary_ufunc():
    a = np.array([[2.0, 0.5], [0.3, 1.5]])
    expected = numerical_grad(np.linalg.det, (a,), 0)
    np.testing.assert_allclose(tl.grad(np.linalg.det)(a), expected, rtol=1e-7)
    assert tl.grad(np.maximum, wrt=(0, 1))(1.0, 2.0) == (0.0, 1.0)
    np.testing.assert_allclose(tl.hessian(np.sum)(np.ones(3)), np.zeros((3, 3)))


def test_the_generated_code_calls_the_function_as_numpy_is_imported():
    source = tl.getsource(tl.grad(np.sin))
    assert "import numpy as np\n" in source and "np.cos(x)" in source


def test_a_builtin_without_a_template_still_has_no_source():
    with pytest.raises(tl.NoSourceError):
        tl.grad(len)
