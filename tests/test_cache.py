"""The transform cache: functions held weakly (a dead function drops its transforms
and its closure's data), a bounded number kept, and one transform shared by the
closures of one ``def`` that close over data of the same kinds, each closure's
gradient reading its own data."""

import gc
import weakref

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api import cache


def make_loss(data):
    def loss(w):
        return np.sum((data @ w) ** 2)

    return loss


def make_act(act, scale):
    def f(x):
        return np.sum(act(x) * scale)

    return f


def truth(data, w):
    return 2 * data.T @ (data @ w)


def module_of(df):
    return df.__tangentlike__.module


def test_a_dead_function_drops_its_transform_and_data():
    data = np.full((1000, 5), 0.5)
    alive = weakref.ref(data)
    f = make_loss(data)
    np.testing.assert_allclose(tl.grad(f)(np.ones(5)), truth(data, np.ones(5)))
    before = cache.cached_functions()
    del f, data
    gc.collect()
    assert alive() is None and cache.cached_functions() == before - 1


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(cache, "MAX_FUNCTIONS", 3)
    keep = [make_loss(np.eye(5) * k) for k in range(1, 6)]
    for f in keep:
        tl.grad(f)
    assert cache.cached_functions() <= 3


def test_closures_of_one_def_share_a_transform_and_read_their_own_data():
    w = np.linspace(0.5, 1.5, 5)
    rng = np.random.default_rng(0)
    datas = [rng.standard_normal((3, 5)) for _ in range(20)]
    grads = [tl.grad(make_loss(d)) for d in datas]
    assert len({id(module_of(g)) for g in grads}) == 1
    for _ in range(2):  # the first call inlines; the second runs the fast path
        for d, g in zip(datas, grads):
            np.testing.assert_allclose(g(w), truth(d, w))
    for d in datas[:3]:
        got = tl.jvp(make_loss(d))(w, np.ones(5))
        np.testing.assert_allclose(got, np.sum(truth(d, w)))
        np.testing.assert_allclose(tl.hessian(make_loss(d))(w), 2 * d.T @ d)


def test_closures_over_other_functions_or_kinds_do_not_share():
    x = np.array([0.3, -0.7])
    tanh, sine = make_act(np.tanh, 2.0), make_act(np.sin, 2.0)
    assert module_of(tl.grad(tanh)) is not module_of(tl.grad(sine))
    np.testing.assert_allclose(tl.grad(tanh)(x), 2.0 * (1 - np.tanh(x) ** 2))
    np.testing.assert_allclose(tl.grad(sine)(x), 2.0 * np.cos(x))
    scaled = make_act(np.sin, np.array([1.0, 3.0]))
    assert module_of(tl.grad(scaled)) is not module_of(tl.grad(sine))
    np.testing.assert_allclose(tl.grad(scaled)(x), np.array([1.0, 3.0]) * np.cos(x))


@pytest.mark.parametrize("kind", ["grad", "value_and_grad", "vjp"])
def test_every_kind_of_derivative_reads_its_closure(kind):
    w = np.ones(5)
    for k in (1.0, 2.0):
        d = np.eye(5)[:3] * k
        make = getattr(tl, kind)(make_loss(d))
        got = make(w, 1.0) if kind == "vjp" else make(w)
        got = got[1] if kind == "value_and_grad" else got
        np.testing.assert_allclose(got, truth(d, w))
