"""NumPy tangent templates: forward mode against central finite differences on the
reverse-mode case table, prod/cumprod at zeros in both modes, float32 in and out."""

import inspect
import math
import pathlib
import re

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

from .test_numpy_templates import CASES, case_id

rng = np.random.default_rng(1)


def direction(x):
    """A random tangent shaped like ``x`` (a float for a float)."""
    v = rng.uniform(-1.0, 1.0, np.shape(x))
    return float(v) if np.ndim(x) == 0 else v.astype(np.asarray(x).dtype)


def check_forward(f, args, i, rtol=1e-5, atol=1e-6):
    v = direction(args[i])
    got = tl.jvp(f, wrt=i)(*args, v)
    want = np.sum(numerical_grad(f, list(args), i) * v)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


# Known failures, marked strict xfail so that they report when fixed: none now.
KNOWN: dict[str, str] = {}


def params(cases, prefix=""):
    """The cases as pytest params, known failures marked xfail."""
    out = []
    for case in cases:
        reason = KNOWN.get(prefix + case[0].__name__)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(case, id=case_id(case), marks=marks))
    return out


@pytest.mark.parametrize("case", params(CASES))
def test_forward_matches_finite_differences(case):
    f, args, wrt = case
    for i in wrt:
        check_forward(f, args, i)


def _float32(a):
    if isinstance(a, float):
        return np.float32(a)
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return a.astype(np.float32)
    return a


@pytest.mark.parametrize("case", params(CASES[::2], "float32-"))
def test_forward_float32_in_float32_out(case):
    f, args, wrt = case
    args32 = [_float32(a) for a in args]
    dtype = np.asarray(f(*args32)).dtype
    for i in wrt:
        v = direction(args[i])
        got = tl.jvp(f, wrt=i)(*args32, _float32(v))
        assert np.asarray(got).dtype == dtype, f"argument {i}"
        want = tl.jvp(f, wrt=i)(*args, v)
        np.testing.assert_allclose(got, want, rtol=2e-2, atol=2e-3)


# products at zeros ---------------------------------------------------------------

ZEROS = [
    np.array([2.0, 0.0, 3.0, 0.5]),
    np.array([0.0, 0.0, 3.0, 0.5]),
    np.array([[1.5, 0.0, 2.0], [0.0, 0.0, 3.0], [1.0, 2.0, -3.0], [0.0, 1.0, 1.0]]),
    np.array(
        [[[0.0, 2.0], [1.0, 3.0]], [[2.0, 0.5], [0.0, 0.0]], [[1.0, -1.0], [2.0, 0.0]]]
    ),
]


def prod_axis(x, axis, keepdims):
    return np.sum(np.sin(np.prod(x, axis=axis, keepdims=keepdims)))


def cumprod_axis(x, axis):
    return np.sum(np.sin(np.cumprod(x, axis=axis)))


def _zero_cases():
    for x in ZEROS:
        axes = [None] + list(range(-x.ndim, x.ndim)) + ([(0, 2)] if x.ndim == 3 else [])
        for axis in axes:
            yield prod_axis, (x, axis, axis == 0)
            if not isinstance(axis, tuple):
                yield cumprod_axis, (x, axis)


ZERO_CASES = list(_zero_cases())


@pytest.mark.parametrize("case", ZERO_CASES, ids=[case_id((*c, 0)) for c in ZERO_CASES])
def test_products_at_zeros_both_modes(case):
    f, args = case
    got = tl.grad(f)(*args)
    want = numerical_grad(f, list(args), 0)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
    check_forward(f, args, 0, rtol=1e-6, atol=1e-8)


def test_prod_gradient_at_zeros_is_the_product_of_the_others():
    def f(x):
        return np.prod(x)

    x = np.array([2.0, 0.0, 3.0, 4.0])
    np.testing.assert_array_equal(tl.grad(f)(x), [0.0, 24.0, 0.0, 0.0])
    np.testing.assert_array_equal(
        tl.grad(f)(np.array([0.0, 0.0, 3.0])), [0.0, 0.0, 0.0]
    )
    assert tl.jvp(f)(x, np.array([0.0, 1.0, 0.0, 0.0])) == 24.0


def test_cumprod_gradient_at_zeros():
    def f(x):
        return np.sum(np.cumprod(x))

    x = np.array([2.0, 0.0, 3.0, 0.0, 5.0])
    # d/dx1 of 2 + 2*x1 + 2*x1*3 + 2*x1*3*x3 + ...: 2 + 6 at x3 = 0
    np.testing.assert_array_equal(tl.grad(f)(x), [1.0, 8.0, 0.0, 0.0, 0.0])
    assert tl.jvp(f)(x, np.array([0.0, 1.0, 0.0, 0.0, 0.0])) == 8.0


def test_products_at_zeros_float32():
    x = ZEROS[2].astype(np.float32)
    for f, args in [(prod_axis, (x, 0, False)), (cumprod_axis, (x, 1))]:
        g = tl.grad(f)(*args)
        t = tl.jvp(f)(*args, np.ones_like(x))
        assert g.dtype == np.float32 and np.asarray(t).dtype == np.float32
        np.testing.assert_allclose(t, np.sum(g), rtol=1e-5)


# tangents with other arguments ------------------------------------------------------


def fmax_nan(x, y):
    return np.sum(np.fmax(x, y) * np.fmin(y, x))


def average_returned(x, w):
    avg, total = np.average(x, axis=0, weights=w, returned=True)
    return np.sum(np.sin(avg) * total)


