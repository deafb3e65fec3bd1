# ruff: noqa: E501  (programs are kept exactly as generated)
"""Disagreements and crashes found by the fuzzer (tests/test_fuzz.py), kept with their source.

Each case is the program as generated, with the seed of its inputs and the optimize
flag; cases that still fail are strict xfails, so they flip when fixed.
"""

import numpy as np
import pytest

import tangentlike as tl
from tests.test_fuzz import check_program

CASES = {
    # IndexError: too many indices for array: array is 0-dimensional, but 1 were indexed
    "seed22": (
        22,
        [()],
        False,
        """\
import numpy as np


def f(a):
    t1 = np.log(1.0 + ((0.5 * np.ones((3,))) * np.ones((2, 3))) * ((0.5 * np.ones((3,))) * np.ones((2, 3))))
    for i2 in range(1):
        for i3 in range(3):
            t4 = (-((t1[-1] * t1)))
            t1 += ((t4[i2] / (1.0 + t4[-1] * t4[-1])) + (t1[i2] + 2.0))
        t1[i2] = ((t1[-1] + t1[-1]) - (-(0.25)))
        for i5 in range(2):
            t1[1] += a
            a += (a + np.mean(t1))
            a = np.mean((t1[-1] / (1.5 + np.cos(t1[-1]))), axis=0)
    for i6 in range(2):
        t1[-1, i6] = np.log(1.0 + t1[i6, i6] * t1[i6, i6])
    return np.sum(t1)
""",
    ),
    # NameError: name 'bc' is not defined
    "seed139": (
        139,
        [(2, 3), (2, 3), (2, 3)],
        True,
        """\
import numpy as np


def f(a, b, c):
    if np.sum(np.mean(c)) > 0.0:
        a = (np.log(1.0 + c[0] * c[0]) * (a * a[-1, 2]))
        if np.sum((b[-1, -1] / (1.5 + np.cos(c)))) > 0.3:
            b = (np.log(1.0 + b * b) / (1.5 + np.cos((c[-1, 2] * -0.7))))
        else:
            t1 = ((0.5 / (1.5 + np.cos(b[-1, 2]))) + (-(b[0, -1])))
            t1 = (np.mean(c)) ** 3
            w2 = np.zeros((2, 3))
            w2[0, -1] += ((2.0 - c[0, -1]) + np.sum(w2[-1]))
        w3 = np.zeros((2, 3))
        w3[-1, -1] = w3[0, 1]
    for i4 in range(1):
        t5 = ((b[i4, -1] + b[i4]) + np.exp(np.sin(0.5)))
        b = (c[-1, -1] / (1.0 + (b / (1.5 + np.cos(c))) * (b / (1.5 + np.cos(c)))))
        t6 = (1.0 + (a[1] * t5) * (a[1] * t5)) ** 0.5
    return np.sum((np.sin(a[0]) - (a[-1] * a[1])))
""",
    ),
    # UnboundLocalError: cannot access local variable 'ba' where it is not associated with a va
    "seed146": (
        146,
        [(2, 3)],
        False,
        """\
import numpy as np


def f(a):
    t1 = np.mean(a[-1], axis=0)
    if np.sum((a + a)) > 0.0:
        t2 = (np.sum(a, axis=0)) ** 3
        for i3 in range(1):
            t2[i3] = ((a[0, i3] + t1) * (t1) ** 3)
            t4 = ((a[1] + a[-1]) / (1.0 + (a / (1.5 + np.cos(t2))) * (a / (1.5 + np.cos(t2)))))
    else:
        t1 = (t1 + t1)
    return np.tanh((t1 - 0.25))
""",
    ),
    # two merged temporaries both renamed to their family's plain name (b_item)
    "slow0": (
        0,
        [(3,), ()],
        True,
        """\
import numpy as np


def helper0(a):
    a = np.sin(a)
    t1 = np.sin(a)
    return np.sin(a)


def helper1(a, b):
    if np.sum(a[0]) > 0.0:
        w2 = np.zeros((3,))
        w2[0] = (np.sum((a * np.ones((2, 3)))) + (a[0] + a[0]))
        t3 = np.sin(((a * np.ones((2, 3))) + (a * np.ones((2, 3)))))
        t3 += ((a[0] + a[0]) + a)
    t4 = (a + (a + a[0]))
    t4[0] = a[0]
    return ((a[0] * a[-1]) + np.sum((t4 * np.ones((2, 3)))))


def f(a, b):
    t5 = np.sin(a)
    return helper1(a, a)
""",
    ),
    # setitem in a loop restored every iteration from the last iteration's saved value
    "slow1": (
        2440,
        [(3,), ()],
        False,
        """\
import numpy as np


def helper0(a):
    for i1 in range(3):
        for i2 in range(1):
            w3 = np.zeros((3,))
            w3[0] = (np.sin(a[0]) + (a[0] + a[0]))
            w3 += ((a[0] + a[0]) + (a[0] + a[0]))
        for i4 in range(1):
            w5 = np.zeros((2, 3))
            w5[0] = ((a[0] + a[0]) + (a[0] + a[0]))
            w5 *= a
            w5 = (w5) ** 3
        w6 = np.zeros((3,))
        w6[i1] = 0.25
    return np.exp(np.sin(((a * np.ones((2, 3))) - (a * np.ones((2, 3))))))


def f(a, b):
    t7 = np.sum(((a * np.ones((2, 3))) - a), axis=0)
    t8 = (np.mean((a * np.ones((2, 3)))) * (2.0 / (1.5 + np.cos(a))))
    t9 = ((1.0 + t7[-1] * t7[-1]) ** 0.5 / (1.5 + np.cos((0.5 - t7[1]))))
    t10 = (t8 / (1.0 + (t7[-1] + b) * (t7[-1] + b)))
    if np.sum(np.mean((t10 * np.ones((2, 3))), axis=0)) > -0.2:
        b = ((t8[1] + t10[-1])) ** 2
        for i11 in range(3):
            t10[-1] = np.exp(np.sin(t7[i11]))
            a = (np.mean((t10[-1] * np.ones((2, 3))), axis=0) + (t8 / (1.0 + t7 * t7)))
            t12 = (np.sin(a) - t8[-1])
    else:
        a = ((0.25 / (1.0 + t7 * t7)) - (t7) ** 2)
        b += (b + (t10[2] + t9))
    for i13 in range(3):
        if np.sum((a + t8)) > 0.3:
            t8[0] = (0.25 / (1.5 + np.cos((2.0 - 3.0))))
            t10[i13] += np.sum(((t8 * np.ones((2, 3))) * (t7 * np.ones((2, 3)))))
        t7[0] += ((t9 / (1.5 + np.cos(2.0))) + t9)
    return np.mean((t8 / (1.0 + t10 * t10)), axis=0)
""",
    ),
    # wrong value: a folded -0.5 printed as ``-0.5 ** 2`` (= -0.25, not 0.25)
    "seed590": (
        590,
        [(2, 3), (2, 3), (2, 3)],
        True,
        """\
import numpy as np


def helper0(a, b):
    return (np.sum(a) + (a[0] + a[0]))


def f(a, b, c):
    t1 = ((a[0, 0] + a[0, 0]) + (a[0] + a[0, 0]))
    t1 += np.sin(a[0, 0])
    t1 += np.sin(a[0, 0])
    if np.sum((a + a)) > 0.0:
        t1[0] = ((a[0, 0] + a[0, 0]) + helper0(t1, a))
        t2 = np.sum((a / (1.0 + b[0] * b[0])), axis=0)
    else:
        t3 = ((-(b)) / (1.0 + (1.0 + a[1, 2] * a[1, 2]) ** 0.5 * (1.0 + a[1, 2] * a[1, 2]) ** 0.5))
    t4 = ((-(0.5))) ** 2
    return ((b[1, -1] + t4) / (1.5 + np.cos(helper0(a[-1], b))))
""",
    ),
    # the jvp changed the caller's tangent: dt13 = da, then dt13[-1, i15] = ...
    "seed3828": (
        3828,
        [(2, 3)],
        True,
        """\
import numpy as np


def helper0(a):
    t1 = np.sin(((a * np.ones((3,))) + (a * np.ones((3,)))))
    t1[0] = np.sin(a)
    t2 = ((a + a) + np.sin(a))
    t3 = (np.sin(a) + (a + a))
    t4 = ((a + a) + t1)
    return ((a + a) + a)


def helper1(a, b):
    for i5 in range(3):
        a = np.sin(np.sin(a))
        t6 = np.sum(np.sin(((a * np.ones((3,))) * np.ones((2, 3)))), axis=0)
        if np.sum((t6 + t6)) > 0.0:
            t7 = (np.sum((t6 * np.ones((2, 3))), axis=0) + (a * np.ones((2, 3))))
            t8 = (a + a)
            t9 = np.sin((t6 + t6))
        else:
            t6 += np.sin(np.sin(a))
            t10 = np.sin((a + a))
            t11 = ((b - t6[i5]) * (b + t10))
    return (((1.5 * np.ones((3,))) - (a * np.ones((3,)))) * (b + a))


def f(a):
    w12 = np.zeros((3,))
    w12[-1] = (w12[-1] / (1.5 + np.cos((a[-1, 1] * a[1, -1]))))
    w12 = np.mean(np.tanh(a), axis=0)
    t13 = (a + helper1(3.0, 3.0))
    for i14 in range(3):
        for i15 in range(3):
            t13[-1, i15] = ((a[-1, i15] * a[0, 2])) ** 2
            a = np.tanh((w12 + t13))
        w12[i14] = t13[-1, -1]
    w12 = (np.mean(t13[0], axis=0) * helper1(w12[-1], 0.5))
    t16 = helper0(np.sin(-0.7))
    return np.mean((a * w12))
""",
    ),
    # wrong gradient: the copy t7 = _t7 was forwarded into reads of t7 but not
    # into the subscripted target t7[1, -1] = ..., which then wrote into the old array
    "seed257": (
        257,
        [(2, 3), (3,)],
        True,
        """\
import numpy as np


def helper0(a, b):
    w1 = np.zeros((2, 3))
    w1[1, -1] += ((a / (1.5 + np.cos(b[1]))) - np.mean(w1[1], axis=-1))
    a = (np.sum(w1[1])) ** 2
    for i2 in range(2):
        for i3 in range(2):
            w1 = ((w1 - b) / (1.0 + (w1 / (1.5 + np.cos(w1))) * (w1 / (1.5 + np.cos(w1)))))
        w1[-1, -1] += (np.sum(w1) - (a + b[1]))
        t4 = np.cos(np.mean(w1[0]))
    w1[1, -1] = ((1.0 + w1[-1, 1] * w1[-1, 1]) ** 0.5 + np.mean(w1))
    return (w1) ** 2


def f(a, b):
    if np.sum(np.cos(a[1])) > -0.2:
        t5 = (a - (b / (1.5 + np.cos(a))))
        t5 = ((t5 - a[1]) * (a[1, 0]) ** 2)
        t6 = ((b[-1] * a[-1, 0]) / (1.0 + np.mean(t5[0]) * np.mean(t5[0])))
    else:
        b = np.sum((a / (1.5 + np.cos(a[0]))), axis=0)
    t7 = (-((a * a)))
    t7 *= np.exp(np.sin((t7) ** 3))
    t7[1, -1] = ((t7[-1, 0] + 3.0) * np.sum(t7))
    t7 *= (helper0(a[-1, -1], a[0])) ** 2
    return np.sum(((t7[-1] - b) * (a[1] / (1.5 + np.cos(a[-1])))))

""",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fuzz_case(name, tmp_path):
    seed, shapes, optimize, source = CASES[name]
    check_program(source, shapes, seed, tmp_path, optimize=optimize, require=_holds)


def _holds(condition) -> None:
    assert condition, "the kept inputs no longer sit on a smooth, finite point"


def f1(a):
    return np.sum(a * a)


def test_wrt_tuple_of_one():
    x = np.array([0.1, 0.2, 0.3])
    (g,) = tl.grad(f1, wrt=(0,))(x)
    np.testing.assert_allclose(g, 2 * x)


ALIASED_AUGASSIGN = """\
import numpy as np


def helper1(a, b):
    a += (a + a)
    return np.sin((a * np.ones((3,))))


def f(a):
    t7 = helper1(a, a)
    return np.sin(a)
"""


def test_augmented_assignment_to_an_argument_array_seen_by_the_caller(tmp_path):
    """Found as a silently wrong gradient: ``a += e`` changes the caller's 0-d array,
    which differentiating ``a = a + e`` misses. It is refused now (tangentlike/aliases.py)."""
    with pytest.raises(
        tl.UnsupportedSyntaxError, match="in-place update of `a`: `a` is an arg"
    ):
        check_program(
            ALIASED_AUGASSIGN, [()], 0, tmp_path, optimize=False, require=_holds
        )


# Found by the wider grammar (test_fuzz.py's check_wide) -------------------------------


def updates_its_scalar(a, c):
    c += np.sum(a * a)
    return np.sum(a * c * c)


def _second_difference_hvp(f, args, vs, h=1e-4):
    """The Hessian times ``vs``: central differences of central-difference gradients."""
    from tangentlike.api.check import numerical_grad

    def grads(s):
        moved = [a + s * v for a, v in zip(args, vs)]
        return [numerical_grad(f, moved, i) for i in range(len(args))]

    return [(p - m) / (2 * h) for p, m in zip(grads(h), grads(-h))]


def test_dense_derivatives_give_each_evaluation_its_own_arguments():
    """Class: a function updating its argument in place (a 0-d array's ``c += v``),
    evaluated again by hvp/hessian/jacobian on the argument it had updated: the
    Hessian-vector product was silently wrong (3.288 for 2.376)."""
    a, c = np.array([0.3, -0.2, 0.5]), np.array(0.7)
    vs = [np.array([1.0, 0.5, -1.0]), 0.3]
    want = _second_difference_hvp(updates_its_scalar, [a, 0.7], vs)
    got = tl.hvp(updates_its_scalar, wrt=(0, 1))(a.copy(), c.copy(), *vs)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    H = tl.hessian(updates_its_scalar, wrt=0)(a.copy(), c.copy())
    np.testing.assert_allclose(
        H @ vs[0],
        _second_difference_hvp(lambda x: updates_its_scalar(x, 0.7), [a], vs[:1])[0],
        rtol=1e-5,
        atol=1e-6,
    )
    J = tl.jacobian(updates_its_vector)(a.copy(), c.copy())
    np.testing.assert_allclose(J, numerical_jacobian(updates_its_vector, a, 0.7))


def updates_its_vector(a, c):
    c += np.sum(a * a)
    return a * c


def numerical_jacobian(f, a, c, h=1e-6):
    columns = []
    for k in range(a.size):
        e = np.zeros_like(a)
        e[k] = h
        columns.append((f(a + e, c) - f(a - e, c)) / (2 * h))
    return np.stack(columns, axis=-1)


def test_dask_forward_mode_of_a_parameter_named_a():
    """Class: the Dask code called dask.array by a name the function used: the
    tangent of a parameter ``a`` is ``da`` (``da.sin(...)`` on a float tangent:
    AttributeError).  The Dask code is NumPy's now, handed to Dask by NumPy."""
    da = pytest.importorskip("dask.array")
    from tangentlike.api.check import numerical_grad

    def f(a, b):
        return np.sum(np.sin(b[-1] - a) * b)

    a, b = 0.3, np.array([0.2, -0.4, 0.9])
    v, vb = 0.5, np.array([1.0, 0.0, -1.0])
    got = tl.jvp(f, wrt=(0, 1))(a, da.from_array(b, chunks=2), v, vb)
    want = numerical_grad(f, [a, b], 0) * v + numerical_grad(f, [a, b], 1) @ vb
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)
    source = tl.getsource(tl.jvp(f, wrt=(0, 1)), backend="dask")
    assert "np.sin(" in source


def test_an_item_added_into_a_reduction_gradient():
    """Class: a gradient that is a broadcast view (a reduction's, read-only) added
    into item by item (``t += q[j] ** 3`` before ``np.mean(q, axis=0)``): ValueError
    'read-only' inside the generated code."""
    from tangentlike.api.check import numerical_grad

    def f(a):
        tp = (a * np.ones(3), a * np.ones((2, 3)))
        p, q = tp
        t = 0.25 * p
        for _i in range(3):
            for j in range(1):
                t += q[j] ** 3
        return np.sum((t + a) * np.mean(q, axis=0))

    a = 0.4
    np.testing.assert_allclose(tl.grad(f)(a), numerical_grad(f, [a], 0), rtol=1e-6)


def reads_an_unpacked_row(x):
    tp = (x * 2.0, x * x)
    p, q = tp
    return np.sum(np.sin(q[-1])) + np.sum(p * q)


def test_an_item_of_a_dask_array_added_into_its_gradient():
    """Class: a runtime helper calling what Dask does not have: ``add_at`` ran
    ``numpy.add.at`` on a Dask gradient (TypeError: NotImplemented)."""
    da = pytest.importorskip("dask.array")
    from tangentlike.api.check import numerical_grad

    x = np.array([[0.3, -0.2, 0.5], [0.1, 0.7, -0.4]])
    got = tl.grad(reads_an_unpacked_row)(da.from_array(x, chunks=(1, 2)))
    want = numerical_grad(reads_an_unpacked_row, [x], 0)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)


