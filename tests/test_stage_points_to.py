"""Points-to: which objects each name of a function may hold.

A *site* stands for the objects one expression makes, a parameter or a value from
outside.  A copy of a name or a view of it (``x[1:]``, ``x.T``, ``np.reshape``)
holds the same site; arithmetic and NumPy functions make a new one; a list holds
its items' sites; and each update in place is recorded with the sites it changes,
for the alias gate to judge whether another live name would see it."""

import pytest

from tangentlike.analysis.points_to import LIST, PointsTo

from .stages import scope, tree

FUNC = """
def f(x, ys):
    y = x
    v = x[1:]
    t = x.T
    w = np.reshape(x, (2, 3))
    z = np.sin(x)
    s = x * 2.0
    pair = [x, z]
    q = ys[0]
    y += 1.0
    pair.append(s)
    return z
"""


@pytest.fixture(scope="module")
def analysed():
    node = tree(FUNC)
    names = scope(node)
    points = PointsTo(names, ["x", "ys"], names.locals, False, lambda func: True)
    return points, points.block(node.body, points.start())


def labels(sites) -> list[str]:
    return sorted(site.label for site in sites)


def test_copies_and_views_hold_the_objects_they_come_from(analysed):
    _, state = analysed
    for name in ("y", "v", "t"):
        assert labels(state[name]) == ["x"], name
    assert "x" in labels(state["w"])  # np.reshape may return a view of x
    assert labels(state["q"]) == ["ys"]  # an item of an argument: the argument's


def test_new_values_are_made_at_their_line(analysed):
    _, state = analysed
    assert labels(state["z"]) == ["line 7"]
    assert labels(state["s"]) == ["line 8"]


def test_a_list_holds_its_items(analysed):
    _, state = analysed
    (site,) = state["pair"]
    assert site.kind == LIST
    assert labels(state[site]) == ["line 7", "line 8", "x"]  # x, z, then s appended


def test_updates_in_place_are_recorded_with_what_they_change(analysed):
    points, _ = analysed
    updates = {name: labels(sites) for _, name, sites, _ in points.updates.values()}
    assert updates == {"y": ["x"], "pair": ["line 9"]}  # y += 1.0 changes x too


def test_what_a_return_may_hold(analysed):
    points, _ = analysed
    assert labels(points.returned) == ["line 7"]
    assert points.returned.isdisjoint(points.params.values())  # not an argument
