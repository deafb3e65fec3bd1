"""In-place updates that another name would see are refused; updates nothing else
sees are differentiated, and their gradients match finite differences."""

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

HERE = __file__


# refused: another name, read later, holds the same array ---------------------------
def copy_then_augassign(x):
    y = x
    y += 1.0
    return np.sum(x * y)


def copy_then_setitem(x):
    y = x
    y[0] = y[0] * 3.0
    return np.sum(x * y)


def view_then_setitem(x):
    y = x[0:2]
    y[0] = y[0] * 3.0
    return np.sum(x * x)


def transpose_then_augassign(x):
    y = x.T
    y *= 2.0
    return np.sum(x * x)


def row_of_loop_updated(x):
    total = 0.0
    for row in x:
        row += 1.0
        total = total + np.sum(row)
    return total + np.sum(x)


def list_item_updated(x):
    hs = [x * 2.0]
    h = hs[0]
    h += 1.0
    return np.sum(hs[0] * h)


def updated_then_listed(x):
    h = x * 2.0
    hs = [h]
    h *= 3.0
    return np.sum(hs[0])


def out_argument(x):
    y = x
    np.sin(x, out=y)
    return np.sum(x * y)


def helper_updates_argument(a):
    a[0] = a[0] * 3.0
    return np.sum(a)


def calls_updating_helper(x):
    s = helper_updates_argument(x)
    return s + np.sum(x * x)


def helper_augassigns_argument(a):
    a += a * 2.0
    return np.sum(a)


def calls_augassigning_helper(x):
    s = helper_augassigns_argument(x)
    return s + np.sum(x * x)


WEIGHTS = np.array([1.0, 2.0, 3.0])


def updates_a_global(x):
    WEIGHTS[0] = x[0]
    return np.sum(WEIGHTS * x)


def popped_through_another_name(x):
    xs = [x * 2.0, x * 3.0]
    ys = xs
    last = xs.pop()
    return np.sum(last) + np.sum(ys[-1])


def sum_then_setitem(x):
    t = sum([np.log(1.0 + x * x)])  # a new array, which u then names too
    u = t
    u[0] = np.mean(u, axis=0)
    return np.sum(t + x)


def sum_with_start_then_augassign(x):
    y = x * 2.0
    t = sum([], y)  # no items: the start itself
    t += 1.0
    return np.sum(y * t)


def negation_then_augassign(x):
    t = -(0.5 / (1.5 + np.cos(x)))  # a new array, which u then names too
    u = t
    u += np.tanh(t)
    return np.sum(u / (1.5 + np.cos(t)))


REFUSED = [
    (negation_then_augassign, "`u`", "`t`"),
    (sum_then_setitem, "`u`", "`t`"),
    (sum_with_start_then_augassign, "`t`", "`y`"),
    (copy_then_augassign, "`y`", "`x`"),
    (copy_then_setitem, "`y`", "`x`"),
    (view_then_setitem, "`y`", "`x`"),
    (transpose_then_augassign, "`y`", "`x`"),
    (row_of_loop_updated, "`row`", "`x`"),
    (list_item_updated, "`h`", "`hs`"),
    (updated_then_listed, "`h`", "`hs`"),
    (out_argument, "`y`", "`x`"),
    (calls_updating_helper, "`a`", "`a` is an argument the caller passed in"),
    (calls_augassigning_helper, "`a`", "the caller passed in"),
    (updates_a_global, "`WEIGHTS`", "outside the function"),
    (popped_through_another_name, "`xs`", "`ys`"),
]


@pytest.mark.parametrize(
    "f, updated, seen_by", REFUSED, ids=[r[0].__name__ for r in REFUSED]
)
def test_update_seen_through_another_name_is_refused(f, updated, seen_by):
    with pytest.raises(tl.UnsupportedSyntaxError) as info:
        tl.grad(f)
    text = str(info.value)
    assert f"in-place update of {updated}" in text
    assert seen_by in text
    assert f'File "{HERE}"' in text and "Hint:" in text


def test_the_refused_programs_really_differ_from_rebinding():
    """What the refusal prevents: the gradient of ``y = y + 1`` is not that of the
    in-place update, which changes ``x`` too (finite differences see it)."""
    x = np.array([1.0, 2.0, 3.0])
    want = numerical_grad(copy_then_augassign, (x,), 0)
    np.testing.assert_allclose(want, 2 * (x + 1.0), rtol=1e-6)  # (x+1)**2, not x*(x+1)


def test_a_float_helper_may_write_the_update_as_a_new_value():
    def helper(a):
        a = a + 1.0
        return a * a

    def f(x):
        return helper(x) + x

    assert tl.grad(f)(2.0) == pytest.approx(2 * 3.0 + 1.0)


# accepted: nothing else reads the array the update changes ------------------------------
def accumulate_float(x):
    s = 0.0
    for i in range(3):
        s += x[i] * x[i]
    return s


def rebind_start_then_update(x):
    h = x
    for _ in range(3):
        h += 0.1 * np.sin(h)
    return np.sum(h)


def copy_then_update(x):
    y = x.copy()
    y[0] = y[0] * 3.0
    return np.sum(x * y)


def fresh_array_filled(x):
    out = np.zeros(3)
    out[0] = x[0]
    for i in range(1, 3):
        prev = out[i - 1]
        out[i] = prev * 0.5 + x[i]
    return np.sum(out * out)


def preallocated_list(x):
    hs = [None] * 3
    h = x
    for i in range(3):
        hs[i] = h
        h = np.sin(h) * 0.9
    return np.sum(hs[0] * hs[2]) + np.sum(h)


