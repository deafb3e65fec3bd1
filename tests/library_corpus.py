"""Calls of real library functions, the corpus tests/test_library_corpus.py
differentiates: NumPy's functions with no template (differentiated through their
source) and SciPy's (templates, or SciPy's own source).

Each entry is ``(library function, how it is differentiated, f, point, second
order)``: ``f`` takes one 1-D array, and ``second`` says whether its Hessian is
checked too.  Kept in a module of its own so tangentlike reads the source from a
real file; SciPy is imported by the test, which skips the SciPy part without it.
"""

import numpy as np
import numpy.polynomial.chebyshev as cheb
import numpy.polynomial.hermite as herm
import numpy.polynomial.hermite_e as herme
import numpy.polynomial.laguerre as lag
import numpy.polynomial.legendre as leg
import numpy.polynomial.polynomial as poly

SOURCE, TEMPLATE = "source", "template"

T4 = np.linspace(0.0, 1.0, 4)
W4 = np.array([0.5, -1.0, 2.0, 0.7])
M3 = np.array([[2.0, 0.3, -0.4], [0.1, 1.5, 0.2], [-0.3, 0.4, 1.8]])
M2 = M3[:2, :2]

X4 = np.array([0.3, 1.2, -0.7, 2.05])  # anywhere
U4 = np.array([0.2, 0.45, 0.7, 0.35])  # in (0, 1)
P4 = np.array([0.5, 1.3, 2.2, 0.9])  # positive
X6 = np.array([0.3, 1.2, -0.7, 2.05, 0.4, -0.2])
NOT_FINITE = np.array([1.5, np.nan, np.inf, -np.inf])


# NumPy, through the source --------------------------------------------------------


def polyval(c):
    return np.sum(np.polyval(c, T4) ** 2)


def polyval_matrix(c):
    return np.sum(np.polyval(c[:3], M3))


def trapezoid(y):
    return np.trapezoid(y * y, T4)


def trapezoid_axis(y):
    return np.sum(np.trapezoid(y.reshape(2, 2), axis=0) * W4[:2])


def cov(x):
    return np.sum(np.cov(np.stack([x, x * x])) * M2)


def cov_ddof(x):
    return np.sum(np.cov(x, x * x + T4, ddof=0))


def corrcoef(x):
    return np.sum(np.corrcoef(x, x**2 + T4) * M2)


def append(x):
    return np.sum(np.append(x, x * 2.0) ** 2)


def matrix_power(x):
    return np.sum(np.linalg.matrix_power(x.reshape(2, 2), 3))


def polynomial_polyval(c):
    return np.sum(poly.polyval(T4, c) * W4)


def polyvalfromroots(r):
    return np.sum(poly.polyvalfromroots(T4, r))


def chebval(c):
    return np.sum(cheb.chebval(T4, c) * W4)


def hermval(c):
    return np.sum(herm.hermval(T4, c) * W4)


def hermeval(c):
    return np.sum(herme.hermeval(T4, c) * W4)


def lagval(c):
    return np.sum(lag.lagval(T4, c) * W4)


def legval(c):
    return np.sum(leg.legval(T4, c) * W4)


def rot90(x):
    return np.sum(np.rot90(x.reshape(2, 2)) * M2)


def matrix_norm(x):
    return np.linalg.matrix_norm(x.reshape(2, 2))


def vector_norm(x):
    return np.linalg.vector_norm(x, ord=3)


def real_if_close(x):
    return np.sum(np.real_if_close(x) * W4)


def linalg_outer(x):
    return np.sum(np.linalg.outer(x, T4) ** 2)


def matrix_transpose(x):
    return np.sum(np.linalg.matrix_transpose(x.reshape(2, 2)) @ M2)


def linalg_trace(x):
    return np.linalg.trace(x.reshape(2, 2) @ x.reshape(2, 2))


def linalg_diagonal(x):
    return np.sum(np.linalg.diagonal(x.reshape(2, 2)) ** 2)


def resize(x):
    return np.sum(np.resize(x, (3, 3)) * M3)


def hsplit(x):
    return np.sum(np.hsplit(x.reshape(2, 2), 2)[0] ** 2)


def vsplit(x):
    return np.sum(np.vsplit(x.reshape(2, 2), 2)[1] ** 2)


