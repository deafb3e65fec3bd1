"""Parse: a live function to a gast ``def`` with the line numbers of its real file.

Methods and inner functions are dedented to parse, and errors still point at the
user's columns; a lambda becomes a ``def`` named ``lambda`` returning its body."""

import numpy as np
import pytest

from tangentlike.errors import NoSourceError
from tangentlike.frontend.parse import parse_function

from .stages import code, expected


def square(x):
    y = x * x
    return y


class Model:
    def loss(self, w):
        z = w * 2.0
        return z


def outer():
    def inner(v):
        return v + 1.0

    return inner


def unchanged(func):
    return func


@unchanged
def decorated(x):
    return x


halve = lambda x: x * 0.5  # noqa: E731 - a lambda is what this test parses
two_lambdas = [lambda x: x, lambda x: -x]


def test_a_function_keeps_its_file_and_lines():
    node, source = parse_function(square)
    assert source.filename == __file__
    assert node.lineno == square.__code__.co_firstlineno
    assert [s.lineno for s in node.body] == [node.lineno + 1, node.lineno + 2]
    assert code(node) == expected("""
        def square(x):
            y = x * x
            return y
    """)


@pytest.mark.parametrize("func", [Model.loss, outer()], ids=["method", "inner"])
def test_indented_code_is_dedented_and_located_at_the_users_columns(func):
    node, source = parse_function(func)
    assert node.col_offset == 0
    assert source.shift == 4
    value = node.body[0].value  # ``w * 2.0`` / ``v + 1.0``
    where = source.location(value)
    assert (where.filename, where.lineno) == (__file__, value.lineno)
    assert where.text[where.col :] in ("w * 2.0", "v + 1.0")


def test_a_lambda_becomes_a_def_returning_its_body():
    node, source = parse_function(halve)
    assert node.lineno == halve.__code__.co_firstlineno
    assert code(node) == expected("""
        def lambda(x):
            return x * 0.5
    """)


def test_decorators_are_dropped():
    node, _ = parse_function(decorated)
    assert node.decorator_list == []
    assert node.lineno == decorated.__code__.co_firstlineno + 1  # the def, not the @


@pytest.mark.parametrize(
    "func", [two_lambdas[0], np.sin], ids=["two lambdas on a line", "no source"]
)
def test_what_cannot_be_found_is_refused_by_name(func):
    with pytest.raises(NoSourceError):
        parse_function(func)