def row_of_a_numpy_parameter(a, b):
    tp = (a, a[1])
    p, q = tp
    return np.sum(b * np.exp(np.sin(q))) + np.sum(p * p)


def test_a_numpy_parameters_row_takes_a_dask_gradient():
    """Class: in-place accumulation mixing array types, into an item: the Dask code
    added a Dask gradient into a row of a NumPy one (``ba[1] += g``: 'The out
    parameter is not fully supported'); it is ``ba[1] = ba[1] + g`` now."""
    da = pytest.importorskip("dask.array")
    from tangentlike.api.check import numerical_grad

    a = np.array([[0.3, -0.2, 0.5], [0.1, 0.7, -0.4]])
    b = np.array([0.2, -0.6, 0.9])
    got = tl.grad(row_of_a_numpy_parameter, wrt=(0, 1))(a, da.from_array(b, chunks=2))
    for i, g in enumerate(got):
        want = numerical_grad(row_of_a_numpy_parameter, [a, b], i)
        np.testing.assert_allclose(np.asarray(g), want, rtol=1e-6)


def joined_and_cut(a, b):
    return np.sum(np.sin(np.concatenate([a * 2.0, b])[1:4]))


def test_a_concatenation_of_dask_arrays_in_reverse_mode():
    """Class: a runtime helper calling what Dask does not implement: the gradient of a
    concatenation was cut with numpy.split (Dask warned and computed it in NumPy)."""
    da = pytest.importorskip("dask.array")
    from tangentlike.api.check import numerical_grad

    a, b = np.array([0.3, -0.2, 0.5]), np.array([0.1, 0.7, -0.4])
    got = tl.grad(joined_and_cut, wrt=(0, 1))(da.from_array(a, chunks=2), b)
    for i, g in enumerate(got):
        want = numerical_grad(joined_and_cut, [a, b], i)
        np.testing.assert_allclose(np.asarray(g), want, rtol=1e-6)


