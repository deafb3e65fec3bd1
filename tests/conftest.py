"""Shared fixtures (reproducible random inputs) and the fuzzer's session summary."""

import os
import shutil
import tempfile

import numpy as np
import pytest

_CACHE = []


def pytest_configure(config):
    """Generated code kept on disk goes to a folder of the session's own (unless
    TANGENTLIKE_CACHE names one), so tests neither read nor fill the user's."""
    if not os.environ.get("TANGENTLIKE_CACHE"):
        _CACHE.append(tempfile.mkdtemp(prefix="tangentlike-tests-"))
        os.environ["TANGENTLIKE_CACHE"] = _CACHE[0]


def pytest_unconfigure(config):
    for folder in _CACHE:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop("TANGENTLIKE_CACHE", None)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def pytest_sessionfinish(session):
    """A worker of pytest-xdist hands its fuzz counts to the controller."""
    from tests.fuzz_grammar import STATS

    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["fuzz_stats"] = dict(STATS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller adds up the counts of each worker that finished."""
    from tests.fuzz_grammar import STATS

    for key, count in getattr(node, "workeroutput", {}).get("fuzz_stats", {}).items():
        STATS[key] += count


def pytest_terminal_summary(terminalreporter):
    """How many random programs the differential fuzzer (tests/test_fuzz.py) checked."""
    from tests.fuzz_grammar import STATS

    if STATS["programs"] or STATS["metamorphic"]:
        terminalreporter.write_line(
            "fuzz: {programs} programs, {gradients} gradients, {jvps} jvps, {hvps} "
            "v.H.v and {metamorphic} programs written two ways checked; {refused} "
            "refusals, {mismatches} mismatches, {errors} crashes (findings are kept "
            "in tests/test_fuzz_regressions.py)".format(**STATS)
        )


@pytest.fixture
def debug_checks(monkeypatch):
    """``TANGENTLIKE_DEBUG=1`` for one test: gradients' dtypes are checked, and a
    derivative that comes back identically zero is probed by finite differences."""
    from tangentlike import debug

    monkeypatch.setenv(debug.VARIABLE, "1")
