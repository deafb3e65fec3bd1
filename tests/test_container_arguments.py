"""Lists, tuples and dicts of arrays as arguments and as values: the gradient of a
list of weights is a list of arrays (ragged or not), a dict's is a dict, and items
set, added to or looped over get their share."""

from collections import namedtuple

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

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

    return {
        k: numerical_grad(lambda a, k=k: f(replaced(k, a), *rest), (items[k],), 0)
        for k in keys
    }


@pytest.mark.parametrize(
    ("f", "items"),
    [
        (layers, WS),
        (layers, tuple(WS)),
        (affine, [WS[0], np.ones(4)]),
        (affine, (WS[0], np.ones(4))),
    ],
)
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
    np.testing.assert_allclose(
        got, numerical_grad(layers, (w, X3), 0), rtol=1e-6, atol=1e-8
    )


@pytest.mark.parametrize("f", [by_items, by_values, by_keys])
def test_loops_over_a_dict(f):
    want = item_grads(f, PARAMS, (X2,))
    for _ in range(2):
        got = tl.grad(f)(PARAMS, X2)
        assert type(got) is dict and set(got) == set(PARAMS)
        for k in PARAMS:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(
        tl.grad(f, wrt=1)(PARAMS, X2), numerical_grad(f, (PARAMS, X2), 1), rtol=1e-6
    )


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


def by_index(ws, x):
    return np.sum(ws[1] @ (ws[0] @ x))


def pairs_but_last(layers, x):
    h = x
    for w, b in layers[:-1]:
        h = np.tanh(w @ h + b)
    w, b = layers[-1]
    return np.sum((w @ h + b) ** 2)


def pairs_by_index(layers, x):
    h = x
    for i in range(len(layers)):
        h = np.tanh(layers[i][0] @ h + layers[i][1])
    return np.sum(h**2)


Layer = namedtuple("Layer", "w b")


def by_attribute(layers, x):
    h = x
    for layer in layers:
        h = np.tanh(layer.w @ h + layer.b)
    return np.sum(h**2)


def nested(p, x):
    enc = p["enc"]
    h = np.tanh(enc[0] @ x + enc[1])
    return np.sum(p["dec"]["w"] * h)


W1, B1 = RNG.standard_normal((4, 3)), RNG.standard_normal(4)
W2, B2 = RNG.standard_normal((2, 4)), RNG.standard_normal(2)


def leaves(tree):
    if isinstance(tree, dict):
        return [leaf for k in sorted(tree) for leaf in leaves(tree[k])]
    if isinstance(tree, (list, tuple)):
        return [leaf for v in tree for leaf in leaves(v)]
    return [tree]


def rebuilt(tree, items):
    if isinstance(tree, dict):
        return {k: rebuilt(tree[k], items) for k in sorted(tree)}
    if isinstance(tree, (list, tuple)):
        parts = [rebuilt(v, items) for v in tree]
        return type(tree)._make(parts) if hasattr(tree, "_make") else type(tree)(parts)
    return next(items)


def same_structure(a, b) -> bool:
    if isinstance(a, dict):
        return (
            type(b) is dict
            and set(a) == set(b)
            and all(same_structure(a[k], b[k]) for k in a)
        )
    if isinstance(a, (list, tuple)):
        return (
            type(a) is type(b) and len(a) == len(b) and all(map(same_structure, a, b))
        )
    return np.shape(a) == np.shape(b)


@pytest.mark.parametrize(
    ("f", "tree"),
    [
        (by_index, [W1, W2]),
        (by_index, (W1, W2)),
        (by_index, [W1[:3], W1[1:]]),
        (pairs_but_last, [(W1, B1), (W2, B2)]),
        (pairs_by_index, [(W1, B1), (W2, B2)]),
        (by_attribute, [Layer(W1, B1), Layer(W2, B2)]),  # namedtuples in a list
        (pairs_but_last, [Layer(W1, B1), Layer(W2, B2)]),
        (nested, {"enc": (W1, B1), "dec": {"w": np.ones(4)}}),
    ],
)
def test_nested_containers_of_arrays_get_gradients_of_their_structure(f, tree):
    parts = leaves(tree)
    for _ in range(2):
        got = tl.grad(f)(tree, X3)
        assert same_structure(tree, got)
        for k, g in enumerate(leaves(got)):

            def one(a, k=k):
                return f(rebuilt(tree, iter(parts[:k] + [a] + parts[k + 1 :])), X3)

            np.testing.assert_allclose(
                g, numerical_grad(one, (parts[k],), 0), rtol=1e-6, atol=1e-8
            )


def square(a):
    return a * a


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_0d_array_gets_a_0d_array(dtype):
    got = tl.grad(square)(np.array(0.5, dtype))
    assert (
        type(got) is np.ndarray
        and got.shape == ()
        and got.dtype == dtype
        and got == 1.0
    )