def product_of_means(a):
    return np.prod(np.mean(a, axis=0))


def test_a_reductions_gradient_in_other_chunks_than_its_input():
    """Class: a helper's Dask array in chunks it could not broadcast from: the
    gradient of a mean over axis 0, chunked (1, 1, 1) by prod's rule, broadcast to
    an input chunked ((1, 1), (2, 1)) (ValueError: cannot broadcast chunks)."""
    da = pytest.importorskip("dask.array")
    from tangentlike.api.check import numerical_grad

    a = np.array([[0.3, -0.2, 0.5], [0.1, 0.7, -0.4]])
    got = tl.grad(product_of_means)(da.from_array(a, chunks=(1, 2)))
    want = numerical_grad(product_of_means, [a], 0)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)


# Found by the wider grammar's comprehensions, dict loops and objects ----------------


def positive_squares(a):
    total = 0.0
    xs = [a, a[:2] * 2.0]
    for v in xs:
        if np.sum(v) > 0.0:
            total = total + np.sum(v * v)
    return total


def _hvp_by_differences(f, x, v, h=1e-4):
    from tangentlike.api.check import numerical_grad

    up = numerical_grad(f, [x + h * v], 0)
    down = numerical_grad(f, [x - h * v], 0)
    return (up - down) / (2 * h)


