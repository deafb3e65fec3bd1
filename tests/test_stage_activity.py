"""Activity: the names that depend on a ``wrt`` input and reach the output.

Derivatives flow along the data-flow edges of the normalized code; comparisons,
integer arithmetic, shapes and NumPy's constant functions (``np.zeros_like``) cut
them.  The index sites number the statements so the reverse sweep can ask whether
a name may be rebound between a statement and its adjoint."""

from tangentlike.analysis import activity

from .stages import normalized

FUNC = """
def f(x, y, n):
    a = x * y
    k = n // 2
    c = a > 0.0
    e = np.zeros_like(x)
    u = np.sin(y)
    d = a + k * x.shape[0]
    return d
"""


def test_active_names_depend_on_wrt_and_reach_the_output():
    node, _ = normalized(FUNC)
    body, out = node.body[:-1], {node.body[-1].value.id}
    assert activity.active_names(body, {"x"}, out) == {"x", "a", "d"}
    # y reaches d, but its derivative is asked for only when y is in wrt
    assert activity.active_names(body, {"x", "y"}, out) == {"x", "y", "a", "d"}


def test_constants_cut_the_flow():
    node, _ = normalized(FUNC)
    flows = {
        target: sorted(sources)
        for targets, sources in activity.dataflow_edges(node.body)
        for target in targets
    }
    assert flows["a"] == ["x", "y"]
    assert flows["u"] == ["np", "y"]
    for constant in ("k", "c", "e"):  # n // 2, a comparison, np.zeros_like
        assert constant not in flows


def test_updates_in_place_flow_into_the_updated_name():
    node, _ = normalized("""
        def f(x, ys):
            ys.append(x)
            z = np.zeros(3)
            z[0] = x
            return z
    """)
    flows = activity.dataflow_edges(node.body)
    assert ({"ys"}, {"x", "ys"}) in flows
    assert ({"z"}, {"x", "z"}) in flows
    assert activity.active_names(node.body[:-1], {"x"}, {"z"}) == {"x", "z"}


def test_index_sites_say_what_may_change_before_the_adjoint():
    node, _ = normalized("""
        def f(x, h):
            y = x * 2.0
            for i in range(3):
                h = h * y
            x = y + 1.0
            return x
    """)
    first, loop, last = node.body[0], node.body[1], node.body[2]
    sites = activity.index_sites(node.body)
    assert sites.overwritten_after("x", first)  # rebound by the last statement
    assert not sites.overwritten_after("y", first)
    inner = loop.body[0]  # h = _h ... inside the loop
    assert sites.in_loop(inner) and not sites.in_loop(last)
    assert sites.overwritten_after("h", inner)  # the next iteration rebinds it
