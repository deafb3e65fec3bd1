"""Rewrites of variants compiled for known shapes: what the generated code frees,
saves and computes once, on the generated code and on numbers against central
differences."""

import re
import textwrap

import gast
import numpy as np

import tangentlike as tl
from tangentlike.analysis.shapes import ConcreteShapes
from tangentlike.api.check import numerical_grad
from tangentlike.codegen.render import to_source
from tangentlike.optimize.inplace import DTypes, write_in_place

RNG = np.random.default_rng(3)


def variant(f, *args, wrt=0):
    """The variant's source of ``f``'s gradient, once it agrees with central
    differences at ``args``."""
    df = tl.grad(f, wrt=wrt)
    got = df(*args) if isinstance(wrt, tuple) else (df(*args),)
    for g, i in zip(got, wrt if isinstance(wrt, tuple) else (wrt,)):
        want = numerical_grad(f, list(args), i)
        np.testing.assert_allclose(g, want, rtol=1e-6, atol=1e-8)
    return tl.getsource(df, args=args)


def scaled_exp(z):
    a = z * 3.0
    q = np.exp(a)
    return np.sum(q * z)


def test_a_variant_frees_the_users_arrays_it_no_longer_reads():
    z = 0.3 * RNG.normal(size=(6, 4))
    lines = [line.strip() for line in variant(scaled_exp, z).splitlines()]
    # a is read by nothing after q is made (exp's gradient reads q): freed there
    assert lines[lines.index("q = np.exp(a)") + 1] == "del a"
    general = tl.getsource(tl.grad(scaled_exp))
    assert "del a" not in general  # the general code frees only temporaries


def pair_sums(x):
    d = x[:, None, :] - x[None, :, :]
    r2 = np.sum(d * d, axis=1) + 1.0  # over the points: the chain rule
    return np.sum(1.0 / r2)


def test_a_reductions_gradient_over_an_axis_is_a_view_and_its_input_is_freed():
    x = RNG.normal(size=(7, 3))
    lines = [line.strip() for line in variant(pair_sums, x).splitlines()]
    assert "b_mul = np.expand_dims(br2, 1)" in lines  # not unreduce(br2, _mul, 1)
    # d * d is read for its shape no more: freed once summed
    assert lines.index("del _mul") < lines.index("_div = 1.0 / r2")


def test_a_gradient_rebound_by_what_reads_it_is_written_in_its_own_array():
    x = RNG.normal(size=(7, 3))
    assert "bd = np.add(bd, bd, out=bd)" in variant(pair_sums, x)


def test_a_negation_read_last_by_a_sum_is_made_in_place():
    func = gast.parse(
        textwrap.dedent("""
        def f(a, b):
            g = a * b
            h = np.sum(g, axis=1)
            s = np.sum(-g, axis=0)
            return h, s
        """)
    ).body[0]
    shapes = {"a": (3, 4), "b": (3, 4)}
    known = ConcreteShapes(func, shapes)
    kinds = DTypes(known, {n: np.dtype(np.float64) for n in shapes})
    assert write_in_place(func, known, kinds, "np")
    assert "s = np.sum(np.negative(g, out=g), axis=0)" in to_source([func], [])


def read_again(x):
    d = x[:, None, :] - x[None, :, :]
    e = d * d
    return np.sum(np.sum(e, axis=-1) * np.sum(d, axis=0)[None, :, 0]) + np.sum(e)


def test_no_array_written_that_is_read_again():
    x = RNG.normal(size=(5, 3))
    source = variant(read_again, x)
    float32 = tl.grad(read_again)(x.astype(np.float32))
    assert float32.dtype == np.float32
    np.testing.assert_allclose(float32, tl.grad(read_again)(x), rtol=1e-4, atol=1e-5)
    assert "out=d" not in source and "out=e" not in source  # the user's names


def lorenz(s, k):
    x, y, z = s[0], s[1], s[2]
    return np.array([k[0] * (y - x), x * (k[1] - z) - y, x * y - k[2] * z])


def steps(k, s):
    for _ in range(3):
        s = s + 0.01 * lorenz(s + 0.005 * lorenz(s, k), k)
    return np.sum(s * s)


