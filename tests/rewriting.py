"""Run one optimizer pass on a function written as source, for the pass tests."""

import textwrap

import gast

from tangentlike.codegen.render import to_source


def rewrite(source: str, rewriter) -> list[str]:
    """The body's lines after ``rewriter(func)``."""
    func = gast.parse(textwrap.dedent(source)).body[0]
    rewriter(func)
    return [line.strip() for line in to_source([func], []).strip().splitlines()[1:]]


def unchanged(source: str, rewriter) -> bool:
    """Whether ``rewriter`` leaves the function as it was."""
    func = gast.parse(textwrap.dedent(source)).body[0]
    before = to_source([func], [])
    rewriter(func)
    return to_source([func], []) == before
