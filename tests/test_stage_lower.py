"""Lower: control flow the transforms do not handle, rewritten into what they do.

Returns go to one exit (an assignment to ``result``), ``break`` and ``continue``
become flags that guard the statements they skip, and a loop over a dict's view or
over differentiable values becomes a loop over keys or indices."""

from tangentlike.frontend import lower
from tangentlike.naming import Namer, names_in

from .stages import code, expected, normalized, tree


def lowered(source: str, loops=False):
    """The function with its returns and jumps lowered, as ``prepare`` does."""
    node = tree(source)
    namer = Namer(names_in(node))
    if lower.has_loop_return(node.body):
        node.body = lower.lower_flagged_returns(node.body, "result", namer)
    elif lower.has_return(node.body):
        node.body = lower.lower_returns(node.body, "result")
    node.body = lower.lower_jumps(node.body, namer)
    return node


def test_a_return_in_a_branch_takes_the_rest_into_the_other_branch():
    node = lowered("""
        def f(x):
            if x > 0:
                return x
            y = x * 2.0
            return y
    """)
    assert code(node) == expected("""
        def f(x):
            if x > 0:
                result = x
            else:
                y = x * 2.0
                result = y
    """)


def test_break_and_continue_become_flags():
    node = lowered("""
        def f(x, n):
            for i in range(n):
                if x > 10.0:
                    break
                if x < 0.0:
                    continue
                x = x * 2.0
            while x < 10.0:
                if x > 5.0:
                    break
                x = x * 2.0
    """)
    assert code(node) == expected("""
        def f(x, n):
            stop = False
            for i in range(n):
                if not stop:
                    skip = False
                    if x > 10.0:
                        stop = True
                    if not (stop or skip):
                        if x < 0.0:
                            skip = True
                        if not (stop or skip):
                            x = x * 2.0
            stop2 = False
            while not stop2 and x < 10.0:
                if x > 5.0:
                    stop2 = True
                if not stop2:
                    x = x * 2.0
    """)


def test_a_return_in_a_loop_sets_the_result_and_stops_the_loop():
    """The flag is set only where something after reads it: not by the last
    return, but by one that leaves the loop, even where the statements after it in
    the loop would set it again."""
    node = lowered("""
        def f(xs):
            for x in xs:
                if x > 1.0:
                    return x
                return 2.0 * x
            return 0.0
    """)
    assert code(node) == expected("""
        def f(xs):
            returned = False
            stop = False
            for x in xs:
                if not stop:
                    if x > 1.0:
                        result = x
                        returned = True
                        stop = True
                    if not stop:
                        result = 2.0 * x
                        returned = True
                        stop = True
            if not returned:
                result = 0.0
    """)


def test_a_function_that_ends_with_its_loop_keeps_no_return_flag():
    node = lowered("""
        def f(xs):
            for x in xs:
                if x > 1.0:
                    return x
    """)
    assert code(node) == expected("""
        def f(xs):
            stop = False
            for x in xs:
                if not stop:
                    if x > 1.0:
                        result = x
                        stop = True
    """)


def test_loops_over_dict_views_read_the_items_by_key():
    node, namer = normalized("""
        def f(d, s):
            for k, v in d.items():
                s = s * v
            for v in d.values():
                s = s * v
    """)
    node.body = lower.lower_active_loops(node.body, {"d", "s"}, namer)
    assert code(node) == expected("""
        def f(d, s):
            for k in d.keys():
                v = d[k]
                _s = s * v
                s = _s
            for _key in d.keys():
                v = d[_key]
                _s2 = s * v
                s = _s2
    """)
    assert lower.dicts_looped_over(node.body) == {"d"}


def test_loops_over_differentiable_values_index_them():
    node, namer = normalized("""
        def f(xs, ys, c, s):
            for i, x in enumerate(xs, 1):
                s = s * x
            for x, y in zip(xs, ys):
                s = s * y
            for x in c:
                s = s * x
    """)
    node.body = lower.lower_active_loops(node.body, {"xs", "ys", "s"}, namer)
    assert code(node) == expected("""
        def f(xs, ys, c, s):
            for _k in range(len(xs)):
                i = _k + 1
                x = xs[_k]
                _s = s * x
                s = _s
            for _k2 in range(min(len(xs), len(ys))):
                x = xs[_k2]
                y = ys[_k2]
                _s2 = s * y
                s = _s2
            for x in c:
                _s3 = s * x
                s = _s3
    """)
