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