@pytest.mark.parametrize(
    "x", [[0.3, 0.5, -1.0], [-0.3, 0.5, 1.0], [-0.3, -0.5, 0.2]], ids=str
)
def test_a_branch_that_skips_a_loop_items_gradient(x):
    """Class: the zero a branch gives an adjoint it does not start
    (``bv = np.zeros_like(v)``) read ``v`` as the reverse sweep left it: another
    turn's item, of another shape here (ValueError), or a name not yet set
    (UnboundLocalError). The value ``v`` has where the branch begins is saved."""
    from tangentlike.api.check import numerical_grad

    x, v = np.array(x), np.array([0.2, -0.4, 0.7])
    want = numerical_grad(positive_squares, [x], 0)
    np.testing.assert_allclose(tl.grad(positive_squares)(x), want, atol=1e-7)
    np.testing.assert_allclose(tl.jvp(positive_squares)(x, v), want @ v, atol=1e-7)
    np.testing.assert_allclose(
        tl.hvp(positive_squares)(x, v),
        _hvp_by_differences(positive_squares, x, v),
        atol=1e-5,
    )


def filtered_sum_of_squares(x):
    return sum(v * v for v in x if v > 0) + sum([v for v in x if v < 0 if v > -5.0])


def test_an_item_popped_from_a_constant_list_in_forward_mode():
    """Class: ``v = lst.pop()`` of a list without a tangent left ``v``'s tangent
    unset (UnboundLocalError in hvp, forward over the reverse sweep's pops)."""
    x, v = np.array([0.7, -0.4, 1.3, -0.2]), np.array([0.2, -0.4, 0.7, 0.1])
    np.testing.assert_allclose(
        tl.hvp(filtered_sum_of_squares)(x, v),
        _hvp_by_differences(filtered_sum_of_squares, x, v),
        atol=1e-5,
    )


