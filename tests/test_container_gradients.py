"""The gradient of a list is a GradList, of a tuple a GradTuple, of a dict a GradDict:
every runtime helper that returns a container gradient keeps that invariant, so
that adding two gradients adds their items instead of concatenating them. Programs
that read one list several ways (summed, indexed, unpacked, joined) check it end to
end against finite differences."""

import inspect
from collections import namedtuple

import numpy as np
import pytest

import tangentlike as tl
from tangentlike import runtime
from tangentlike.runtime import GradDict, GradList, GradTuple
from tangentlike.runtime.facts import names

A, B = np.array([1.0, 2.0]), np.array([3.0, -1.0])
KINDS = {list: GradList, tuple: GradTuple, dict: GradDict}


def assert_kind(g, x):
    """``g`` is a gradient of ``x``'s kind, at every level of nesting."""
    for plain, grad_kind in KINDS.items():
        if isinstance(x, plain):
            assert isinstance(g, grad_kind), (type(g), type(x))
            pairs = zip(g.values(), x.values()) if plain is dict else zip(g, x)
            for u, v in pairs:
                assert_kind(u, v)


def assert_adds(g):
    """``g + g`` doubles every item (a plain list or tuple would concatenate)."""
    assert_doubles(g + g, g)


def assert_doubles(two, one):
    if not isinstance(one, (list, tuple, dict)):
        np.testing.assert_array_equal(two, 2 * np.asarray(one))
        return
    assert type(two) is type(one) and len(two) == len(one)
    if isinstance(one, dict):
        two, one = two.values(), one.values()
    for u, v in zip(two, one):
        assert_doubles(u, v)


SEQUENCES = [[A, B], (A, B), [A, (B, 1.5)], ([A], {"b": B})]
Point = namedtuple("Point", "a b")  # an object's gradient goes by its fields
CONTAINERS = SEQUENCES + [{"a": A, "b": B}, {"a": [A, B]}]
NUMBERS = [[1.5, 0.5], (1.5, 0.5)]  # what sorted() takes

# each helper that returns a container gradient: (x, the call giving x's gradient)
CASES = {
    "zero_grad": [(x, lambda x: runtime.zero_grad(x)) for x in CONTAINERS],
    "add_at": [(x, lambda x: runtime.add_at(None, x, 0, A)) for x in SEQUENCES[:2]]
    + [(CONTAINERS[4], lambda x: runtime.add_at(None, x, "a", A))],
    "take_item": [
        (x, lambda x: runtime.take_item(runtime.zero_grad(x), x, 0)[1])
        for x in SEQUENCES[:2]
    ]
    + [(CONTAINERS[4], lambda x: runtime.take_item({"a": A, "b": B}, x, "a")[1])],
    "add": [(x, lambda x: runtime.add(runtime.zero_grad(x), x)) for x in CONTAINERS]
    + [(x, lambda x: runtime.add(x, x)) for x in CONTAINERS]
    + [(x, lambda x: runtime.add(0.0, x)) for x in CONTAINERS],
    "as_kind": [(x, lambda x: runtime.as_kind(x)) for x in CONTAINERS[:2]],
    "attr_grad": [(Point(A, B), lambda x: runtime.attr_grad(A, x, "b"))],
    "sum_grad": [(x, lambda x: runtime.sum_grad(1.0, x)) for x in SEQUENCES[:2]],
    "unsort": [(x, lambda x: runtime.unsort([A, B], x)) for x in NUMBERS],
    "sorted_like": [
        (x, lambda x: runtime.sorted_like(GradList([A, B]), x)) for x in NUMBERS[:1]
    ],  # sorted() gives a list
    "array_grad": [
        (x, lambda x: runtime.array_grad(np.ones((2, 2)), x)) for x in SEQUENCES[:2]
    ],
    "plus_grad": [
        (x, lambda x, k=k: runtime.plus_grad(GradList([A, B, A]), [A], [B, A], k))
        for k, x in enumerate(([A], [B, A]))
    ],
    "times_grad": [
        (x, lambda x: runtime.times_grad(GradTuple([A, B, A, B]), x, 2, 0))
        for x in SEQUENCES[1:2]
    ],
    "unconcat": [(x, lambda x: runtime.unconcat(np.ones(4), x)) for x in SEQUENCES[:2]],
    "unstack": [
        (x, lambda x: runtime.unstack(np.ones((2, 2)), x)) for x in SEQUENCES[:2]
    ],
    "hstack_grad": [
        (x, lambda x: runtime.hstack_grad(np.ones(4), x)) for x in SEQUENCES[:2]
    ],
    "vstack_grad": [
        (x, lambda x: runtime.vstack_grad(np.ones((2, 2)), x)) for x in SEQUENCES[:2]
    ],
    "column_stack_grad": [
        (x, lambda x: runtime.column_stack_grad(np.ones((2, 2)), x))
        for x in SEQUENCES[:2]
    ],
}
# zeros_items's working copy of a sequence is a GradList, so items add in place
ITEMS = [(x, runtime.zeros_items(x)) for x in CONTAINERS]


