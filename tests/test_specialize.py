"""Variants compiled for the shapes of array arguments: plain NumPy, same gradients."""

import gast
import numpy as np
import pytest

import tangentlike as tl
from tangentlike.analysis.shapes import (
    broadcast_shape,
    indexed_shape,
    matmul_shape,
    reduced_shape,
)
from tangentlike.api.check import numerical_grad
from tangentlike.call import arguments as calling


def layer(W, b, X):
    h = np.tanh(X @ W + b)
    return np.sum(h * h) / X.shape[0]


def bias_keepdims(x, b):
    return np.sum(np.sin(x * b) + x / (1.0 + b * b))


def mat_vec(A, v):
    return np.sum(np.tanh(A @ v))


def vec_mat(v, A):
    return np.sum(np.sin(v @ A))


def vec_vec(u, v):
    return np.tanh(u @ v)


def stacked(A, B):
    return np.sum(np.matmul(A, B) ** 2)


def rnn(W, xs, h):
    for t in range(3):
        h = np.tanh(xs[t] @ W + h)
    return np.sum(h)


def branch_shapes(x, flag):
    if flag > 0:
        y = np.sum(x, axis=0)
    else:
        y = x * 2.0
    return np.sum(y * y)


def reductions(x):
    m = np.mean(x, axis=1, keepdims=True)
    s = np.sum((x - m) ** 2, axis=(0, 1))
    return s + np.max(x, axis=-1).sum()


def rng_args(*shapes):
    r = np.random.default_rng(len(shapes))
    return [r.standard_normal(s) for s in shapes]


def assert_grads(f, args, wrt):
    got = tl.grad(f, wrt=wrt)(*args)
    got = got if isinstance(wrt, tuple) else (got,)
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    for g, i in zip(got, positions):
        want = numerical_grad(f, list(args), i)
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-7)
        assert np.shape(g) == np.shape(args[i])


CASES = [
    (layer, [(4, 3), (3,), (5, 4)], (0, 1)),
    (layer, [(4, 3), (1, 3), (5, 4)], (0, 1)),
    (layer, [(4, 3), (), (5, 4)], (0, 1)),
    (bias_keepdims, [(3, 4), (3, 1)], (0, 1)),
    (bias_keepdims, [(3, 4), (1, 4)], (0, 1)),
    (bias_keepdims, [(2, 3, 4), (4,)], (0, 1)),
    (bias_keepdims, [(3, 4), (3, 4)], (0, 1)),
    (mat_vec, [(3, 4), (4,)], (0, 1)),
    (vec_mat, [(3,), (3, 4)], (0, 1)),
    (vec_vec, [(5,), (5,)], (0, 1)),
    (stacked, [(2, 3, 4), (4, 2)], (0, 1)),
    (rnn, [(3, 3), (3, 2, 3), (2, 3)], (0, 1, 2)),
    (rnn, [(3, 3), (3, 2, 3), (3,)], (0, 1, 2)),
    (reductions, [(3, 4)], 0),
]


@pytest.mark.parametrize(
    "f, shapes, wrt", CASES, ids=lambda c: getattr(c, "__name__", None)
)
def test_shape_variants_match_finite_differences(f, shapes, wrt):
    assert_grads(f, rng_args(*shapes), wrt)


def test_branches_giving_a_name_two_shapes():
    x = rng_args((3, 4))[0]
    assert_grads(branch_shapes, [x, 1.0], 0)
    assert_grads(branch_shapes, [x, -1.0], 0)


def test_one_gradient_called_with_many_shapes():
    df = tl.grad(layer, wrt=(0, 1))
    for n in range(1, calling.MAX_SHAPE_VARIANTS + 4):  # past the cap: generic code
        W, b, X = rng_args((4, n), (n,), (2, 4))
        got = df(W, b, X)
        for g, i in zip(got, (0, 1)):
            np.testing.assert_allclose(
                g, numerical_grad(layer, [W, b, X], i), rtol=1e-5
            )


def test_variant_source_is_plain_numpy():
    arrays = (np.zeros((784, 512)), np.zeros(512), np.zeros((256, 784)))
    source = tl.getsource(tl.grad(layer, wrt=(0, 1)), args=arrays)
    for helper in ("unbroadcast", "matmul_lhs", "matmul_rhs", "sum_to"):
        assert helper not in source
    assert "np.add.reduce(b_add, axis=0)" in source
    assert "X.T @ b_add" in source
    assert "W.T" not in source  # the gradient of X is not asked for
    assert "_add = np.add(_matmul, b, out=_matmul)" in source
    assert "h = np.tanh(_add, out=_add)" in source


