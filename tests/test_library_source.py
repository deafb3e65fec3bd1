"""Library functions with no template are differentiated through their Python source;
what cannot be is refused at the user's line, with the library's frames below it."""

import functools
import inspect

import gast
import numpy as np
import pytest
import scipy.integrate

import tangentlike as tl
from tangentlike.analysis.callees import is_library, source_function
from tangentlike.analysis.scope import Scope, assigned_names
from tangentlike.frontend.library import canonical_numpy, resolve_namespaces
from tangentlike.frontend.specialize import bind_constants, default_of

from . import helpers_imported

POINTS = np.array([0.5, -1.5, 2.0])
X = np.array([0.3, 1.2, -0.7, 2.0])


def fit(c):
    return np.sum((np.polyval(c, POINTS) - 1.0) ** 2)


def test_polyval_inside_a_user_function():
    tl.check_grads(fit, (X,))
    want = tl.api.check.numerical_grad(fit, [X], 0)
    np.testing.assert_allclose(tl.grad(fit)(X), want, rtol=1e-6)


def integral(y):
    return np.trapezoid(y * y, POINTS[:3] + X[:3])


def test_the_dump_shows_the_library_function_adjoint():
    """np.polyval's template (cheaper than its loop), np.trapezoid's source."""
    assert "polyval_coefficients(" in tl.getsource(tl.grad(fit))
    tl.check_grads(integral, (X[:3],))
    source = tl.getsource(tl.grad(integral))
    assert "def _bwd_trapezoid(" in source and "np.asanyarray" in source


def test_dispatchers_are_read_through_their_wrapped_function():
    assert source_function(np.trapezoid) is np.trapezoid.__wrapped__
    assert source_function(np.sin) is None
    assert is_library(np.trapezoid) and not is_library(fit)


def array_namespace_sum(x):
    xp = np
    return xp.sum(x * x, axis=0)


def method_namespace(x):
    xp = x.__array_namespace__()
    return xp.sum(xp.exp(x), axis=0, keepdims=False)


@pytest.mark.parametrize("f", [array_namespace_sum, method_namespace])
def test_a_name_holding_the_namespace_is_the_namespace(f):
    tl.check_grads(f, (X,))
    assert "xp." not in tl.getsource(tl.grad(f), comments=False)


def uses_fft(x):
    return np.sum(np.fft.fft(x).real)


@pytest.mark.parametrize("transform", [tl.grad, tl.jvp], ids=["reverse", "forward"])
def test_a_refusal_inside_a_library_names_the_user_line_first(transform):
    with pytest.raises(tl.NoDerivativeError) as info:
        transform(uses_fft)
    error = info.value
    text = str(error)
    assert error.location.filename == __file__
    assert text.index(__file__) < text.index("in numpy.fft.fft, called from")
    assert "test_library_source.py:" in text
    assert "@tangentlike.adjoint(numpy.fft.fft)" in text
    assert "move the" not in text and "rename it" not in text


# specialization: the constants of a call bound into the library function ----------

SENTINEL = object()


def library_like(a, axis=None, out=None, where=SENTINEL, mode="fast"):
    if out is not None:
        out[...] = a
        return out
    if where is not SENTINEL:
        a = a * where
    scale = 2.0 if mode == "fast" else 3.0
    if axis is None and mode in ("fast", "slow"):
        return np.sum(a) * scale
    return np.sum(a, axis=axis) * scale


def bound(func, constants):
    node = gast.parse(inspect.getsource(func)).body[0]
    values = {p: default_of(node, p) if v is None else v for p, v in constants.items()}
    bind_constants(node, values, Scope(func, assigned_names(node)))
    return gast.unparse(node) if hasattr(gast, "unparse") else node


def test_a_call_constants_decide_the_branches():
    source = bound(
        library_like, {"axis": None, "out": None, "where": None, "mode": None}
    )
    assert "out[" not in source and "* where" not in source
    assert source.endswith("return np.sum(a) * 2.0") and "3.0" not in source
    assert source.splitlines()[0] == "def library_like(a):"


def test_an_unknown_value_keeps_its_branches():
    axis = gast.Constant(value=1, kind=None)
    source = bound(library_like, {"out": None, "axis": axis})
    assert "* where" in source and "np.sum(a, axis=1)" in source


