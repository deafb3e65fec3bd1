"""Dense derivatives of a list of differently shaped parameters, as a model keeps
them: jvp, hvp, hessian and jacobian, checked against central finite differences
of the flattened parameters."""

import numpy as np

import tangentlike as tl

PARAMS = [np.array([1.0, 2.0]), np.array([0.5, 1.5, 2.0])]


def two_layers(ps):
    return np.sum(ps[0] ** 2) * np.sum(ps[1] ** 3) + np.sum(ps[0])


def scaled(a, ps):
    return a * np.sum(ps[0] ** 2) * np.sum(np.sin(ps[1]))


def outer(ps):
    return ps[0] * np.sum(ps[1])


def _split(v):
    return [v[:2], v[2:]]


def _fd(f, x, h=1e-5):
    """Central differences of ``f`` at the flat float64 vector ``x``, one row per
    element of ``x`` (the output flattened after it)."""
    rows = []
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = h
        rows.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.array(rows)


def test_jvp_of_a_list_of_differently_shaped_arrays():
    tangents = [np.array([0.3, -1.0]), np.array([1.0, 0.0, 2.0])]
    got = tl.jvp(two_layers)(PARAMS, tangents)
    flat = np.concatenate(PARAMS)
    expected = _fd(lambda v: two_layers(_split(v)), flat) @ np.concatenate(tangents)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_hessian_of_a_list_has_a_block_for_each_pair_of_items():
    h = tl.hessian(two_layers)(PARAMS)
    assert [[b.shape for b in row] for row in h] == [[(2, 2), (2, 3)], [(3, 2), (3, 3)]]
    flat = np.concatenate(PARAMS)
    expected = _fd(lambda v: _fd(lambda u: two_layers(_split(u)), v), flat)
    np.testing.assert_allclose(np.block(h), expected, atol=1e-4)


def test_hvp_of_a_list_is_the_hessian_times_the_vectors():
    vs = [np.array([1.0, -1.0]), np.array([0.5, 0.0, 1.0])]
    got = tl.hvp(two_layers)(PARAMS, vs)
    expected = np.block(tl.hessian(two_layers)(PARAMS)) @ np.concatenate(vs)
    np.testing.assert_allclose(np.concatenate(got), expected, rtol=1e-10)


def test_hessian_blocks_of_a_number_and_a_list():
    h = tl.hessian(scaled, wrt=(0, 1))(1.5, PARAMS)
    assert np.shape(h[0][0]) == () and [np.shape(b) for b in h[0][1]] == [(2,), (3,)]
    flat = np.concatenate([[1.5], *PARAMS])
    full = _fd(lambda v: _fd(lambda u: scaled(u[0], _split(u[1:])), v), flat)
    np.testing.assert_allclose(np.concatenate(h[0][1]), full[0, 1:], atol=1e-4)
    np.testing.assert_allclose(np.block(h[1][1]), full[1:, 1:], atol=1e-4)


def test_jacobian_of_a_list_in_both_modes():
    flat = np.concatenate(PARAMS)
    expected = _fd(lambda v: outer(_split(v)), flat).T  # (2 outputs, 5 inputs)
    j = tl.jacobian(outer)(PARAMS)  # fewer outputs than inputs: reverse mode
    np.testing.assert_allclose(np.hstack(j), expected, rtol=1e-6)

    def first(ps):
        return ps[0][:1] * np.sum(ps[1])

    j = tl.jacobian(first)(PARAMS)
    np.testing.assert_allclose(np.hstack(j), expected[:1], rtol=1e-6)
