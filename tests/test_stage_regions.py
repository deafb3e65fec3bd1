"""Regions: ``try`` and ``with`` lowered to what the transforms know.

A ``try`` keeps its body in a region whose handlers record which one ran; a
handler's statements and ``else`` run after it, as branches on that record. A
handler that always raises stays whole; ``finally`` runs on both ways out.
``with contextlib.suppress`` is a ``try``; other ``with`` blocks keep one context
each; ``del name`` goes."""

import contextlib  # noqa: F401 - the tests' code reads it, resolved here

import numpy as np  # noqa: F401
import pytest

from tangentlike.analysis.scope import Scope, assigned_names
from tangentlike.errors import UnsupportedSyntaxError
from tangentlike.frontend import regions
from tangentlike.naming import Namer, names_in

from .stages import code, expected, source_of, tree


def _here():
    """A function of this module: its globals are what the tests' code resolves."""


def lowered(source: str):
    node = tree(source)
    scope = Scope(_here, assigned_names(node))
    regions.lower_regions(node, source_of(source), scope, Namer(names_in(node)))
    return node


def test_a_handler_runs_after_the_region_as_a_branch():
    node = lowered("""
        def f(x):
            try:
                y = np.log(x)
            except FloatingPointError:
                y = x - 1.0
            else:
                y = y * 2.0
            return y
    """)
    assert code(node) == expected("""
        def f(x):
            _caught = 0
            try:
                y = np.log(x)
            except FloatingPointError:
                _caught = 1
            if _caught == 1:
                y = x - 1.0
            elif _caught == 0:
                y = y * 2.0
            return y
    """)


def test_a_handler_that_raises_stays_whole_and_finally_runs_both_ways():
    node = lowered("""
        def f(x):
            try:
                y = np.log(x)
            except FloatingPointError as exc:
                raise ValueError("x > 0 please") from exc
            finally:
                print("done")
            del x
            return y
    """)
    assert code(node) == expected("""
        def f(x):
            try:
                try:
                    y = np.log(x)
                except FloatingPointError as exc:
                    raise ValueError('x > 0 please') from exc
            except BaseException:
                print('done')
                raise
            print('done')
            return y
    """)


def test_with_keeps_one_context_each_and_suppress_is_a_try():
    node = lowered("""
        def f(x):
            with np.errstate(all="ignore"), contextlib.suppress(ZeroDivisionError):
                y = x / 0.0
            return y
    """)
    assert code(node) == expected("""
        def f(x):
            with np.errstate(all='ignore'):
                _caught = 0
                try:
                    y = x / 0.0
                except (ZeroDivisionError,):
                    _caught = 1
            return y
    """)
    assert node.body[0].tl_neutral


def test_a_name_the_body_may_leave_half_set_is_refused_where_read_after():
    with pytest.raises(UnsupportedSyntaxError) as info:
        lowered("""
            def f(x):
                try:
                    a = x * 2.0
                    y = np.log(a)
                except FloatingPointError:
                    y = 0.0
                return a + y
        """)
    assert [what for what, _, _ in info.value.problems] == [
        "`a`, set in the try body and read after the handler at line 6: the body "
        "may have stopped part way"
    ]
