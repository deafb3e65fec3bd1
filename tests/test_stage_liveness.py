"""Liveness: the names a function may still read after each of its statements.

A backward analysis: an assignment kills its target and makes its operands live;
a loop's body is run to a fixed point, since the next iteration reads what the
last one left; a branch's names are live if either branch reads them."""

from tangentlike.analysis.liveness import Liveness

from .stages import tree

FUNC = """
def f(x, y, n):
    a = x * 2.0
    b = a + y
    c = b * b
    for i in range(n):
        c = c + a
    if c > 0.0:
        d = c * y
    else:
        d = c
    return d
"""


def live_after(text: str) -> list[list[str]]:
    """For each top-level statement, the names read after it (builtins left out)."""
    node = tree(text)
    liveness = Liveness()
    entry = liveness.block(node.body, set())
    assert entry == {"x", "y", "n", "range"}  # what the function reads on entry
    return [sorted(liveness.after[id(s)] - {"range"}) for s in node.body]


def test_each_statement_knows_what_is_read_after_it():
    assert live_after(FUNC) == [
        ["a", "n", "y"],  # a = x * 2.0: x is dead from here on
        ["a", "b", "n", "y"],  # b = a + y
        ["a", "c", "n", "y"],  # c = b * b: b is dead
        ["c", "y"],  # for ...: a and n are read only inside the loop
        ["d"],  # if ...
        [],  # return d
    ]


def test_a_loop_body_sees_what_the_next_iteration_reads():
    node = tree(FUNC)
    liveness = Liveness()
    liveness.block(node.body, set())
    loop = node.body[3]
    assert liveness.after[id(loop.body[0])] >= {"a", "c"}  # read again next time


def test_an_augmented_assignment_reads_its_target():
    node = tree("""
        def f(x, g):
            g += x
            return x
    """)
    liveness = Liveness()
    assert liveness.block(node.body, set()) == {"g", "x"}


def test_a_break_goes_on_with_what_follows_the_loop():
    """After ``flag = True; break``, the loop's successor reads ``flag``, although
    the statements after the break in the body would assign it again."""
    node = tree("""
        def f(xs):
            flag = False
            for x in xs:
                if x > 1.0:
                    flag = True
                    break
                flag = True
                y = x
                continue
            return flag
    """)
    liveness = Liveness()
    liveness.block(node.body, set())
    loop = node.body[1]
    set_in_branch = loop.body[0].body[0]
    assert liveness.after[id(set_in_branch)] == {"flag"}
    before_continue = loop.body[2]
    assert liveness.after[id(before_continue)] >= {"flag", "xs"}  # the loop's head
