"""An array namespace passed as an argument (``def f(x, xp=np)``, as array-API
code is written): its functions are called as the module's own, and the
derivative is made for each module passed.  Checked against central differences."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad


def energy(x, xp):
    return xp.sum(xp.exp(x) * 2.0 + xp.sin(x) * x)


def energy_default(x, xp=np):
    return xp.sum(xp.tanh(x) ** 2)


X = np.array([0.1, -0.5, 0.9])


@pytest.mark.parametrize("call", ["positional", "keyword"])
def test_gradient_with_the_namespace_passed(call):
    df = tl.grad(energy)
    got = df(X, np) if call == "positional" else df(X, xp=np)
    want = numerical_grad(lambda x: energy(x, np), [X], 0)
    np.testing.assert_allclose(got, want, rtol=1e-7)


def test_gradient_with_the_namespace_as_a_default():
    want = numerical_grad(energy_default, [X], 0)
    np.testing.assert_allclose(tl.grad(energy_default)(X), want, rtol=1e-7)


def test_forward_and_second_order():
    v = np.array([1.0, 0.5, -2.0])
    want = numerical_grad(lambda x: energy(x, np), [X], 0) @ v
    np.testing.assert_allclose(tl.jvp(energy)(X, np, v), want, rtol=1e-7)
    h = tl.hessian(energy_default)(X, np)
    want_h = np.diag(2.0 - 8.0 * np.tanh(X) ** 2 + 6.0 * np.tanh(X) ** 4)
    np.testing.assert_allclose(h, want_h, rtol=1e-7, atol=1e-9)


def test_dask_namespace_passed():
    da = pytest.importorskip("dask.array")
    got = tl.grad(energy)(da.from_array(X, chunks=2), da)
    want = numerical_grad(lambda x: energy(x, np), [X], 0)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-7)


def test_getsource_before_a_call_asks_for_arguments():
    df = tl.grad(energy_default)
    with pytest.raises(tl.ArgumentError, match="args="):
        tl.getsource(df)
    source = tl.getsource(df, args=(X,))
    assert "np.tanh(x)" in source and "import numpy as np" in source
    body = source.split("def ", 1)[1].splitlines()[1:]
    assert not [line for line in body if "xp" in line and "# line" not in line]
