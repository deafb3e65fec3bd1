"""A dict of arrays passed as an argument (a model's parameters): the variant knows
its items' shapes and dtypes, so its helpers become plain NumPy and its gradient
is written as a dict; right against central differences, for every item, in
float64 and float32, for dicts that change between calls and dicts the short
form does not cover."""

import numpy as np
import pytest

import tangentlike as tl
from benchmarks.workloads import _mlp_dict_args, mlp_dict

RNG = np.random.default_rng(5)


def central_differences(f, params, rest, eps=1e-6) -> dict:
    """The gradient of ``f(params, *rest)`` w.r.t. each item of ``params``, entry
    by entry, in float64."""
    out = {}
    for key, value in params.items():
        grad = np.zeros(value.shape)
        for idx in np.ndindex(value.shape):
            moved = []
            for step in (eps, -eps):
                item = value.astype(float)
                item[idx] += step
                moved.append(f({**params, key: item}, *rest))
            grad[idx] = (moved[0] - moved[1]) / (2 * eps)
        out[key] = grad
    return out


def check(f, params, *rest, rtol=1e-6):
    df = tl.grad(f)
    got = df(params, *rest)
    want = central_differences(f, params, rest)
    assert list(got) == list(params)
    for key in params:
        assert got[key].shape == params[key].shape
        assert got[key].dtype == params[key].dtype
        np.testing.assert_allclose(got[key], want[key], rtol=rtol, atol=1e-8)
    return tl.getsource(df, args=(params, *rest))


def test_the_mlp_variant_writes_its_gradient_as_a_dict():
    params, x, y = _mlp_dict_args()
    source = check(mlp_dict, params, x, y)
    assert "bparams = {'W1': b_item, 'b1': b_item2, 'W2': b_item3, 'b2': b_item4}" in (
        source
    )
    for helper in ("add_at", "unbroadcast", "matmul_lhs", "matmul_rhs", "unreduce"):
        assert helper not in source


def test_float32_items_keep_their_dtype():
    params, x, y = _mlp_dict_args()
    params32 = {k: v.astype(np.float32) for k, v in params.items()}
    got = tl.grad(mlp_dict)(params32, x.astype(np.float32), y.astype(np.float32))
    want = central_differences(mlp_dict, params, (x, y))
    for key in params:
        assert got[key].dtype == np.float32
        np.testing.assert_allclose(got[key], want[key], rtol=2e-3, atol=1e-4)


def test_other_shapes_and_keys_take_their_own_variant():
    df = tl.grad(mlp_dict)
    params, x, y = _mlp_dict_args()
    df(params, x, y)
    wider = {
        "W1": RNG.normal(size=(4, 5)),
        "b1": RNG.normal(size=5),
        "W2": RNG.normal(size=(5, 1)),
        "b2": RNG.normal(size=1),
        "unused": RNG.normal(size=3),  # not read: its gradient is zeros
    }
    got = df(wider, x, y)
    want = central_differences(mlp_dict, wider, (x, y))
    for key in wider:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-6, atol=1e-8)
    assert not np.any(got["unused"])


def read_twice(params, x):
    a = x @ params["w"]
    return np.sum(np.sin(a) * (a @ params["m"])) + np.sum(params["w"] ** 2)


def test_an_item_read_twice_adds_its_gradients():
    params = {"w": RNG.normal(size=(3, 2)), "m": RNG.normal(size=(2, 2))}
    source = check(read_twice, params, RNG.normal(size=(4, 3)))
    assert "add_at(" in source  # two gradients for "w": added, not written once


def with_a_number(params, x):
    return np.sum(np.tanh(x * params["w"])) * params["scale"]


@pytest.mark.parametrize("scale", [2.0, np.array(2.0)])
def test_a_dict_holding_a_number_or_a_0d_array(scale):
    params = {"w": RNG.normal(size=3), "scale": scale}
    df = tl.grad(with_a_number)
    x = RNG.normal(size=3)
    got = df(params, x)
    want = central_differences(
        with_a_number, {k: np.asarray(v, dtype=float) for k, v in params.items()}, (x,)
    )
    np.testing.assert_allclose(got["w"], want["w"], rtol=1e-6)
    assert float(got["scale"]) == pytest.approx(float(want["scale"]), rel=1e-6)
