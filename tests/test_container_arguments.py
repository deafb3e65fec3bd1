"""Lists, tuples and dicts of arrays as arguments and as values: the gradient of a
list of weights is a list of arrays (ragged or not), a dict's is a dict, and items
set, added to or looped over get their share."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.check import numerical_grad

RNG = np.random.default_rng(0)
WS = [RNG.standard_normal((4, 3)), RNG.standard_normal((2, 4))]
X3 = RNG.standard_normal(3)
PARAMS = {"a": np.array([1.0, 2.0]), "b": np.array([0.5, -1.0])}
X2 = np.array([0.3, 0.7])


def layers(ws, x):
    h = x
    for w in ws:
        h = np.tanh(w @ h)
    return np.sum(h**2)


def affine(params, x):
    w, b = params
    return np.sum((w @ x + b) ** 2)


def by_items(params, x):
    s = 0.0
    for k, v in params.items():
        s = s + np.sum(v * x) * (2.0 if k == "a" else 1.0)
    return s


def by_values(params, x):
    s = 0.0
    for v in params.values():
        s = s + np.sum(v**2 * x)
    return s


def by_keys(params, x):
    s = 0.0
    for k in params.keys():
        s = s + np.sum(params[k] * x)
    return s


def item_grads(f, items, rest):
    """Finite differences of ``f`` in each item of the container ``items``."""
    keys = items.keys() if isinstance(items, dict) else range(len(items))

    def replaced(k, a):
        new = dict(items) if isinstance(items, dict) else list(items)
        new[k] = a
        return new if isinstance(items, dict) else type(items)(new)

    return {k: numerical_grad(lambda a, k=k: f(replaced(k, a), *rest), (items[k],), 0)
            for k in keys}  # fmt: skip


@pytest.mark.parametrize(
    ("f", "items"),
    [(layers, WS), (layers, tuple(WS)), (affine, [WS[0], np.ones(4)]),
     (affine, (WS[0], np.ones(4)))],
)  # fmt: skip
def test_a_list_or_tuple_of_arrays_gets_one_of_gradients(f, items):
    rest = (X3,)
    want = item_grads(f, items, rest)
    for _ in range(2):
        got = tl.grad(f)(items, *rest)
        assert type(got) is type(items) and len(got) == len(items)
        for k, g in enumerate(got):
            np.testing.assert_allclose(g, want[k], rtol=1e-6, atol=1e-8)


def test_an_array_iterated_by_rows_still_gets_an_array():
    w = RNG.standard_normal((3, 3, 3))
    got = tl.grad(layers)(w, X3)
    assert isinstance(got, np.ndarray)
    np.testing.assert_allclose(got, numerical_grad(layers, (w, X3), 0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", [by_items, by_values, by_keys])
def test_loops_over_a_dict(f):
    want = item_grads(f, PARAMS, (X2,))
    for _ in range(2):
        got = tl.grad(f)(PARAMS, X2)
        assert type(got) is dict and set(got) == set(PARAMS)
        for k in PARAMS:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(tl.grad(f, wrt=1)(PARAMS, X2),
                               numerical_grad(f, (PARAMS, X2), 1), rtol=1e-6)  # fmt: skip


def new_key(x):
    d = {"a": x}
    d["b"] = x * 3.0
    return d["a"] * d["b"]


def added_to_in_a_loop(x):
    d = {"s": 0.0}
    for i in range(3):
        d["s"] += x**i
    return d["s"]


def list_item_replaced(x):
    xs = [x, x * 2.0]
    xs[1] = x**3
    return xs[0] * xs[1]


@pytest.mark.parametrize("f", [new_key, added_to_in_a_loop, list_item_replaced])
def test_items_set_in_a_dict_or_list(f):
    for x in (0.7, -1.3):
        want = numerical_grad(f, (x,), 0)
        assert tl.grad(f)(x) == pytest.approx(want, rel=1e-6)
        assert tl.grad(f)(x) == pytest.approx(want, rel=1e-6)
