"""The library corpus (tests/library_corpus.py): real calls of NumPy's and SciPy's
functions, differentiated in reverse and forward mode and checked against central
finite differences in float64; where the derivative is itself in the tables, the
Hessian (forward over reverse) is checked against second differences of the
function."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike import template as tpl
from tangentlike.analysis.callees import source_function
from tangentlike.api import supported
from tangentlike.api.check import numerical_grad

from .library_corpus import NUMPY, SOURCE

try:
    from .library_corpus_scipy import SCIPY
except ImportError:  # SciPy is optional: its part is skipped, not failed
    SCIPY = []

CORPUS = NUMPY + SCIPY
IDS = [f"{name}:{f.__name__}" for name, _, f, _, _ in CORPUS]


def hessian_by_differences(f, x, h=1e-4):
    """Central second differences of ``f`` itself, in float64."""
    n = x.size
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            total = 0.0
            for si, sj, sign in ((1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)):
                v = x.copy()
                v[i] += si * h
                v[j] += sj * h
                total += sign * f(v)
            out[i, j] = total / (4 * h * h)
    return out


@pytest.mark.parametrize("case", CORPUS, ids=IDS)
def test_reverse_mode(case):
    _, _, f, x, _ = case
    want = numerical_grad(f, [x], 0)
    np.testing.assert_allclose(tl.grad(f)(x), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CORPUS, ids=IDS)
def test_forward_mode(case):
    _, _, f, x, _ = case
    direction = np.linspace(0.5, -0.8, x.size)
    eps = 1e-6
    want = (f(x + eps * direction) - f(x - eps * direction)) / (2 * eps)
    np.testing.assert_allclose(tl.jvp(f)(x, direction), want, rtol=1e-5, atol=1e-6)


SECOND = [c for c in CORPUS if c[4]]


@pytest.mark.parametrize("case", SECOND, ids=[i for i, c in zip(IDS, CORPUS) if c[4]])
def test_second_order(case):
    _, _, f, x, _ = case
    want = hessian_by_differences(f, x)
    scale = max(1.0, np.max(np.abs(want)))
    np.testing.assert_allclose(tl.hessian(f)(x), want, rtol=1e-4, atol=1e-5 * scale)


def test_the_corpus_is_large_enough():
    source = {n for n, how, *_ in NUMPY if how == SOURCE}
    assert len(CORPUS) >= 80 and len(source) >= 30
    if SCIPY:
        assert len(SCIPY) >= 30


@pytest.mark.parametrize("case", CORPUS, ids=IDS)
def test_each_call_is_differentiated_the_way_it_says(case):
    name, how, *_ = case
    primal = supported.resolve(name)
    has_template = tpl.lookup(tpl.ADJOINTS, primal) is not None
    assert has_template == (how != SOURCE)
    assert how != SOURCE or source_function(primal) is not None


def test_supported_md_lists_the_functions_run_through_their_source():
    listed = set(supported.THROUGH_SOURCE)
    if not SCIPY:
        listed = {n for n in listed if not n.startswith("scipy.")}
    assert listed == {n for n, how, *_ in CORPUS if how == SOURCE}
