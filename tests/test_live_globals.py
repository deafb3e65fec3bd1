"""A global the function reads, rebound or updated after ``grad``: the gradient
sees it, as the function does, on every call path (never the value it had when
the code was generated)."""

import sys

import numpy as np
import pytest

import tangentlike as tl

SCALE = 2.0
WEIGHTS = np.array([1.0, 2.0])
SHIFT = 0.5
HERE = sys.modules[__name__]


def scaled(x):
    return np.sum(SCALE * x * x)


def weighted(x):
    return np.sum(WEIGHTS * x * x)


def shifted(x):
    return x * x + SHIFT * x


def calls_a_reader(x):
    SHIFT = 3.0 * x  # a local of this function; the callee reads the global
    return shifted(x) + SHIFT


def test_a_rebound_float_is_read_by_every_derivative(monkeypatch):
    df, vg, vjp, jvp = (
        tl.grad(scaled),
        tl.value_and_grad(scaled),
        tl.vjp(scaled),
        tl.jvp(scaled),
    )
    for _ in range(2):  # the first call compiles; the second runs the front's fast path
        assert df(1.5) == 6.0
    monkeypatch.setattr(HERE, "SCALE", 5.0)
    for _ in range(2):
        assert df(1.5) == 15.0
        assert vg(1.5) == (11.25, 15.0)
        assert vjp(1.5, 2.0) == 30.0
        assert jvp(1.5, 1.0) == 15.0
        assert tl.grad(scaled)(1.5) == 15.0
        np.testing.assert_array_equal(df(np.array([1.5, 1.0])), [15.0, 10.0])


def test_a_rebound_or_updated_array_is_read(monkeypatch):
    df = tl.grad(weighted)
    x = np.ones(2)
    for _ in range(2):
        np.testing.assert_array_equal(df(x), [2.0, 4.0])
    monkeypatch.setattr(HERE, "WEIGHTS", np.array([3.0, 3.0]))
    for _ in range(2):
        np.testing.assert_array_equal(df(x), [6.0, 6.0])
    WEIGHTS[0] = 10.0  # the array the global holds now, updated in place
    np.testing.assert_array_equal(df(x), [20.0, 6.0])


def test_a_global_read_by_a_callee_under_a_name_the_caller_uses_locally(monkeypatch):
    df = tl.grad(calls_a_reader)
    assert df(1.0) == pytest.approx(2.0 + 0.5 + 3.0)
    monkeypatch.setattr(HERE, "SHIFT", -1.0)
    for _ in range(2):
        assert df(1.0) == pytest.approx(2.0 - 1.0 + 3.0)


def test_higher_derivatives_read_the_global_too(monkeypatch):
    second = tl.grad(tl.grad(scaled))
    assert second(1.0) == 4.0
    monkeypatch.setattr(HERE, "SCALE", 7.0)
    for _ in range(2):
        assert second(1.0) == 14.0
    assert tl.hessian(scaled)(1.0) == 14.0


def test_a_deleted_global_fails_as_the_function_does(monkeypatch):
    df = tl.grad(scaled)
    df(1.0)
    monkeypatch.delattr(HERE, "SCALE")
    with pytest.raises(NameError, match="SCALE"):
        scaled(1.0)
    with pytest.raises(NameError, match="SCALE"):
        df(1.0)


def test_only_data_is_watched():
    """Modules and functions are resolved when grad transforms the code; a function
    reading none of the user's data pays nothing for the watch."""
    assert tl.grad(scaled).__tangentlike__.module.watch().watched[0][0] == "SCALE"
    watched = tl.grad(calls_a_reader).__tangentlike__.module.watch().watched
    assert [name for name, _, _ in watched] == ["SHIFT"]
    watched = tl.grad(shifted_twice).__tangentlike__.module.watch().watched
    assert watched == (("SHIFT", HERE.__dict__, "SHIFT"),)


def shifted_twice(x):
    return shifted(shifted(x))


def _sum_of_squares(t):
    return np.sum(t**2)


def _sum_of_cubes(t):
    return np.sum(t**3)


GRADIENT = None


def _sum_of_gradient(t):
    return np.sum(GRADIENT(t))


@pytest.mark.parametrize("disk", ["0", "1"])
def test_a_global_function_rebound_gets_a_new_transform(monkeypatch, disk):
    """A global name holding a function is resolved when grad transforms the code:
    after it is rebound, a new grad (of this function or of another closure of the
    same def) is made for the function it holds now, never the old one."""
    monkeypatch.setenv("TANGENTLIKE_DISK_CACHE", disk)
    x = np.array([1.0, 2.0])
    for f, want in ((_sum_of_squares, [2.0, 2.0]), (_sum_of_cubes, [6.0, 12.0])):
        monkeypatch.setattr(HERE, "GRADIENT", tl.grad(f))
        np.testing.assert_allclose(tl.grad(_sum_of_gradient)(x), want)
        h = lambda t: np.sum(GRADIENT(t))  # noqa: E731 (one def, made again each turn)
        np.testing.assert_allclose(tl.grad(h)(x), want)
