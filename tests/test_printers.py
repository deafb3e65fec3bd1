"""Both printers of generated code: astor, and the standard library's ``ast.unparse``
where astor cannot print (Python 3.14 removed the ``ast`` classes it reads).

``TANGENTLIKE_PRINTER`` forces one.  Over the corpus, each prints the same program
(the same text but for brackets the two place differently: ``a and (not b)``),
and the text ``ast.unparse`` printed runs as its own module and gives the
derivative central differences give.
"""

from __future__ import annotations

import ast
import sys

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad
from tangentlike.codegen import render

from . import corpus_control as C
from . import corpus_syntax as S
from . import programs_core as P


def _corpus() -> list:
    """``(id, function, arguments)`` of the core, control and syntax corpora."""
    found = [
        (f"core_{f.__name__}", f, args)
        for f, args in P.inputs(np.random.default_rng(0)).items()
    ]
    for k, (func, args, _, todo) in enumerate(C.CORPUS):
        if not todo:
            found.append((f"control{k}_{func.__name__}", func, args))
    for k, (func, args, *_) in enumerate(S.CORPUS):
        found.append((f"syntax{k}_{func.__name__}", func, args))
    return found


CORPUS = _corpus()
IDS = [c[0] for c in CORPUS]


def _same_program(a: str, b: str) -> bool:
    return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))


def _printed(monkeypatch, printer: str, df, args=None) -> str:
    monkeypatch.setenv("TANGENTLIKE_PRINTER", printer)
    assert render.printer() == printer
    return tl.getsource(df, args=args)


@pytest.mark.parametrize(("name", "func", "args"), CORPUS, ids=IDS)
def test_both_printers_print_the_same_text(monkeypatch, name, func, args):
    for mode in (tl.grad, tl.jvp):
        try:
            df = mode(func)
            by_astor = _printed(monkeypatch, "astor", df)
        except tl.TangentlikeError:  # a mode that refuses this function
            continue
        assert _same_program(_printed(monkeypatch, "unparse", df), by_astor)
    variant = tl.grad(func)
    assert _same_program(
        _printed(monkeypatch, "unparse", variant, args),
        _printed(monkeypatch, "astor", variant, args),
    )


@pytest.mark.parametrize(("name", "func", "args"), CORPUS, ids=IDS)
def test_code_printed_by_unparse_runs_and_is_right(monkeypatch, name, func, args):
    df = tl.grad(func)
    text = _printed(monkeypatch, "unparse", df)
    namespace: dict = {}
    exec(compile(text, f"<unparse {name}>", "exec"), namespace)
    made = df.__tangentlike__
    main = namespace[made.module.main_name]
    _, got = main(*made.signature.bind(args, {}))
    want = numerical_grad(func, list(args), 0)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_the_printer_is_astor_before_python_3_14_unless_forced(monkeypatch):
    monkeypatch.delenv("TANGENTLIKE_PRINTER", raising=False)
    assert render.printer() == ("astor" if sys.version_info < (3, 14) else "unparse")
    monkeypatch.setenv("TANGENTLIKE_PRINTER", "unparse")
    assert render.printer() == "unparse"


def test_unparse_writes_tuples_as_astor_does():
    tree = ast.parse(
        "def f(a, b):\n    c = a, b\n    d, = (a,)\n    return c, (d, b)[0], a,\n"
    )
    text = render.unparse(tree)
    assert "    c = a, b\n" in text and "    d, = a,\n" in text
    assert "    return c, (d, b)[0], a\n" in text


def quartic_energy(x, k=2.0, shift=(0.5, -0.25)):
    return k * np.sum(x**4) - np.sum(x[:-1] * x[1:]) + shift[0] * x[0]


def test_the_gradient_keeps_literal_defaults_and_runs_pasted_into_a_file():
    """The gradient's signature is the function's: ``k=2.0`` stays, so the code
    pasted into a file is called as the function is."""
    source = tl.getsource(tl.grad(quartic_energy))
    assert (
        "def dquartic_energy_dx(x, k=2.0, shift=(0.5, -0.25), b_result=1.0):" in source
    )
    scope: dict = {}
    exec(compile(source, "<pasted>", "exec"), scope)
    x = np.array([0.3, -0.7, 1.1])
    value, got = scope["dquartic_energy_dx"](x)
    assert value == quartic_energy(x)
    np.testing.assert_allclose(got, numerical_grad(quartic_energy, [x], 0), rtol=1e-6)
