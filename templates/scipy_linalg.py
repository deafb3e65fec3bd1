"""SciPy's linear algebra: ``solve_triangular``, ``cho_solve``, ``expm`` and ``norm``.

``solve_triangular`` reads one triangle of ``a`` (without its diagonal when
``unit_diagonal``), so its derivative in ``a`` lives on that triangle.  ``expm``'s
derivative is a block of the exponential of a block matrix (Najfeld and Havel,
1995): ``expm([[A, E], [0, A]])`` holds ``expm(A)`` and, top right, its
directional derivative along ``E``; the adjoint is the same along the gradient,
with ``A`` transposed.

Loaded only once the user's code has imported ``scipy.linalg``.
"""

import numpy as np
import scipy.linalg
from scipy.linalg import cho_solve, expm, solve_triangular

from tangentlike.template import adjoint, d, neutral, tangent

from . import numpy_reductions, tangents_numpy


@adjoint(scipy.linalg.solve_triangular)
def solve_triangular_(y, a, b, trans=0, lower=False, unit_diagonal=False):
    n = np.shape(a)[0]
    if trans in (0, "N"):
        back = solve_triangular(
            a, d[y], trans=1, lower=lower, unit_diagonal=unit_diagonal
        )
        full = -np.reshape(back, (n, -1)) @ np.reshape(y, (n, -1)).T
    elif trans in (1, "T"):
        back = solve_triangular(
            a, d[y], trans=0, lower=lower, unit_diagonal=unit_diagonal
        )
        full = -np.reshape(y, (n, -1)) @ np.reshape(back, (n, -1)).T
    else:
        raise NotImplementedError("solve_triangular with trans=2 ('C')")
    d[b] = back
    if lower and unit_diagonal:
        d[a] = np.tril(full, -1)
    elif lower:
        d[a] = np.tril(full)
    elif unit_diagonal:
        d[a] = np.triu(full, 1)
    else:
        d[a] = np.triu(full)


@tangent(scipy.linalg.solve_triangular)
def solve_triangular_tangent(y, a, b, trans=0, lower=False, unit_diagonal=False):
    if lower and unit_diagonal:
        da = np.tril(d[a], -1)
    elif lower:
        da = np.tril(d[a])
    elif unit_diagonal:
        da = np.triu(d[a], 1)
    else:
        da = np.triu(d[a])
    if trans in (0, "N"):
        moved = d[b] - da @ y
    elif trans in (1, "T"):
        moved = d[b] - np.transpose(da) @ y
    else:
        raise NotImplementedError("solve_triangular with trans=2 ('C')")
    d[y] = solve_triangular(
        a, moved, trans=trans, lower=lower, unit_diagonal=unit_diagonal
    )


# the factor's derivative is refused (the pair (c, lower) is one argument): b only
@adjoint(scipy.linalg.cho_solve)
def cho_solve_(y, c_and_lower, b):
    d[b] = cho_solve(c_and_lower, d[y])


@tangent(scipy.linalg.cho_solve)
def cho_solve_tangent(y, c_and_lower, b):
    d[y] = cho_solve(c_and_lower, d[b])


@adjoint(scipy.linalg.expm)
def expm_(y, A):
    n = np.shape(A)[-1]
    top = np.concatenate([np.transpose(A), d[y]], axis=1)
    bottom = np.concatenate([np.zeros_like(A), np.transpose(A)], axis=1)
    d[A] = expm(np.concatenate([top, bottom], axis=0))[:n, n:]


@tangent(scipy.linalg.expm)
def expm_tangent(y, A):
    n = np.shape(A)[-1]
    top = np.concatenate([A, d[A]], axis=1)
    bottom = np.concatenate([np.zeros_like(A), A], axis=1)
    d[y] = expm(np.concatenate([top, bottom], axis=0))[:n, n:]


# scipy.linalg.norm computes NumPy's norm (by BLAS for a vector): NumPy's rules
adjoint(scipy.linalg.norm)(numpy_reductions.norm)
tangent(scipy.linalg.norm)(tangents_numpy.norm)

neutral(
    [scipy.linalg.solve_triangular, scipy.linalg.cho_solve, scipy.linalg.norm],
    "overwrite_b",
    "check_finite",
)