def svd_factors(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.sum(np.sin(u)) + np.sum(s * s) + np.sum(np.cos(vh))


def lstsq_all(a, b):
    x, res, rank, sv = np.linalg.lstsq(a, b, rcond=None)
    return np.sum(np.sin(x)) + np.sum(res) + np.sum(sv)


def cholesky_upper(a):
    return np.sum(np.sin(np.linalg.cholesky(a @ a.T + 4.0 * np.eye(3), upper=True)))


def unary_real(x):
    a = np.absolute(x) + np.arctan(x) + np.arcsinh(x) + np.cbrt(x + 2.0) + np.cosh(x)
    b = (
        np.deg2rad(x)
        + np.degrees(x)
        + np.exp2(x)
        + np.expm1(x)
        + np.fabs(x)
        + np.tan(x)
    )
    c = np.rad2deg(x) + np.radians(x) + np.sinh(x) + np.square(x) + np.negative(x)
    return np.sum(np.sin(a * b + c + np.positive(x) * np.copy(x)))


def unary_unit(x):
    return np.sum(np.arccos(x) * np.arcsin(x) + np.arctanh(x))


def unary_positive(x):
    a = np.log10(x) + np.log1p(x) + np.log2(x) + np.sqrt(x) + np.reciprocal(x)
    return np.sum(
        np.sin(a * np.arccosh(x + 1.0))
        + np.exp(x) * np.log(x)
        + np.power(x, 1.5) * np.tanh(x)
    )


def binary_core(x, y):
    a = np.add(x, y) * np.subtract(x, y) + np.divide(np.multiply(x, y), y + 3.0)
    return np.sum(np.sin(np.dot(a, y.T) + np.matmul(x, y.T))) + np.amax(x) * np.amin(y)


def scalar_math(x, y):
    a = math.acos(x) + math.asin(x) + math.atan(x) + math.atanh(x) + math.erf(x)
    b = (
        math.acosh(y + 1.0)
        + math.asinh(x)
        + math.cos(x)
        + math.cosh(x)
        + math.degrees(x)
    )
    c = math.exp(x) + math.expm1(x) + math.fabs(x) + math.log(y) + math.log10(y)
    e = math.log1p(y) + math.log2(y) + math.radians(x) + math.sin(x) + math.sinh(x)
    f = math.sqrt(y) + math.tan(x) + math.tanh(x) + math.atan2(x, y) + math.hypot(x, y)
    return a * b + c * e + f + math.pow(y, x) + abs(x) * float(y)


def scalar_special(x, y):
    g = math.lgamma(y + 1.0) * math.gamma(x + 2.0) + math.erfc(x)
    return g + math.fsum([x * y, y, x])


def pad_reflect(a):
    return np.sum(
        np.sin(np.pad(a, ((1, 2), (0, 1)), mode="reflect"))
        * np.arange(30.0).reshape(6, 5)
    )


def atleast(a):
    return np.sum(np.atleast_2d(np.atleast_1d(a)) * 2.0)


def array_edits(a, b):
    g = np.gradient(a * b, 0.5) + np.nan_to_num(a * a)
    e = np.insert(np.delete(g, 1), 2, b[0] * 3.0)
    return np.sum(e * e) + np.vecdot(a, b) + np.sum(np.cumulative_sum(a * b) * b)


R = np.random.default_rng(2)
EXTRA = [
    (array_edits, (R.uniform(-1, 1, 5), R.uniform(-1, 1, 5)), (0, 1)),
    (fmax_nan, (np.array([1.0, np.nan, 3.0]), np.array([np.nan, 2.0, 1.0])), (0, 1)),
    (average_returned, (R.uniform(-1, 1, (3, 4)), R.uniform(0.5, 1.5, 3)), (0, 1)),
    (svd_factors, (R.uniform(-1, 1, (4, 3)),), (0,)),
    (svd_factors, (R.uniform(-1, 1, (2, 3)),), (0,)),
    (svd_factors, (R.uniform(-1, 1, (3, 3)),), (0,)),
    (lstsq_all, (R.uniform(-1, 1, (5, 3)), R.uniform(-1, 1, (5, 2))), (0, 1)),
    (cholesky_upper, (R.uniform(-1, 1, (3, 3)),), (0,)),
    (pad_reflect, (R.uniform(-1, 1, (3, 4)),), (0,)),
    (atleast, (0.7,), (0,)),
    (unary_real, (R.uniform(-1, 1, (2, 3)),), (0,)),
    (unary_unit, (R.uniform(-0.9, 0.9, (4,)),), (0,)),
    (unary_positive, (R.uniform(0.5, 1.5, (3, 2)),), (0,)),
    (binary_core, (R.uniform(-1, 1, (2, 3)), R.uniform(-1, 1, (2, 3))), (0, 1)),
    (scalar_math, (0.3, 0.8), (0, 1)),
    (scalar_special, (0.3, 0.8), (0, 1)),
]


@pytest.mark.parametrize("case", EXTRA, ids=[case_id(c) for c in EXTRA])
def test_forward_with_other_arguments(case):
    f, args, wrt = case
    for i in wrt:
        check_forward(f, args, i)


def test_every_forward_template_is_checked_here():
    """Each numpy/math row with a forward template is called in a case of this module
    or of the shared case table."""
    from tangentlike.api import supported as coverage

    from . import test_numpy_templates

    source = (
        inspect.getsource(test_numpy_templates) + pathlib.Path(__file__).read_text()
    )
    unchecked = []
    for name, _, forward in coverage.rows():
        module, _, attr = name.rpartition(".")
        if forward == "yes" and module in ("numpy", "numpy.linalg", "math"):
            alias = {"numpy": "np", "numpy.linalg": "np.linalg", "math": "math"}[module]
            if not re.search(rf"\b{re.escape(alias)}\.{attr}\(", source):
                unchecked.append(name)
    assert not unchecked, f"forward templates without a forward test: {unchecked}"