def appended_list(x):
    hs = []
    h = x
    for _ in range(3):
        hs.append(h)
        h = np.tanh(h) + 0.1
    total = h
    for i in range(3):
        total = total + hs[i] * 0.5
    return np.sum(total)


def rebound_before_update(x):
    y = x
    y = y * 2.0
    y += 1.0
    return np.sum(x * y)


def param_updated_at_top_level(x):
    x += 1.0
    return np.sum(x * x)


def helper_with_fresh_array(a):
    b = a * 1.0
    b += a
    return np.sum(b * b)


def calls_fresh_helper(x):
    return helper_with_fresh_array(x) + np.sum(x)


def popped_while_the_item_is_read(x):
    xs = [x * 2.0, x * 3.0, np.sin(x)]
    total = 0.0
    while xs:
        last = xs.pop()  # the item taken out does not see the list shrink
        total = total + np.sum(last * last)
    return total


def updated_through_an_unread_name(x):
    t = np.log(1.0 + x * x)
    q = t / (1.5 + np.cos(t))  # its derivative reads t as it is here
    u = t
    u[0] = np.mean(t, axis=0)  # u is read by nothing: t's row 0 must come back
    return np.sum(q * q)


ACCEPTED = [
    updated_through_an_unread_name,
    popped_while_the_item_is_read,
    accumulate_float,
    rebind_start_then_update,
    copy_then_update,
    fresh_array_filled,
    preallocated_list,
    appended_list,
    rebound_before_update,
    param_updated_at_top_level,
    calls_fresh_helper,
]


@pytest.mark.parametrize("f", ACCEPTED, ids=[f.__name__ for f in ACCEPTED])
@pytest.mark.parametrize("optimize", [True, False])
def test_update_nothing_else_sees_is_differentiated(f, optimize):
    x = np.array([0.3, -0.4, 0.8])
    got = tl.grad(f, optimize=optimize)(x.copy())
    np.testing.assert_allclose(got, numerical_grad(f, (x,), 0), rtol=1e-6, atol=1e-8)


def list_item_augassigned(x):
    y = x * 2.0
    hs = [y]
    hs[0] += 1.0
    return np.sum(hs[0] * y)


def test_augmented_update_of_a_list_item_is_seen_by_its_other_names():
    with pytest.raises(tl.UnsupportedSyntaxError, match="in-place update of `hs`"):
        tl.grad(list_item_augassigned)


def calls_a_local_function(x):
    g = np.sin
    y = g(x)
    y += 1.0
    return np.sum(x * y)


def test_a_call_through_a_local_name_may_return_its_argument():
    """The analysis cannot tell what ``g`` is, so its result may be ``x`` itself."""
    with pytest.raises(tl.UnsupportedSyntaxError, match="share its array with `x`"):
        tl.grad(calls_a_local_function)


def doubles(a):
    return a + a


def passes_through(a):
    return a


def updates_a_helpers_new_array(x):
    t = doubles(x)
    t -= 1.0
    return np.sum(t * x)


def updates_what_a_helper_passed_through(x):
    t = passes_through(x)
    t -= 1.0
    return np.sum(t * x)


def test_a_helper_returning_a_new_array_may_have_it_updated():
    x = np.array([0.3, -0.4, 0.8])
    got = tl.grad(updates_a_helpers_new_array)(x.copy())
    want = numerical_grad(updates_a_helpers_new_array, (x,), 0)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_a_helper_returning_its_argument_is_followed():
    with pytest.raises(tl.UnsupportedSyntaxError, match="share its array with `x`"):
        tl.grad(updates_what_a_helper_passed_through)


def alias_on_one_branch(x, c):
    if c > 0.0:
        y = x
    else:
        y = x * 2.0
    y += 1.0
    return np.sum(x * y)


def alias_by_unpacking(x, c):
    y, z = x, c
    y *= 2.0
    return np.sum(x * y) + z


def dict_item_updated(x, c):
    d = {"w": x}
    d["w"] += c
    return np.sum(d["w"] * x)


def reshaped_then_updated(x, c):
    y = x.reshape(3, 1)
    y[0, 0] = c
    return np.sum(x * x)


@pytest.mark.parametrize(
    "f",
    [alias_on_one_branch, alias_by_unpacking, dict_item_updated, reshaped_then_updated],
)
def test_more_ways_to_share_an_array_are_refused(f):
    with pytest.raises(tl.UnsupportedSyntaxError, match="in-place update of"):
        tl.grad(f)


def array_copy_updated(x, c):
    y = np.array(x)
    y += c
    z = x.astype(float)
    z[0] = c
    return np.sum(x * y * z)


def test_copies_made_by_numpy_may_be_updated():
    x = np.array([0.3, -0.4, 0.8])
    got = tl.grad(array_copy_updated)(x.copy(), 0.5)
    want = numerical_grad(lambda v: array_copy_updated(v, 0.5), (x,), 0)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def astype_then_updated(x, c):
    z = x.astype(float)
    z[0] = c
    return np.sum(x * z)


def test_astype_makes_a_copy():
    """``x.astype(float)`` copies; it used to become ``np.asarray(x, float)``, which
    does not, so ``z[0] = c`` changed ``x`` in the generated code."""
    x = np.array([0.3, -0.4, 0.8])
    got = tl.grad(astype_then_updated)(x.copy(), 0.5)
    np.testing.assert_allclose(got, [0.5, 2 * -0.4, 2 * 0.8], rtol=1e-12)