def sum_of_a_dict_comprehension(x):
    dd = {"u": x * 2.0, "v": np.sin(x)}
    dc = {k: np.tanh(v) * 2.0 for k, v in dd.items()}
    return np.sum(sum(dc.values()) + dc["u"])


def test_the_values_of_a_dict_read_whole():
    """Class: ``sum(d.values())`` outside a loop's header was refused
    (NoDerivativeError: no derivative template for d.values): it is the list a
    loop over ``d.values()`` makes."""
    from tangentlike.api.check import numerical_grad

    x, v = np.array([0.3, -0.8]), np.array([0.5, 1.0])
    want = numerical_grad(sum_of_a_dict_comprehension, [x], 0)
    np.testing.assert_allclose(tl.grad(sum_of_a_dict_comprehension)(x), want)
    got = tl.jvp(sum_of_a_dict_comprehension)(x, v)
    np.testing.assert_allclose(got, want @ v)


LINSPACE_OF_DASK = """\
import numpy as np


def f(a, b):
    q = (b, 0.25 * np.ones((2, 3)))[1]
    q = a + np.linspace(q[-1], a, 2)
    return np.sum(q) + b
"""


def test_linspace_between_dask_arrays(tmp_path):
    """Found in several seeds: a linspace whose ends are items of Dask arrays.
    Dask's linspace takes numbers for its ends, so the function itself does not
    run on such arguments: not a finding, and the fuzzer passes over it (it also
    passed axis= to Dask's linspace in the tangent, which tests/test_backends.py
    now checks).  With NumPy arguments the same program's derivatives are right."""
    da = pytest.importorskip("dask.array")
    from tests.test_fuzz import check_wide_source, load

    f = load(LINSPACE_OF_DASK, tmp_path)
    with pytest.raises(TypeError):
        f(da.from_array(np.ones(3), chunks=2), 0.5).compute()
    check_wide_source(LINSPACE_OF_DASK, [(3,), ()], "plain", 312, tmp_path)