def asarray_chkfinite(x):
    return np.sum(np.asarray_chkfinite(x) ** 3)


def emath_sqrt(x):
    return np.sum(np.emath.sqrt(x * x + 1.0))


def emath_log(x):
    return np.sum(np.emath.log(x * x + 1.0))


def emath_power(x):
    return np.sum(np.emath.power(x * x + 1.0, 1.5))


def extract(x):
    return np.sum(np.extract(X4 > 0, x) ** 2)


def real(x):
    return np.sum(np.real(x) ** 3)


def linalg_tensordot(x):
    return np.sum(np.linalg.tensordot(x.reshape(2, 2), M2, axes=1) ** 2)


def svdvals(x):
    return np.sum(np.linalg.svdvals(x.reshape(2, 2)))


def linalg_cross(x):
    return np.sum(np.linalg.cross(x[:3], x[1:] * W4[1:]) ** 2)


def linalg_cross_axis(x):
    return np.sum(
        np.linalg.cross(M3[:, :2] * x[:3, None], M3[:, 1:] + x[0], axis=0) ** 2
    )


def linalg_vecdot(x):
    return np.linalg.vecdot(x, W4 * x * x)


def linalg_vecdot_axis(x):
    return np.sum(np.linalg.vecdot(M3 * x[:3], M3.T * x[1:], axis=0) ** 2)


# NumPy, compiled functions with templates -------------------------------------------


def convolve(x):
    return np.sum(np.convolve(x, T4) ** 2)


def correlate(x):
    return np.sum(np.correlate(x, T4, "full") ** 2)


def interp_fp(fp):
    return np.sum(np.interp(np.array([0.1, 0.5, 0.9]), T4, fp) ** 2)


def median(x):
    return np.median(x * x)


def percentile(x):
    return np.percentile(x, 30.0)


def cross(x):
    return np.sum(np.cross(x[:3], x[1:]) ** 2)


def eigvalsh(x):
    return np.sum(np.linalg.eigvalsh(M3 + M3.T + x[0] * np.eye(3) + x[1]) ** 2)


def vander(x):
    return np.sum(np.vander(x, 3) @ W4[:3]) + np.sum(np.vander(x, increasing=True) ** 2)


def logaddexp_reduce(x):
    return np.logaddexp.reduce(x)


def vecdot(x):
    return np.sum(np.vecdot(M3[:, :2] * x[:2], x[2:]) * W4[:3])


def gradient(x):
    return np.sum(np.gradient(x**3) * W4)


def gradient_coordinates(x):
    return np.sum(np.gradient(x**3, np.cumsum(W4 * W4), edge_order=2) * W4)


def gradient_2d(x):
    rows, columns = np.gradient(np.outer(x, x[:3]), 0.5, T4[:3])
    return np.sum(rows * columns)


def nan_to_num(x):
    y = np.where(np.isfinite(NOT_FINITE), x * x, NOT_FINITE)
    return np.sum(np.nan_to_num(y, nan=x[0], posinf=2.0, neginf=-3.0) * W4)


def insert(x):
    return np.sum(np.insert(x * x, [0, 2, 4], x[1]) * np.arange(7.0))


def insert_columns(x):
    return np.sum(np.insert(M3 * x[:3], [1, 3], x[:3, None] * 2.0, axis=1) ** 2)


def cumulative_sum(x):
    return np.sum(np.cumulative_sum(x * x) * W4)


def cumulative_sum_initial(x):
    return np.sum(np.cumulative_sum(M3 * x[:3], axis=1, include_initial=True) ** 2)


def delete(x):
    return np.sum(np.delete(x * x, 1) * W4[:3])


def delete_columns(x):
    return np.sum(np.delete(M3 * x[:3], [0, 2], axis=1) ** 2)