def test_a_user_functions_backward_half_takes_items_of_the_gradient_and_makes_zeros():
    k, s = np.array([10.0, 28.0, 8.0 / 3.0]), np.array([1.0, 1.0, 1.0])
    source = variant(steps, k, s)
    backward = source.split("def _bwd_lorenz")[1].split("\ndef ")[0]
    # np.array([...])'s gradient is the items of b_result, not a list of them
    assert "array_grad" not in backward and "b_result[0]" in backward
    assert "np.zeros((3,))" in backward and "zeros_like" not in backward
    df = tl.grad(steps, wrt=(0, 1))
    for got, want in zip(df(k, s), tl.grad(steps, wrt=(0, 1), optimize=False)(k, s)):
        np.testing.assert_array_equal(got, want)


def test_a_user_functions_halves_save_only_what_the_backward_half_reads():
    k, s = np.array([10.0, 28.0, 8.0 / 3.0]), np.array([1.0, 1.0, 1.0])
    source = variant(steps, k, s, wrt=(0, 1))
    backward = source.split("def _bwd_lorenz")[1].split("\ndef ")[0]
    unpacked = backward.splitlines()[1].split("=")[0].replace(" ", "").split(",")
    body = "\n".join(backward.splitlines()[2:])
    assert all(re.search(rf"\b{name}\b", body) for name in unpacked if name)
    assert "_list" not in unpacked  # np.array's list: read by no backward step
    general = tl.getsource(tl.grad(steps, wrt=(0, 1)))
    assert "_list" in general.split("def _bwd_lorenz")[1].splitlines()[1]  # its own
    df = tl.grad(steps, wrt=(0, 1))
    for got, want in zip(df(k, s), tl.grad(steps, wrt=(0, 1), optimize=False)(k, s)):
        np.testing.assert_array_equal(got, want)


def test_zeros_of_a_dtype_only_the_array_knows_take_it():
    k, s = np.array([10.0, 28.0, 8.0 / 3.0]), np.array([1.0, 1.0, 1.0])
    k32, s32 = k.astype(np.float32), s.astype(np.float32)
    df = tl.grad(steps)
    backward = tl.getsource(df, args=(k32, s32)).split("def _bwd_lorenz")[1]
    assert "np.zeros((3,), k.dtype)" in backward  # float32 zeros, never float64
    got = df(k32, s32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, df(k, s), rtol=1e-4)


def reshaped(x, w):
    n = x.shape[0]
    h = x.reshape(n, -1) @ w
    g = np.reshape(h, (-1,))
    return np.sum(np.tanh(g) * h.reshape(-1))


def test_shapes_follow_reshapes():
    x, w = RNG.normal(size=(4, 2, 3)), RNG.normal(size=(6, 5))
    source = variant(reshaped, x, w, wrt=(0, 1))
    for helper in ("unbroadcast", "unreduce", "matmul_lhs", "matmul_rhs"):
        assert helper not in source
    # the shapes the gradients are put back into are numbers, not arrays kept
    assert "bx = np.reshape(b_reshape, (4, 2, 3))" in source
    assert "np.shape(" not in source
    df = tl.grad(reshaped, wrt=(0, 1))
    for got, want in zip(df(x, w), tl.grad(reshaped, wrt=(0, 1), optimize=False)(x, w)):
        np.testing.assert_array_equal(got, want)


def test_a_reshape_numpy_refuses_gives_no_shape():
    from tangentlike.analysis.shape_values import reshaped as shape_of

    assert shape_of((4, 6), (3, -1)) == (3, 8)
    assert shape_of((4, 6), (5, -1)) is None  # 24 is no multiple of 5
    assert shape_of((4, 6), (-1, -1)) is None
    assert shape_of((4, 6), (2, 12)) == (2, 12)
    assert shape_of((4, 6), (2, 10)) is None
    assert shape_of((0, 6), (0, -1)) is None  # NumPy cannot tell -1 here
    for shape, dims in [((4, 6), (3, -1)), ((2, 3, 4), (-1,)), ((5,), (1, 5, 1))]:
        assert shape_of(shape, dims) == np.zeros(shape).reshape(dims).shape


def test_no_negation_in_place_of_an_array_another_name_holds():
    from tangentlike.optimize.inplace import _escaping

    stmt = gast.parse("s = np.add.reduce(-g, axis=0) + np.sum(h * 2.0) + f(k)")
    assert _escaping(stmt.body[0], "np") - {"np"} == {"f", "k"}
    for source in ("y = g", "t = (g, h)", "z = np.reshape(g, (2, 3))"):
        assert "g" in _escaping(gast.parse(source).body[0], "np")
