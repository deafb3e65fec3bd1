"""Forward mode: every reverse-mode case has a forward twin that agrees with
finite differences (and with reverse mode)."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

from .corpus_control import CORPUS

FORWARD = [c for c in CORPUS if len(c) < 4 or c[3] is None]
IDS = [f"{c[0].__name__}-{k}" for k, c in enumerate(FORWARD)]


def directional(f, args, i, v):
    """Finite-difference derivative of ``f`` along ``v`` in argument ``i``."""
    eps = 1e-6
    plus, minus = list(args), list(args)
    plus[i] = np.asarray(args[i], dtype=float) + eps * v
    minus[i] = np.asarray(args[i], dtype=float) - eps * v
    return (np.asarray(f(*plus)) - np.asarray(f(*minus))) / (2 * eps)


@pytest.mark.usefixtures("debug_checks")
@pytest.mark.parametrize("case", FORWARD, ids=IDS)
def test_corpus_forward_matches_finite_differences(case):
    func, args = case[0], case[1]
    v = np.ones_like(np.asarray(args[0], dtype=float))
    v = float(v) if v.ndim == 0 else v
    got = tl.jvp(func)(*args, v)
    want = np.sum(numerical_grad(func, list(args), 0) * v)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def straight(x, y):
    z = np.sin(x) * y + x / (y + 2.0) - np.exp(-x) ** 2
    return np.tanh(z) @ x.T


def broadcasting(x, b):
    return np.sum((x + b) * np.maximum(x, 0.1) / np.mean(b))


def looped(x, n):
    s = x
    for _ in range(n):
        s = s * np.cos(s) + 0.5
    k = 0
    while k < 2:
        s = s - 0.1 * s**2
        k += 1
    return s


def branch(x):
    if x > 0.0:
        y = x**3
    else:
        y = -x
    return y


def callee(a, scale=2.0):
    return scale * np.sin(a) + a * a


def caller(x):
    return callee(x) * callee(x, scale=0.5)


def writes(x):
    out = np.zeros(3)
    out[0] = x[1] * 2.0
    out[1:] = np.sin(x[:2])
    return out * x


def unpacking(x):
    a, b = x[0], x[1]
    t = (a * b, a + b)
    p, q = t
    return p * q


def power(x, y):
    return x**y


VEC = np.array([0.3, -1.2, 0.8])
CASES = [
    (straight, (VEC, np.array([1.5, 0.2, -0.4]))),
    (
        broadcasting,
        (np.array([[0.5, 1.0, 2.0], [1.5, 0.2, -0.3]]), np.array([0.1, 0.7, 1.3])),
    ),
    (looped, (0.4, 3)),
    (branch, (0.7,)),
    (branch, (-0.7,)),
    (caller, (VEC,)),
    (writes, (VEC,)),
    (unpacking, (VEC,)),
    (power, (1.7, 2.3)),
]


@pytest.mark.parametrize(("func", "args"), CASES, ids=[c[0].__name__ for c in CASES])
def test_forward_twins(func, args):
    for i, x in enumerate(args):
        if isinstance(x, int):
            continue
        v = np.linspace(0.5, 1.5, np.size(x)).reshape(np.shape(x))
        v = float(v) if np.ndim(x) == 0 else v
        got = tl.jvp(func, wrt=i)(*args, v)
        np.testing.assert_allclose(
            got, directional(func, args, i, v), rtol=1e-5, atol=1e-6
        )


def test_power_in_exponent_both_modes():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")

    want = autograd.grad(lambda y: anp.power(1.7, y))(2.3)
    assert np.isclose(tl.grad(power, wrt=1)(1.7, 2.3), want)
    assert np.isclose(tl.jvp(power, wrt=1)(1.7, 2.3, 1.0), want)
    assert np.isclose(want, 1.7**2.3 * np.log(1.7))


def test_two_tangents_sum():
    x, y = VEC, np.array([1.5, 0.2, -0.4])
    vx, vy = np.ones(3), np.full(3, 0.5)
    got = tl.jvp(straight, wrt=(0, 1))(x, y, vx, vy)
    gx, gy = tl.grad(straight, wrt=(0, 1))(x, y)
    assert np.isclose(got, gx @ vx + gy @ vy)


def test_check_grads_forward_mode():
    tl.check_grads(straight, [VEC, np.array([1.5, 0.2, -0.4])], wrt=(0, 1))
    with pytest.raises(AssertionError):
        tl.check_grads(step, [0.5], modes=("forward",))


def step(x):
    return np.floor(x * 10.0) + x


def test_generated_code_is_readable():
    src = tl.getsource(tl.jvp(branch))
    assert "dy = dx * 3" in src or "dx * 3" in src
    assert "0.0 *" not in src and "* 0.0" not in src


def test_jacobian_of_vector_function():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")

    def ag(x):
        return anp.array([x[1] * 2.0, anp.sin(x[0]), anp.sin(x[1])]) * x

    want = autograd.jacobian(ag)(VEC)
    np.testing.assert_allclose(tl.jacobian(writes)(VEC), want, rtol=1e-10)
    wide = tl.jacobian(lambda_sum)(VEC)
    np.testing.assert_allclose(wide, np.cos(VEC), rtol=1e-10)


def lambda_sum(x):
    return np.sum(np.sin(x))


def test_forward_source_is_deterministic(tmp_path):
    script = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, %r)
        import tangentlike as tl
        from tests.test_forward import caller, looped
        print(tl.getsource(tl.jvp(caller)) + tl.getsource(tl.jvp(looped)))
        """
    ).replace("%r", repr(__file__.rsplit("/tests/", 1)[0]))
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        )
        for _ in range(2)
    ]
    assert runs[0].stdout == runs[1].stdout and "def jvp_caller" in runs[0].stdout


def test_missing_tangent_template_is_reported():
    with pytest.raises(tl.NoDerivativeError, match="no derivative for numpy.fft.fft"):
        tl.jvp(uses_cumsum)(VEC, VEC)


def uses_cumsum(x):
    return np.sum(np.abs(np.fft.fft(x)))


def concatenate_flat(a, b):
    return np.sum(np.sin(np.concatenate([a, b], axis=None)) * np.arange(12.0))


def test_axis_none_is_kept_where_it_is_not_the_default():
    a, b = np.full((2, 3), 0.3), np.full((2, 3), 0.2)
    tl.check_grads(concatenate_flat, (a, b), wrt=(0, 1), modes=("reverse", "forward"))
    assert "axis=None" in tl.getsource(tl.jvp(concatenate_flat))


def shifted_then_updated(a, c):
    t = a + c  # dt is da itself: the constant c adds nothing
    for i in range(2):
        t[i] = np.sin(t[i + 1]) * a[i]
    return np.sum(t * a)


def test_a_tangent_updated_in_place_is_a_copy_not_the_callers():
    """Found by the fuzzer: ``dt = da`` then ``dt[i] = ...`` changed the tangent the
    caller passed in (and any later read of ``da``)."""
    a = np.array([0.3, -0.5, 0.8])
    c = np.array([0.1, 0.2, 0.3])
    da = np.array([1.0, -2.0, 0.5])
    kept = da.copy()
    got = tl.jvp(shifted_then_updated)(a.copy(), c, da)
    np.testing.assert_array_equal(da, kept)
    want = np.sum(numerical_grad(shifted_then_updated, (a, c), 0) * da)
    assert got == pytest.approx(want, rel=1e-6)
    assert "owned(dt)" in tl.getsource(tl.jvp(shifted_then_updated))