def test_numpy_names_of_library_code_are_public_names():
    import numpy._core.numeric as NX  # noqa: F401, N812

    def uses_private(p):
        return NX.asarray(p) + NX.pi

    node = gast.parse(inspect.getsource(uses_private).strip()).body[0]
    scope = Scope(uses_private, assigned_names(node))
    canonical_numpy(node, scope, "np")
    resolve_namespaces(node, scope, "np")
    text = gast.unparse(node) if hasattr(gast, "unparse") else ""
    assert "np.asarray(p)" in text and "NX.pi" in text


def power(x):
    return np.sum(np.linalg.matrix_power(x.reshape(2, 2), 3))


def test_a_function_chosen_at_run_time_is_called_through_a_branch():
    """matrix_power calls ``fmatmul``, bound to np.matmul or np.dot by a test."""
    tl.check_grads(power, (X,))
    assert "fmatmul is np.linalg.matmul" in tl.getsource(tl.grad(power))


def called_result(x):
    return np.sum(np.poly1d(x)(POINTS))


@pytest.mark.parametrize("transform", [tl.grad, tl.jvp], ids=["reverse", "forward"])
def test_a_call_of_what_a_call_returned_is_not_dropped(transform):
    with pytest.raises(tl.NoDerivativeError, match="poly1d"):
        transform(called_result)


# a wrapper (functools.wraps) of a function of another file -------------------------


def _passing(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


wrapped_sin = _passing(helpers_imported.scaled_sin)


def calls_a_wrapped_function(c):
    return np.sum(wrapped_sin(c, 3.0)) * 2.0


def test_a_wrapped_callee_is_read_from_the_file_of_the_function_it_wraps():
    """The lines inspect reads are the wrapped function's: so is the file (the
    wrapper's file with them made the callee look stale)."""
    tl.check_grads(calls_a_wrapped_function, (X,))


def poly1d_of(c):
    return np.sum(np.poly1d(c)(np.array([0.5, -1.0, 2.0])))


def test_poly1d_of_coefficients_to_differentiate_is_refused_by_name():
    with pytest.raises(tl.TangentlikeError) as info:
        tl.jvp(poly1d_of)(np.array([1.0, 2.0, 3.0]), np.ones(3))
    assert "np.poly1d" in str(info.value) and "np.polyval(c, x)" in str(info.value)


def swapped(a, axis1, axis2, xp=None):
    """The array API's way: the namespace passed in, or taken from the array."""
    xp = array_namespace(a) if xp is None else xp
    axes = list(range(a.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return xp.permute_dims(a, axes)


def array_namespace(*arrays):
    return np


W23 = np.arange(6.0).reshape(2, 3)


def through_a_passed_namespace(x):
    return np.sum(swapped(x, 0, 1, np) * W23.T)


def test_a_namespace_passed_to_a_function_is_its_namespace():
    """``f(a, 0, 1, np)`` of a function that keeps ``xp = array_namespace(a)
    if xp is None else xp``: its ``xp.permute_dims`` is NumPy's."""
    x = np.sin(W23)
    want = tl.api.check.numerical_grad(through_a_passed_namespace, [x], 0)
    np.testing.assert_allclose(tl.grad(through_a_passed_namespace)(x), want, rtol=1e-6)


T7 = np.array([0.0, 0.3, 0.5, 0.9, 1.4, 1.6, 2.0])
Y7 = np.sin(np.linspace(0.0, 2.0, 7))
simpson = getattr(scipy.integrate, "cumulative_simpson", None)  # SciPy 1.12 on


def simpson_equal(y):
    return np.sum(simpson(y, dx=0.1) ** 2)


def simpson_unequal(y):
    return np.sum(np.sin(simpson(y, x=T7, initial=0.0)))


@pytest.mark.skipif(simpson is None, reason="SciPy without cumulative_simpson")
@pytest.mark.parametrize(
    "f",
    [simpson_equal, pytest.param(simpson_unequal, marks=pytest.mark.slow)],
)
def test_cumulative_simpson_through_its_array_api_source(f):
    """SciPy's source swaps axes with ``xp.permute_dims`` of the namespace it
    passes along, and hands the rule for the intervals to a helper."""
    want = tl.api.check.numerical_grad(f, [Y7], 0)
    np.testing.assert_allclose(tl.grad(f)(Y7), want, rtol=1e-6, atol=1e-9)
    v = np.linspace(-1.0, 1.0, 7)
    assert tl.jvp(f)(Y7, v) == pytest.approx(want @ v, rel=1e-6)
