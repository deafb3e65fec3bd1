"""Saving: the primal values the reverse sweep reads, kept from being overwritten.

In straight-line code a value that a later statement rebinds is copied to a fresh
name (``_y = y``) just before, and the adjoints read the copy; one copy serves
every adjoint that needs that value.  Inside a loop, the value is pushed on
``_stack`` after the statement that reads it and popped before that statement's
adjoint; an array the adjoint reads only for its shape is saved as its shape.
A value nothing rebinds is read where it is, never saved."""

import numpy as np

from tangentlike import anno
from tangentlike.codegen.module import Module
from tangentlike.codegen.render import to_source
from tangentlike.frontend.prepare import prepare
from tangentlike.transform.assemble import reverse_sweeps
from tangentlike.transform.calls import Calls

from .stages import expected


def overwritten(x):
    y = x * x
    z = y * x
    y = z * 2.0
    return y


def read_twice(x):
    y = x + 1.0
    z = y * y
    w = z * y
    y = w + 1.0
    return y


def recurrence(x, n):
    h = x
    for _ in range(n):
        h = np.sin(h) * 0.5
    return h


def layers(W, x):
    h = x
    for _ in range(3):
        z = W @ h
        h = np.tanh(z) + x
    return np.sum(h)


def sweeps(func, wrt: str):
    """The forward sweep (with its saves) and the reverse sweep, unoptimized."""
    info = prepare(func)
    _, fwd, rev, _, _ = reverse_sweeps(info, [wrt], Calls(Module(info)))
    return fwd, rev


def text(stmts) -> str:
    return to_source(stmts, []).strip() + "\n"


def reads(stmts) -> set[str]:
    return set().union(*(anno.load_names(s) for s in stmts))


def stack_lines(stmts) -> list[str]:
    return [line.strip() for line in text(stmts).splitlines() if "_stack" in line]


def test_a_value_rebound_later_is_copied_before_and_read_from_the_copy():
    fwd, rev = sweeps(overwritten, "x")
    assert text(fwd) == expected("""
        y = x * x
        z = y * x
        _y = y
        y = z * 2.0
    """)
    assert "_y" in reads(rev) and "y" not in reads(rev)
    assert "x" in reads(rev)  # never rebound: read where it is


def test_one_copy_serves_every_adjoint_that_reads_the_value():
    fwd, rev = sweeps(read_twice, "x")
    assert text(fwd) == expected("""
        y = x + 1.0
        z = y * y
        w = z * y
        _y = y
        y = w + 1.0
    """)
    assert "y" not in reads(rev)


def test_in_a_loop_values_are_pushed_after_and_popped_before():
    fwd, rev = sweeps(recurrence, "x")
    assert text(fwd) == expected("""
        _stack = []
        h = x
        for _ in range(n):
            _sin = np.sin(h)
            _stack.append(h)
            h = _sin * 0.5
            _stack.append(_sin)
        value = h
    """)  # the pops rebind h: the result is kept first
    assert stack_lines(rev) == ["_sin = _stack.pop()", "h = _stack.pop()"]


def test_an_array_read_only_for_its_shape_is_saved_as_its_shape():
    fwd, rev = sweeps(layers, "W")
    pushes = ["_stack = []", "_stack.append(h)", "_stack.append(_tanh)"]
    assert stack_lines(fwd) == pushes + ["_stack.append(np.shape(_tanh))"]
    pops = ["_tanh = _stack.pop()", "h = _stack.pop()"]
    assert stack_lines(rev) == ["_tanh_shape = _stack.pop()"] + pops
    assert "_tanh_shape" in reads(rev)