LIST_REBUILT_IN_A_LOOP = """\
import numpy as np


class Holder0:
    def __init__(self, u, v):
        self.u = u
        self.v = v

    def mix(self):
        return (1.0 + self.v * self.v) ** 0.5


def f(a, b, c):
    xs1 = []
    for i2 in range(4):
        xs1.append((c + c) * (i2 + 1.0))
    p3, p4, p5, p6 = xs1
    acc7 = (a * a)
    for v in xs1:
        acc7 = acc7 + np.sin(v)
    acc8 = (acc7 / (1.0 + c[-1] * c[-1]))
    for k, v in enumerate(xs1):
        acc8 = acc8 * 0.5 + v * (k + 0.5)
    t9 = (np.sum(np.stack(xs1), axis=0)) + (np.sum(np.stack(xs1), axis=0))
    acc7 = (np.cos(acc7) / (1.0 + (c[0] / (1.0 + a * a)) * (c[0] / (1.0 + a * a))))
    for i10 in range(2):
        xs11 = []
        for i12 in range(3):
            xs11.append(acc7[i10] * (i12 + 1.0))
        p13, p14, p15 = xs11
        acc16 = (acc8[0] / (1.5 + np.cos(b)))
        for v in xs11:
            acc16 = acc16 * 0.5 + v
        acc17 = (acc16 + c[i10])
        for k, v in enumerate(xs11):
            acc17 = acc17 + np.sin(v * (k + 0.5))
        t18 = (xs11[-1]) + (xs11[2]) + (xs11[-1])
        xs19 = [(t9) ** 3, (acc8 / (1.0 + t9 * t9)), (t9 * acc7[0])]
        t23 = sum(np.log(1.0 / (1 + np.exp(-np.sin(v20)))) * np.sum(np.log(1.0 / (1 + np.exp(-np.sin(w22))))) for v20 in xs19 for w22 in xs19[:2])
    return (np.sum(np.full((3,), a[1, 0])) - acc8[0, 2])
"""


