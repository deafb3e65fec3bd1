"""Shared fixtures (reproducible random inputs) and the fuzzer's session summary."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


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
