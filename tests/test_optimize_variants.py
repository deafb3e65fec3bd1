"""Rewrites of variants compiled for known shapes: what the generated code frees,
saves and computes once, on the generated code and on numbers against central
differences."""

import numpy as np

import tangentlike as tl
from tangentlike.api.check import numerical_grad

RNG = np.random.default_rng(3)


def variant(f, *args, wrt=0):
    """The variant's source of ``f``'s gradient, once it agrees with central
    differences at ``args``."""
    df = tl.grad(f, wrt=wrt)
    np.testing.assert_allclose(
        df(*args), numerical_grad(f, list(args), wrt), rtol=1e-6, atol=1e-8
    )
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


def pair_energy(x):
    d = x[:, None, :] - x[None, :, :]
    r2 = np.sum(d * d, axis=-1) + 1.0
    return np.sum(1.0 / r2)


def test_a_reductions_gradient_over_an_axis_is_a_view_and_its_input_is_freed():
    x = RNG.normal(size=(7, 3))
    lines = [line.strip() for line in variant(pair_energy, x).splitlines()]
    assert "b_mul = np.expand_dims(br2, -1)" in lines  # not unreduce(br2, _mul, -1)
    # d * d is read for its shape no more: freed once summed
    assert lines.index("del _mul") < lines.index("_div = 1.0 / r2")


def test_gradients_rebound_and_negated_in_their_own_arrays():
    x = RNG.normal(size=(7, 3))
    source = variant(pair_energy, x)
    assert "bd = np.add(bd, bd, out=bd)" in source
    assert "np.add.reduce(np.negative(bd, out=bd), axis=0, keepdims=True)" in source


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
