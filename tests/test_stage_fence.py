"""Fence: every construct the transforms cannot handle, refused at once.

One UnsupportedSyntaxError lists them all, in the order of their lines, each with
its line and a hint, so that the user fixes everything in one pass."""

import pytest

from tangentlike.errors import UnsupportedSyntaxError
from tangentlike.frontend import fence

from .stages import source_of, tree

REFUSED = """
def f(x, ys):
    global SCALE
    import math
    while (z := x * 2.0) < 1.0:
        x = z
    x = x + 1.0
    x = x * 1.0
    ys[0][1] = x
    y = yield x
    del ys[0]
    _stack = x
    return _stack
"""


SOMETIMES = (
    "assignment expression (:=) that runs only sometimes (in a `while` test, "
    "after `and`/`or`, in a branch of `... if ... else ...` or in a comprehension)"
)


def problems(text: str, filename: str = "model.py") -> list[tuple[str, int]]:
    with pytest.raises(UnsupportedSyntaxError) as info:
        fence.check(tree(text), source_of(text, filename))
    return [(what, where.lineno) for what, where, _ in info.value.problems]


def test_every_construct_is_reported_with_its_line():
    assert problems(REFUSED) == [
        ("global statement", 3),
        ("import inside the function", 4),
        (SOMETIMES, 5),
        ("assignment into an item of an item (`y[i][j] = v`)", 9),
        ("yield (generator)", 10),
        ("del of an item or attribute", 11),
        ("the name `_stack`, which generated code keeps its saved values in", 12),
    ]


def test_each_problem_says_what_to_do():
    with pytest.raises(UnsupportedSyntaxError) as info:
        fence.check(tree(REFUSED), source_of(REFUSED))
    hints = {what: hint for what, _, hint in info.value.problems}
    assert hints["global statement"] == "pass the value as an argument and return it"
    assert hints["assignment into an item of an item (`y[i][j] = v`)"] == (
        "index once: `y[i, j] = v`"
    )
    assert 'File "model.py", line 9' in str(info.value)


def test_generated_code_may_use_the_save_stack():
    text = """
        def f(x):
            _stack = []
            _stack.append(x)
            return x
    """
    fence.check(tree(text), source_of(text, "<tangentlike generated>"))


def test_code_the_transforms_handle_passes():
    text = """
        def f(x, ys):
            for y in ys:
                if y > 0:
                    x = x * y
                    break
            ys[0, 1] = x
            return x
    """
    fence.check(tree(text), source_of(text))
