"""Golden files: the printed derivatives of corpus functions, as a reader sees them
(reverse and forward mode, float and shape variants), kept in tests/golden/.

A change to the generated code shows up here as a diff to read. When it is
intended, rewrite the files with ``TANGENTLIKE_UPDATE_GOLDEN=1 python -m pytest
tests/test_golden.py`` and read the new ones before committing them.  Each file
also runs, and its derivative is checked against central finite differences.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

from . import corpus_control as C
from . import programs_core as P

GOLDEN = Path(__file__).with_name("golden")
UPDATE = bool(os.environ.get("TANGENTLIKE_UPDATE_GOLDEN"))

_RNG = np.random.default_rng(7)
_X = _RNG.normal(size=(6, 3))
LOGISTIC = (_RNG.normal(size=3), _X, (_RNG.random(6) > 0.5).astype(float))
SOFTMAX = (_RNG.normal(size=(3, 4)), _X, np.eye(4)[_RNG.integers(0, 4, 6)])
MATVEC = (_RNG.normal(size=(3, 3)), _RNG.normal(size=3))
VEC = _RNG.normal(size=4)

# name: (function, arguments, how: "reverse", "forward", or "variant")
CASES = {
    "logistic_reverse": (P.logistic, LOGISTIC, "reverse"),
    "logistic_forward": (P.logistic, LOGISTIC, "forward"),
    "logistic_shape_variant": (P.logistic, LOGISTIC, "variant"),
    "softmax_loss_reverse": (P.softmax_loss, SOFTMAX, "reverse"),
    "matvec_shape_variant": (P.matvec, MATVEC, "variant"),
    "math_chain_float_variant": (P.math_chain, (0.3,), "variant"),
    "if_elif_else_float_variant": (C.if_elif_else, (1.5,), "variant"),
    "rnn_like_reverse": (C.rnn_like, (VEC, 3), "reverse"),
    "rnn_like_shape_variant": (C.rnn_like, (VEC, 3), "variant"),
    "break_in_loop_forward": (C.break_in_loop, (VEC,), "forward"),
    "call_imported_reverse": (C.call_imported, (0.7,), "reverse"),
    "tuple_list_dict_reverse": (C.tuple_list_dict, (VEC, 1.5), "reverse"),
}


def _derivative(func, how):
    return tl.jvp(func) if how == "forward" else tl.grad(func)


def _printed(func, args, how) -> str:
    df = _derivative(func, how)
    return tl.getsource(df, args=args if how == "variant" else None)


@pytest.mark.parametrize("name", sorted(CASES))
def test_printed_code_is_the_golden_file(name):
    func, args, how = CASES[name]
    path = GOLDEN / f"{name}.py"
    printed = _printed(func, args, how)
    if UPDATE:
        path.write_text(printed)
    kept = path.read_text()
    diff = "".join(
        difflib.unified_diff(
            kept.splitlines(keepends=True),
            printed.splitlines(keepends=True),
            fromfile=str(path),
            tofile="printed now",
        )
    )
    assert printed == kept, f"the generated code changed:\n{diff}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_file_runs_and_is_right(name):
    func, args, how = CASES[name]
    namespace: dict = {}
    exec(compile((GOLDEN / f"{name}.py").read_text(), name, "exec"), namespace)
    main = namespace[_derivative(func, how).__tangentlike__.module.main_name]
    want = numerical_grad(func, list(args), 0)
    if how == "forward":
        tangent = np.ones_like(args[0]) if np.ndim(args[0]) else 1.0
        value, got = main(*args, tangent)
        want = np.sum(want * tangent)
    else:
        value, got = main(*args)
    assert value == pytest.approx(func(*args))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