NUMPY = [
    ("numpy.polyval", TEMPLATE, polyval, X4, True),
    ("numpy.polyval", TEMPLATE, polyval_matrix, X4, True),
    ("numpy.trapezoid", SOURCE, trapezoid, X4, True),
    ("numpy.trapezoid", SOURCE, trapezoid_axis, X4, True),
    ("numpy.cov", SOURCE, cov, X4, True),
    ("numpy.cov", SOURCE, cov_ddof, X4, True),
    ("numpy.corrcoef", SOURCE, corrcoef, X4, False),
    ("numpy.append", SOURCE, append, X4, True),
    ("numpy.linalg.matrix_power", SOURCE, matrix_power, X4, True),
    ("numpy.polynomial.polynomial.polyval", SOURCE, polynomial_polyval, X4, True),
    (
        "numpy.polynomial.polynomial.polyvalfromroots",
        SOURCE,
        polyvalfromroots,
        X4,
        True,
    ),
    ("numpy.polynomial.chebyshev.chebval", SOURCE, chebval, X4, True),
    ("numpy.polynomial.hermite.hermval", SOURCE, hermval, X4, True),
    ("numpy.polynomial.hermite_e.hermeval", SOURCE, hermeval, X4, True),
    ("numpy.polynomial.laguerre.lagval", SOURCE, lagval, X4, True),
    ("numpy.polynomial.legendre.legval", SOURCE, legval, X4, True),
    ("numpy.rot90", SOURCE, rot90, X4, False),
    ("numpy.linalg.matrix_norm", SOURCE, matrix_norm, X4, True),
    ("numpy.linalg.vector_norm", SOURCE, vector_norm, X4, True),
    ("numpy.real_if_close", SOURCE, real_if_close, X4, True),
    ("numpy.linalg.outer", SOURCE, linalg_outer, X4, True),
    ("numpy.linalg.matrix_transpose", SOURCE, matrix_transpose, X4, True),
    ("numpy.linalg.trace", SOURCE, linalg_trace, X4, True),
    ("numpy.linalg.diagonal", SOURCE, linalg_diagonal, X4, True),
    ("numpy.resize", SOURCE, resize, X4, False),
    ("numpy.hsplit", SOURCE, hsplit, X4, True),
    ("numpy.vsplit", SOURCE, vsplit, X4, True),
    ("numpy.asarray_chkfinite", SOURCE, asarray_chkfinite, X4, True),
    ("numpy.emath.sqrt", SOURCE, emath_sqrt, X4, True),
    ("numpy.emath.log", SOURCE, emath_log, X4, True),
    ("numpy.emath.power", SOURCE, emath_power, X4, True),
    ("numpy.extract", SOURCE, extract, X4, True),
    ("numpy.real", SOURCE, real, X4, True),
    ("numpy.linalg.tensordot", SOURCE, linalg_tensordot, X4, True),
    ("numpy.linalg.svdvals", SOURCE, svdvals, X4, True),
    ("numpy.linalg.cross", SOURCE, linalg_cross, X4, True),
    ("numpy.linalg.cross", SOURCE, linalg_cross_axis, X4, True),
    ("numpy.linalg.vecdot", SOURCE, linalg_vecdot, X4, True),
    ("numpy.linalg.vecdot", SOURCE, linalg_vecdot_axis, X4, True),
    ("numpy.convolve", TEMPLATE, convolve, X4, True),
    ("numpy.correlate", TEMPLATE, correlate, X4, True),
    ("numpy.interp", TEMPLATE, interp_fp, X4, True),
    ("numpy.median", TEMPLATE, median, X4, True),
    ("numpy.percentile", TEMPLATE, percentile, X4, True),
    ("numpy.cross", TEMPLATE, cross, X4, True),
    ("numpy.linalg.eigvalsh", TEMPLATE, eigvalsh, X4, True),
    ("numpy.logaddexp.reduce", TEMPLATE, logaddexp_reduce, X4, True),
    ("numpy.vander", TEMPLATE, vander, X4, True),
    ("numpy.vecdot", TEMPLATE, vecdot, X4, True),
    ("numpy.gradient", TEMPLATE, gradient, X4, True),
    ("numpy.gradient", TEMPLATE, gradient_coordinates, X4, True),
    ("numpy.gradient", TEMPLATE, gradient_2d, X4, True),
    ("numpy.nan_to_num", TEMPLATE, nan_to_num, X4, True),
    ("numpy.insert", TEMPLATE, insert, X4, True),
    ("numpy.insert", TEMPLATE, insert_columns, X4, True),
    ("numpy.delete", TEMPLATE, delete, X4, True),
    ("numpy.cumulative_sum", TEMPLATE, cumulative_sum, X4, True),
    ("numpy.cumulative_sum", TEMPLATE, cumulative_sum_initial, X4, True),
    ("numpy.delete", TEMPLATE, delete_columns, X4, True),
]
