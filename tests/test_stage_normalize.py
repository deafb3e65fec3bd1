"""Normalize: one operation per statement, every operand a name or a constant.

Temporaries are named after their operation (``_add``, ``_sin``, ``_cond``) or,
where a statement reads its own target, after the target (``_x``); the user's
names are kept."""

from tangentlike import anno

from .stages import code, expected, normalized


def test_nested_expression_becomes_one_operation_a_line():
    node, _ = normalized("""
        def f(a, b, c):
            z = a * np.sin(b + c)
            return z * 2.0
    """)
    assert code(node) == expected("""
        def f(a, b, c):
            _add = b + c
            _sin = np.sin(_add)
            z = a * _sin
            _mul = z * 2.0
            return _mul
    """)


def test_a_target_never_reads_itself():
    node, _ = normalized("""
        def f(x):
            x = x * 2.0
            x += 1.0
            return x
    """)
    assert code(node) == expected("""
        def f(x):
            _x = x * 2.0
            x = _x
            _x2 = x + 1.0
            x = _x2
            return x
    """)


def test_tests_and_conditional_expressions_are_named():
    node, _ = normalized("""
        def f(a, b):
            y = a if a > b else b
            return y
    """)
    assert code(node) == expected("""
        def f(a, b):
            _cond = bool(a > b)
            if _cond:
                _ifexp = a
            else:
                _ifexp = b
            y = _ifexp
            return y
    """)


def test_array_methods_become_numpy_calls_with_their_callee():
    node, _ = normalized("""
        def f(x):
            s = x.sum(axis=0)
            return s.reshape(2, 3)
    """)
    assert code(node) == expected("""
        def f(x):
            s = np.sum(x, axis=0)
            _tuple = 2, 3
            _reshape = np.reshape(s, _tuple)
            return _reshape
    """)
    calls = [node.body[0].value, node.body[2].value]
    assert [anno.get(c, anno.CALLEE).__name__ for c in calls] == ["sum", "reshape"]


def test_an_index_that_reads_the_updated_array_is_taken_first():
    node, _ = normalized("""
        def f(y):
            y[y < 0] = 0.0
            return y
    """)
    assert code(node) == expected("""
        def f(y):
            _index = y < 0
            y[_index] = 0.0
            return y
    """)


def test_a_swap_goes_through_temporaries():
    node, _ = normalized("""
        def f(p, r):
            p, r = r, p
            return p - r
    """)
    assert code(node) == expected("""
        def f(p, r):
            _r = r
            _p = p
            p = _r
            r = _p
            _sub = p - r
            return _sub
    """)


def test_a_comprehension_is_the_loop_it_stands_for():
    """The loop fills the assigned name itself; a generator inside a call fills a
    temporary; a name the function also uses outside is renamed in the loop."""
    node, _ = normalized("""
        def f(xs, x):
            ys = [np.sin(x) for x in xs if x > 0]
            return sum(v * 2.0 for v in ys) + x
    """)
    assert code(node) == expected("""
        def f(xs, x):
            ys = []
            for x2 in xs:
                _cond = bool(x2 > 0)
                if _cond:
                    _sin = np.sin(x2)
                    ys.append(_sin)
            _genexp = []
            for v in ys:
                _mul = v * 2.0
                _genexp.append(_mul)
            _sum = sum(_genexp)
            _add = _sum + x
            return _add
    """)
