"""Run one stage of the front end or analysis on a function written as source, for
the stage tests (tests/test_stage_*.py)."""

import textwrap

import gast
import numpy as np  # noqa: F401 - the tests' code calls NumPy as ``np``, resolved here

from tangentlike.analysis.scope import Scope, assigned_names
from tangentlike.codegen.render import to_source
from tangentlike.frontend import comprehensions
from tangentlike.frontend.normalize import Normalizer
from tangentlike.frontend.parse import Source
from tangentlike.naming import Namer, names_in
from tangentlike.template import load_templates

load_templates()  # as a transform does first: which NumPy functions are constants


def tree(source: str) -> gast.FunctionDef:
    """The ``def`` written in ``source``."""
    return gast.parse(textwrap.dedent(source)).body[0]


def source_of(text: str, filename: str = "model.py") -> Source:
    """Where ``text`` came from, as if it were the first lines of ``filename``."""
    return Source(filename, 1, textwrap.dedent(text).splitlines(keepends=True))


def code(node) -> str:
    """The function printed back as source."""
    return to_source([node], []).strip() + "\n"


def expected(text: str) -> str:
    return textwrap.dedent(text).strip() + "\n"


def _here():
    """A function of this module: its globals are what the tests' code resolves."""


def scope(node: gast.FunctionDef) -> Scope:
    return Scope(_here, assigned_names(node))


def normalized(source: str) -> tuple[gast.FunctionDef, Namer]:
    """The function after normalize, and the namer that named its temporaries."""
    node = tree(source)
    namer = Namer(names_in(node))
    comprehensions.own_scopes(node, namer)
    node.body = Normalizer(namer, scope(node), "np").block(node.body)
    return node, namer
