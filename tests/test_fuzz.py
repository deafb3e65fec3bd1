"""Differential fuzzing: random programs from tests/fuzz_grammar.py, every gradient
checked against central finite differences (and forward mode, once ``tl.jvp`` exists).

A disagreement found here is kept in tests/test_fuzz_regressions.py with its source.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys

import numpy
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import tangentlike as tl
from tangentlike.api.check import numerical_grad
from tests.fuzz_grammar import STATS, Generator

RTOL, ATOL = 1e-4, 1e-6


def load(source: str, directory) -> object:
    """Import ``source`` from a real file (tangentlike reads source) and return ``f``."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:12]
    name = f"fuzz_{digest}"
    path = directory / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.f


def inputs(shapes, seed: int) -> list:
    rng = numpy.random.default_rng(seed)
    return [
        float(rng.uniform(-1, 1)) if s == () else rng.uniform(-1, 1, s) for s in shapes
    ]


def close(got, want) -> bool:
    scale = 1.0 + numpy.max(numpy.abs(want), initial=0.0)
    return numpy.shape(got) == numpy.shape(want) and bool(
        numpy.all(
            numpy.abs(numpy.asarray(got) - want)
            <= ATOL * scale + RTOL * numpy.abs(want)
        )
    )


def smooth_here(f, args, i, want) -> bool:
    """Finite differences at two step sizes agree within the tolerance the gradients
    are held to: no branch flips next to ``args``, no rounding noise drowning them."""
    other = numerical_grad(f, args, i, eps=1e-4)
    scale = 1.0 + numpy.max(numpy.abs(want), initial=0.0)
    return bool(numpy.allclose(other, want, rtol=10 * RTOL, atol=10 * ATOL * scale))


def check_program(
    source: str,
    shapes,
    seed: int,
    directory,
    optimize: bool = True,
    require=assume,
    refusable: bool = False,
) -> None:
    """Every reverse (and forward) derivative of the program's ``f`` against
    differences; a ``refusable`` program may be refused by name instead."""
    STATS["programs"] += 1
    f = load(source, directory)
    args = inputs(shapes, seed)
    try:  # the oracle itself must be sound: finite, no overflow, smooth here
        value = f(*[numpy.copy(a) for a in args])
        require(numpy.isfinite(value) and abs(value) < 1e4)
        wants = [numerical_grad(f, args, i) for i in range(len(shapes))]
        require(all(smooth_here(f, args, i, want) for i, want in enumerate(wants)))
    except RuntimeWarning:
        require(False)
    wrt = (
        tuple(range(len(shapes))) if len(shapes) > 1 else 0
    )  # see test_fuzz_regressions
    df = refused_or(lambda: tl.grad(f, wrt=wrt, optimize=optimize), refusable)
    if df is None:
        return
    grads = _counted(lambda: df(*fresh(args)))
    grads = grads if len(shapes) > 1 else (grads,)
    for i, (got, want) in enumerate(zip(grads, wants)):
        STATS["gradients"] += 1
        if not close(got, want):
            STATS["mismatches"] += 1
            raise AssertionError(f"wrt={i}: grad {got!r}, finite differences {want!r}")
    check_jvp(f, args, wants, seed, optimize, refusable)


def refused_or(make, refusable: bool):
    """``make()``; None, counted, where a ``refusable`` program is refused."""
    try:
        return make()
    except tl.TangentlikeError:
        if not refusable:
            raise
        STATS["refused"] += 1
        return None


def fresh(args) -> list:
    return [numpy.copy(a) for a in args]


def _counted(run):
    """Run a derivative; a crash of generated code is counted, then raised."""
    try:
        return run()
    except Exception:
        STATS["errors"] += 1
        raise


def check_jvp(
    f, args, wants, seed: int, optimize: bool, refusable: bool = False
) -> None:
    tangents = inputs([numpy.shape(w) for w in wants], seed + 1)
    wrt = tuple(range(len(wants))) if len(wants) > 1 else 0
    jvp = refused_or(lambda: tl.jvp(f, wrt=wrt, optimize=optimize), refusable)
    if jvp is None:
        return
    got = _counted(lambda: jvp(*fresh(args), *tangents))
    STATS["jvps"] += 1
    expected = sum(numpy.sum(w * t) for w, t in zip(wants, tangents))
    if not close(got, expected):
        STATS["mismatches"] += 1
        raise AssertionError(f"jvp {got!r}, finite differences {expected!r}")


@st.composite
def programs(draw, max_stmts=3):
    choose = lambda lo, hi: draw(st.integers(lo, hi))  # noqa: E731
    grammar = Generator(choose, max_stmts=max_stmts)
    source, shapes = grammar.program()
    seed, optimize = draw(st.integers(0, 2**16)), draw(st.booleans())
    return source, shapes, seed, optimize, grammar.refusable


def run(case, directory) -> None:
    source, shapes, seed, optimize, refusable = case
    check_program(
        source, shapes, seed, directory, optimize=optimize, refusable=refusable
    )


FUZZ = dict(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)


@settings(max_examples=300, **FUZZ)
@given(programs())
def test_random_programs(tmp_path_factory, case):
    run(case, tmp_path_factory.getbasetemp())


@settings(max_examples=400, **FUZZ)
@given(programs(max_stmts=6))
def test_larger_random_programs(tmp_path_factory, case):
    run(case, tmp_path_factory.getbasetemp())


@pytest.mark.slow
@settings(max_examples=5000, **FUZZ)
@given(programs(max_stmts=6))
def test_random_programs_many(tmp_path_factory, case):
    run(case, tmp_path_factory.getbasetemp())