def test_a_list_rebuilt_on_each_turn_of_an_outer_loop(tmp_path):
    """Class: the zeros a loop's carried adjoint starts from
    (``bxs11 = zero_grad(xs11)``, before the reversed inner loop) read ``xs11`` as
    the reverse sweep left it: the outer loop's other turn's list, emptied by its
    pops (IndexError: pop from empty list). Its value where the loop ends is saved."""
    from tests.test_fuzz import check_wide_source

    check_wide_source(
        LIST_REBUILT_IN_A_LOOP, [(2, 3), (), (2, 3)], "plain", 359, tmp_path
    )


def _sum_of_a_branch_generator(a):
    t = a * 2.0
    if np.sum(a) > 100.0:
        t = sum(v * 2.0 for v in [a, t])
    return np.sum(t * t)


def twice_through_a_branch_generator(a):
    return _sum_of_a_branch_generator(a) + _sum_of_a_branch_generator(a * a)


@pytest.mark.parametrize("shift", [0.0, 50.0])
def test_a_helpers_generator_in_a_branch_not_taken(shift):
    """Class: a helper called twice runs as a forward and a backward half; the
    list a generator expression saves is None when its branch was not taken,
    and the backward half's copy ``_genexp = list(_genexp)`` raised TypeError
    (found by the wide fuzzer's slow run, seed 7331)."""
    from tangentlike.api.check import numerical_grad

    a = np.array([0.3, -0.7, 1.1]) + shift
    want = numerical_grad(twice_through_a_branch_generator, [a], 0)
    got = tl.grad(twice_through_a_branch_generator)(a)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