@pytest.mark.parametrize(
    "helper, x, call",
    [(h, x, call) for h, cases in CASES.items() for x, call in cases],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_helper_keeps_the_gradient_kind(helper, x, call):
    g = call(x)
    assert_kind(g, x)
    assert_adds(g)


@pytest.mark.parametrize("x, g", ITEMS)
def test_zeros_items_is_a_grad_list_for_sequences(x, g):
    assert type(g) is (GradDict if isinstance(x, dict) else GradList)
    assert_adds(g)


def test_every_container_helper_is_checked():
    """A new runtime helper returning a container gradient must join CASES."""
    from tangentlike.runtime import containers

    returning = {
        name
        for name, f in inspect.getmembers(containers, inspect.isfunction)
        if f.__module__ == containers.__name__ and not name.startswith("_")
    }
    tangents_and_items = {"zeros_like", "zeros_items", "owned", "as_grad", "attr_part"}
    not_containers = {
        "setitem_grad",
        "setitem_scatter",
        "item_or_absent",
        "restore_item",
        "is_record",  # whether a value is an object
    }
    assert returning - tangents_and_items - not_containers <= set(CASES)
    assert names(returns_list=True) <= set(CASES)


def test_grad_list_slices_and_copies_keep_the_kind():
    g = GradList([A, B, A])
    assert type(g[1:]) is GradList and type(g.copy()) is GradList
    assert type(GradTuple((A, B))[:1]) is GradTuple
    assert type(GradDict(a=A).copy()) is GradDict
    with pytest.raises(TypeError):
        g * 2


def test_a_length_mismatch_is_an_error_not_a_truncation():
    with pytest.raises(ValueError):
        runtime.add(GradList([A, B]), GradList([A]))


# programs ---------------------------------------------------------------------


def summed_and_indexed(x):  # the issue's example: 6.0 was returned, 13.2 is right
    parts = []
    for i in range(4):
        parts.append(x * i)
    return sum(parts) + parts[2] * parts[3]


def unpacked_and_summed(x):
    t = (x, 2 * x)
    a, b = t
    return a * b + t[0] + sum(t)


def set_then_summed(x):
    parts = [x, 2 * x]
    parts[0] = parts[0] * 3.0
    return sum(parts) + parts[0] * parts[1]


def unpacked_twice(x):
    t = (x, 2 * x)
    a, b = t
    c, d = t
    return a * d + b * c


def joined(x):
    a = [1.0, 2.0]
    b = [x, 2 * x]
    c = a + b
    return c[0] * c[1] + c[2] * 3.0 + sum(c)


def repeated(x):
    t = (x, x * 2.0)
    u = t * 2
    return sum(u) + u[3] * u[0]


def pair(x):
    return x * 2.0, x * x


def a_user_result_indexed(x):
    p, q = pair(x)
    t = pair(x)
    return p * q + t[0] + sum(t)


def stacked_and_looped(x):
    parts = []
    for i in range(3):
        parts.append(np.sin(x) * i)
    a, b, c = parts
    s = np.sum(sum(parts)) + np.sum(a * c) + np.sum(np.stack(parts) ** 2)
    for p in parts:
        s = s + np.sum(p * x)
    return s


def nested(x):
    rows = [[x, 2 * x], [x * x]]
    return sum(rows[0]) + rows[1][0] * rows[0][1]


PROGRAMS = [
    summed_and_indexed,
    unpacked_and_summed,
    set_then_summed,
    unpacked_twice,
    joined,
    repeated,
    a_user_result_indexed,
    nested,
]


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_a_list_read_several_ways(f):
    tl.check_grads(f, (0.6,), modes=("reverse", "forward"))


def test_the_issue_example_is_right():
    assert tl.grad(summed_and_indexed)(0.6) == pytest.approx(6 + 12 * 0.6)


def test_a_list_of_arrays_read_several_ways():
    tl.check_grads(stacked_and_looped, (np.array([0.3, -0.5]),), modes=("reverse",))


def test_second_order_through_a_joined_list():
    """Forward over reverse: the gradients' helpers have tangents."""
    tl.check_grads(joined, (0.6,), modes=("forward",), order=2)
    tl.check_grads(unpacked_and_summed, (0.6,), modes=("forward",), order=2)


def join_arguments(x, extra):
    c = extra + x
    return c[0] * c[-1]


def test_joining_argument_lists_is_refused_not_summed():
    with pytest.raises(tl.UnsupportedDerivativeError, match="joining of lists"):
        tl.grad(join_arguments)([0.6, 0.7], [1.0, 2.0])


def unpacked_appended_list(a):
    xs = []
    for i in range(3):
        xs.append(a * (i + 1.0))
    p, q, r = xs  # the list's only gradient: the reverse of the appends pops it
    return np.sum(p * r)


@pytest.mark.parametrize("optimize", [True, False])
def test_a_list_unpacked_gets_a_list_gradient(optimize):
    """Found by the wide fuzzer's slow run (seed 2174): the unpacking gave the
    list a tuple for its gradient, which the appends' reverse could not pop."""
    a = np.array([0.3, 0.5, -0.2])
    got = tl.grad(unpacked_appended_list, optimize=optimize)(a)
    np.testing.assert_allclose(got, 6.0 * a, rtol=1e-12)
    v = np.array([1.0, -1.0, 0.5])
    np.testing.assert_allclose(tl.hvp(unpacked_appended_list)(a, v), 6.0 * v)


def constant_item_set_then_stacked(a):
    xs = [np.ones((2, 3)), a * np.ones((2, 3)), np.zeros((2, 3))]
    xs[2] = 1.5 * np.ones((2, 3))  # a constant item: its tangent is its zeros
    return np.sum(np.stack(xs) ** 2)


def test_forward_mode_of_a_constant_item_set_in_a_list():
    """Found by the wide fuzzer's slow run (seeds 2588, 4173, 11755): the item's
    tangent was the number 0.0, which np.stack of the tangents refused."""
    got = tl.jvp(constant_item_set_then_stacked)(0.7, 1.0)
    np.testing.assert_allclose(got, 2.0 * 0.7 * 6.0)
    np.testing.assert_allclose(tl.grad(constant_item_set_then_stacked)(0.7), 8.4)
