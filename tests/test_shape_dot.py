"""``np.dot`` of two vectors is a number to the shape analysis: the variant
compiled for known shapes takes its seed as it is, with no ``unbroadcast`` of
the product.  Gradients checked against central differences in float64."""

import numpy as np
import pytest

import tangentlike as tl


def quadratic(A, v):
    return np.dot(v, A @ v) + np.sum(A * A)


def chained(x, M):
    y = np.dot(M, x)  # a matrix times a vector: a vector
    return np.dot(y, y) * np.dot(x, x)


def central(f, args, i, h=1e-6):
    x = args[i]
    out = np.zeros(x.shape)
    for k in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[k] = h
        up = [*args[:i], x + step, *args[i + 1 :]]
        down = [*args[:i], x - step, *args[i + 1 :]]
        out[k] = (f(*up) - f(*down)) / (2 * h)
    return out


A = np.array([[1.0, 0.5, -0.3], [0.2, -1.1, 0.4], [0.7, 0.3, 0.9]])
V = np.array([0.4, -0.6, 1.2])


@pytest.mark.parametrize(
    ("f", "args", "wrt"),
    [(quadratic, (A, V), 0), (quadratic, (A, V), 1), (chained, (V, A), 0)],
)
def test_the_variant_of_a_dot_of_two_vectors(f, args, wrt):
    df = tl.grad(f, wrt=wrt)
    np.testing.assert_allclose(df(*args), central(f, args, wrt), rtol=1e-6)
    variant = tl.getsource(df, args=args)
    assert "unbroadcast" not in variant