def variant_source(f, wrt, *arrays):
    return tl.getsource(tl.grad(f, wrt=wrt), args=arrays)


def test_no_in_place_write_across_dtypes():
    W, b, X = rng_args((4, 3), (3,), (5, 4))
    W32, X32 = W.astype(np.float32), X.astype(np.float32)
    assert "out=" not in variant_source(layer, 0, W32, b, X32).split("h = ")[0]
    assert "out=_matmul" in variant_source(layer, 0, W32, b.astype(np.float32), X32)
    got = tl.grad(layer)(W32, b, X32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(
        got, numerical_grad(layer, [W, b, X], 0), rtol=1e-3, atol=1e-4
    )


def test_no_in_place_write_into_a_saved_or_reread_value():
    W, xs, h = rng_args((3, 3), (3, 2, 3), (2, 3))
    source = variant_source(rnn, (0, 1, 2), W, xs, h)
    assert (
        "_add = np.add(_matmul, h, out=_matmul)" in source
    )  # made and read in one iteration
    assert (
        "out=h" not in source and "out=_item" not in source
    )  # saved for the sweep back


def reread(x, b):
    return np.sum(np.exp(x * b) * 3.0)


def test_a_temporary_the_adjoint_reads_keeps_its_buffer():
    x, b = rng_args((3, 4), (4,))
    source = variant_source(reread, (0, 1), x, b)
    assert "_exp = np.exp(_mul, out=_mul)" in source  # exp's adjoint reads _exp only
    assert "out=_exp" not in source
    assert_grads(reread, [x, b], (0, 1))


def test_rnn_variant_saves_no_shapes():
    source = tl.getsource(
        tl.grad(rnn, wrt=(0, 1, 2)), args=rng_args((3, 3), (3, 2, 3), (2, 3))
    )
    assert "np.shape" not in source and "sum_to" not in source
    assert "bW += _item.T @ b_add" in source


def test_integer_arrays_are_refused_on_the_fast_path():
    df = tl.grad(layer)
    W, b, X = rng_args((4, 3), (3,), (5, 4))
    df(W, b, X)
    with pytest.raises(tl.TangentlikeError, match="integer"):
        df(W.astype(int), b, X)


def test_float32_keeps_its_dtype():
    W, b, X = (a.astype(np.float32) for a in rng_args((4, 3), (3,), (5, 4)))
    gW, gb = tl.grad(layer, wrt=(0, 1))(W, b, X)
    assert gW.dtype == np.float32 and gb.dtype == np.float32


@pytest.mark.parametrize(
    "a, b, want",
    [
        ((3, 1), (4,), (3, 4)),
        ((), (2,), (2,)),
        ((2, 3), (3, 2), None),
        ((5, 1, 4), (3, 1), (5, 3, 4)),
    ],
)
def test_broadcast_shape(a, b, want):
    assert broadcast_shape(a, b) == want


@pytest.mark.parametrize(
    "a, b",
    [
        ((3, 4), (4, 5)),
        ((4,), (4, 5)),
        ((3, 4), (4,)),
        ((4,), (4,)),
        ((2, 3, 4), (4, 5)),
        ((7, 1, 3, 4), (2, 4, 5)),
    ],
)
def test_matmul_shape_agrees_with_numpy(a, b):
    assert matmul_shape(a, b) == np.matmul(np.ones(a), np.ones(b)).shape


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduced_shape_agrees_with_numpy(axis, keepdims):
    x = np.ones((2, 3, 4))
    assert (
        reduced_shape(x.shape, axis, keepdims)
        == np.sum(x, axis=axis, keepdims=keepdims).shape
    )


def mean_only(x):
    return np.mean(x)


def mean_squared(x):
    m = np.sum(x, axis=1, keepdims=True)
    return np.sum(m * m) + np.mean(x * x)


@pytest.mark.parametrize("f", [mean_only, mean_squared, reductions])
def test_reduction_gradients_keep_their_shape(f):
    x = rng_args((3, 4))[0]
    assert_grads(f, [x], 0)


def test_a_reduction_gradient_read_elementwise_stays_a_number():
    x = rng_args((3, 4))[0]
    source = variant_source(lambda x: np.mean(np.sin(x)), 0, x)
    assert "unreduce" not in source and "np.cos(x)" in source
    assert "unreduce" in variant_source(mean_only, 0, x)  # returned: broadcast to x


def test_getsource_of_the_variant_for_floats_and_the_general_code():
    df = tl.grad(layer)
    general = tl.getsource(df)
    assert "unbroadcast" in general
    assert (
        tl.getsource(df, args=[[1.0], 2.0, 3.0]) == general
    )  # a list: the general path
    scalar = tl.grad(lambda x, y: x * y + np.sin(x))
    assert "unbroadcast" in tl.getsource(scalar)
    floats = tl.getsource(scalar, args=(1.0, 2.0))
    assert "unbroadcast" not in floats and "np.cos(x)" in floats


def counted(x, n):
    h = x
    for _i in range(n):
        h = 0.5 * h + np.sin(h) * 0.1
    return np.sum(h)


def broken_loop(x):
    h = x
    for i in range(5):
        if i > 2:
            break
        h = np.sin(h) * 1.5
    return np.sum(h)


def nested(x):
    h = x
    for _i in range(3):
        for _j in range(2):
            h = np.tanh(h * 1.1)
    return np.sum(h)


def test_counted_loops_save_into_lists_in_variants_only():
    x = rng_args((3,))[0]
    df = tl.grad(counted)
    variant = tl.getsource(df, args=(x, 4))
    assert "_h_saved = [None] * n" in variant and "_stack" not in variant
    assert (
        "for h in reversed(_h_saved):" in variant
    )  # one value a step, read from the last
    assert "_stack.append(h)" in tl.getsource(df)  # the general code keeps its stack
    for n in (0, 1, 4):
        np.testing.assert_allclose(
            df(x, n), numerical_grad(counted, [x, n], 0), rtol=1e-6
        )
    assert "_stack" in tl.getsource(tl.grad(nested), args=(x,))  # nested: left alone
    assert_grads(nested, [x], 0)
    assert_grads(broken_loop, [x], 0)
    assert_grads(rnn, rng_args((3, 3), (3, 2, 3), (2, 3)), (0, 1, 2))


def counter_read(x, n):
    h = x
    for i in range(n):
        h = np.sin(h) * (i + 1.0)
    return np.sum(h)


def two_saved(x, n):
    h, c = x, x * 2.0
    for _i in range(n):
        c = np.cos(h) + c
        h = np.sin(c) * h
    return np.sum(h * c)


def test_a_reverse_loop_reads_its_saves_by_index_where_it_needs_the_counter():
    x = rng_args((3,))[0]
    for f, index in ((counter_read, "_h_saved[i]"), (two_saved, "_saved[_i]")):
        variant = tl.getsource(tl.grad(f), args=(x, 4))
        assert index in variant and "in reversed(_" not in variant
        for n in (0, 1, 4):
            assert_grads(f, [x, n], 0)


def user_names(x, w):
    y = x @ w
    z = y * 2.0
    return np.sum(np.tanh(z))


def test_in_place_writes_reach_adjoints_but_never_the_users_names():
    x, w = rng_args((4, 3), (3, 5))
    source = variant_source(user_names, (0, 1), x, w)
    assert "out=y" not in source and "out=z" not in source
    assert "by = np.multiply(bz, 2.0, out=bz)" in source
    assert_grads(user_names, [x, w], (0, 1))
    assert_grads(layer, rng_args((4, 3), (3,), (5, 4)), (0, 1, 2))


@pytest.mark.parametrize(
    "index",
    [
        "[1:-1]",
        "[::2]",
        "[-3:]",
        "[5:1]",
        "[:, None, :]",
        "[None]",
        "[2, 1:]",
        "[:, ::-2]",
        "[None, :, None, 1]",
        "[1:100]",
    ],
)
def test_indexed_shape_agrees_with_numpy(index):
    x = np.ones((4, 5, 3))
    node = gast.parse(f"x{index}").body[0].value
    items = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
    items = [
        None if isinstance(i, gast.Constant) and i.value is not None else i
        for i in items
    ]
    assert indexed_shape(x.shape, items) == eval(f"x{index}").shape


def stencil(u, kappa):
    for _ in range(3):
        lap = u[:-2] - 2.0 * u[1:-1] + u[2:]
        u_new = u.copy()
        u_new[1:-1] = u[1:-1] + kappa * lap
        u = u_new
    return np.sum(u * u)


def pair_energy(x):
    d = x[:, None, :] - x[None, :, :]
    return np.sum(1.0 / (np.sum(d * d, axis=-1) + 1.0))


def gates(z, c):
    i = np.tanh(z[:, :4])
    f = np.tanh(z[:, 4:])
    return np.sum(f * c + i * c[0])


@pytest.mark.parametrize(
    "f, shapes, wrt",
    [
        (stencil, [(9,), ()], (0, 1)),
        (pair_energy, [(5, 3)], 0),
        (gates, [(3, 8), (3, 4)], (0, 1)),
    ],
    ids=["stencil", "pair_energy", "gates"],
)
def test_slices_and_new_axes_have_known_shapes(f, shapes, wrt):
    args = rng_args(*shapes)
    args = [float(a) if np.ndim(a) == 0 else a for a in args]
    assert_grads(f, args, wrt)
    assert "unbroadcast" not in tl.getsource(tl.grad(f, wrt=wrt), args=tuple(args))


def shifted_square(x):
    y = np.zeros_like(x)
    y[1:] = x[:-1] ** 2
    return np.sum(y * y * x)


def read_before_written(x):
    y = np.copy(x)
    s = np.sum(y * y)
    y[1:] = x[:-1] * 3.0
    return s + np.sum(y * y * x)


def written_twice(x):
    y = x.copy()
    y[:2] = x[1:3] * 2.0
    y[1:] = np.sin(y[:-1])
    return np.sum(y * x)


@pytest.mark.parametrize(
    "f, restores",
    [
        (stencil, False),
        (shifted_square, False),
        (read_before_written, True),
        (written_twice, True),
    ],
)
def test_an_array_made_fresh_keeps_no_copy_of_what_it_overwrites(f, restores):
    """Nothing can read what an item assignment overwrote in an array made just
    before (np.copy, np.zeros_like) and read by nothing since: no copy, no restore."""
    x = rng_args((9,))[0]
    args = (x, 0.2) if f is stencil else (x,)
    wrt = (0, 1) if f is stencil else 0
    assert_grads(f, list(args), wrt)
    for source in (
        tl.getsource(tl.grad(f, wrt=wrt)),
        tl.getsource(tl.grad(f, wrt=wrt), args=args),
    ):
        assert ("_old" in source) is restores
    if f is stencil:  # the stencil's reverse sweep reads no saved array at all
        assert "_saved" not in tl.getsource(tl.grad(f), args=args)


def lorenz(s, k):
    x, y, z = s[0], s[1], s[2]
    return np.array([k[0] * (y - x), x * (k[1] - z) - y, x * y - k[2] * z])


def integrate(k, s):
    for _ in range(4):
        k1 = lorenz(s, k)
        s = s + 0.01 * (k1 + lorenz(s + 0.005 * k1, k))
    return np.sum(s * s)


def scaled(v, w):
    return np.sum(v * w) * w


def two_shapes(x, y):
    return np.sum(scaled(x, 2.0 * x)) + np.sum(scaled(y, y))  # (3,) and (2,)


def test_the_users_functions_are_specialised_for_the_shapes_they_are_called_with():
    """The shapes of a user function's results follow from its arguments', so the
    caller's variant knows them, and the function's backward half, called with one
    set of shapes, is compiled for them: no unbroadcast left in either."""
    k, s = np.array([10.0, 28.0, 8.0 / 3.0]), np.array([1.0, 1.0, 1.0])
    assert_grads(integrate, [k, s], (0, 1))
    df = tl.grad(integrate, wrt=(0, 1))
    got = df(k, s)
    general = tl.grad(integrate, wrt=(0, 1), optimize=False)(k, s)
    for g, h in zip(got, general):
        np.testing.assert_allclose(g, h, rtol=1e-13)
    assert "unbroadcast" not in tl.getsource(df, args=(k, s))


def test_a_function_called_with_two_shapes_keeps_its_general_code():
    x, y = rng_args((3,), (2,))
    assert_grads(two_shapes, [x, y], (0, 1))
    source = tl.getsource(tl.grad(two_shapes, wrt=(0, 1)), args=(x, y))
    assert "def _bwd_scaled" in source and "unbroadcast" in source.split("def d")[0]
