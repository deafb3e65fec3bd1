"""SciPy's common distributions: ``logpdf``, ``pdf``, ``cdf`` and ``logcdf`` of the
location-scale families norm, t, gamma, beta, expon, laplace and logistic, and
``multivariate_normal.logpdf``.

Each family is a row of formulas in the standardized variable ``z = (x - loc) /
scale``: its log-density ``log f(z)``, its score ``d log f / dz``, and the
derivative of ``log f`` in each shape parameter.  From them, for ``logpdf(x, *shapes,
loc, scale) = log f(z) - log(scale)``::

    d/dx = score / scale        d/dloc = -score / scale
    d/dscale = -(1 + z * score) / scale

``pdf`` is ``exp(logpdf)``, so its derivatives are the same times ``y``; ``cdf``'s
derivative in ``x`` is the density, in ``loc`` minus it and in ``scale`` ``-z``
times it; ``logcdf``'s are those over the ``cdf``.  The derivative of a ``cdf`` in a
shape parameter has no closed form here: such a call is refused where it is made.

Loaded only once the user's code has imported ``scipy.stats``.
"""

from dataclasses import dataclass, field

import numpy as np
import scipy.stats
from scipy.special import (  # noqa: F401  (read by the formulas of FAMILIES)
    betaln,
    digamma,
    gammaln,
    xlog1py,
    xlogy,
)

from tangentlike.runtime import unbroadcast, unreduce
from tangentlike.template import ADJOINTS, TANGENTS, adjoint, d, from_source, tangent


@dataclass
class Family:
    """One distribution's formulas in ``z`` and its shape parameters."""

    dist: object
    log_density: str  # log f(z)
    score: str  # d log f(z) / dz
    shapes: dict = field(default_factory=dict)  # shape parameter -> d log f / d it


FAMILIES = [
    Family(scipy.stats.norm, "-0.5 * z * z - 0.9189385332046727", "-z"),
    Family(
        scipy.stats.t,
        "gammaln(0.5 * df + 0.5) - gammaln(0.5 * df) - 0.5 * np.log(np.pi * df)"
        " - 0.5 * (df + 1.0) * np.log1p(z * z / df)",
        "-(df + 1.0) * z / (df + z * z)",
        {
            "df": "0.5 * (digamma(0.5 * df + 0.5) - digamma(0.5 * df) - 1.0 / df"
            " - np.log1p(z * z / df) + (df + 1.0) * z * z / (df * (df + z * z)))"
        },
    ),
    Family(
        scipy.stats.gamma,
        "xlogy(a - 1.0, z) - z - gammaln(a)",
        "(a - 1.0) / z - 1.0",
        {"a": "np.log(z) - digamma(a)"},
    ),
    Family(
        scipy.stats.beta,
        "xlogy(a - 1.0, z) + xlog1py(b - 1.0, -z) - betaln(a, b)",
        "(a - 1.0) / z - (b - 1.0) / (1.0 - z)",
        {
            "a": "np.log(z) - digamma(a) + digamma(a + b)",
            "b": "np.log1p(-z) - digamma(b) + digamma(a + b)",
        },
    ),
    Family(scipy.stats.expon, "-z", "-np.ones_like(z)"),
    Family(scipy.stats.laplace, "-np.abs(z) - 0.6931471805599453", "-np.sign(z)"),
    Family(
        scipy.stats.logistic,
        "-np.abs(z) - 2.0 * np.log1p(np.exp(-np.abs(z)))",
        "-np.tanh(0.5 * z)",
    ),
]

# z, and the log-density at x (log f(z) - log(scale)), from the call's arguments
STANDARDIZE = """
    if loc is None:
        shifted = x
    else:
        shifted = x - loc
    if scale is None:
        z = shifted
    else:
        z = shifted / scale
"""
PER_SCALE = """
    if scale is None:
        slope = {slope}
    else:
        slope = {slope} / scale
"""
LOG_DENSITY = """
    if scale is None:
        log_density = {log_f}
    else:
        log_density = {log_f} - np.log(scale)
"""

# method -> (the factor every derivative of logpdf is multiplied by, what the
# derivative of the cdf is divided by); None: the method's own rule
METHODS = {"logpdf": None, "pdf": "y", "cdf": None, "logcdf": "np.exp(-y)"}


def _signature(family: Family) -> str:
    shapes = "".join(f", {s}" for s in family.shapes)
    return f"(y, x{shapes}, loc=None, scale=None)"


def _density_rules(family: Family, method: str) -> dict:
    """param -> d y / d param, for logpdf and pdf."""
    factor = "" if METHODS[method] is None else f" * {METHODS[method]}"
    rules = {
        "x": f"slope{factor}",
        "loc": f"-slope{factor}",
        "scale": f"-(1.0 + z * score) / scale{factor}",
    }
    for shape, formula in family.shapes.items():
        rules[shape] = f"({formula}){factor}"
    return rules


def _cdf_rules(method: str) -> dict:
    """param -> d y / d param, for cdf and logcdf: the density, signed and scaled."""
    factor = "" if method == "cdf" else f" * {METHODS[method]}"
    return {
        "x": f"density{factor}",
        "loc": f"-density{factor}",
        "scale": f"-z * density{factor}",
    }


def _prelude(family: Family, method: str) -> str:
    """The temporaries a method's rules read."""
    if method in ("logpdf", "pdf"):
        body = STANDARDIZE + f"    score = {family.score}\n"
        return body + PER_SCALE.format(slope="score")
    body = STANDARDIZE + LOG_DENSITY.format(log_f=family.log_density)
    return body + "    density = np.exp(log_density)\n"


def _register(family: Family, method: str) -> None:
    name = f"{family.dist.name}_{method}"
    prelude = _prelude(family, method)
    rules = _density_rules(family, method) if "pdf" in method else _cdf_rules(method)
    adjoint_body = "".join(
        f"    d[{p}] = unbroadcast(d[y] * {rule}, {p})\n" for p, rule in rules.items()
    )
    tangent_value = " + ".join(f"d[{p}] * {rule}" for p, rule in rules.items())
    primal = getattr(family.dist, method)
    head = f"def {name}{_signature(family)}:"
    from_source(ADJOINTS, primal, head + prelude + adjoint_body, globals())
    tangent_body = f"    d[y] = {tangent_value}\n"
    from_source(TANGENTS, primal, head + prelude + tangent_body, globals())


for _family in FAMILIES:
    for _method in METHODS:
        _register(_family, _method)


# -0.5 (k log 2 pi + log det cov + r^T cov^-1 r) for each row r = x - mean ----------


@adjoint(scipy.stats.multivariate_normal.logpdf)
def mvn_logpdf(y, x, mean=None, cov=None, allow_singular=False):
    if mean is None:
        r = x
    else:
        r = x - mean
    rows = np.reshape(r, (-1, np.shape(r)[-1]))
    weight = np.reshape(d[y], (-1, 1))
    if cov is None:
        solved = rows
    else:
        precision = np.linalg.inv(cov)  # one factorization serves both gradients
        solved = rows @ precision  # cov is symmetric: each row times cov^-1
    d[x] = unbroadcast(np.reshape(-weight * solved, np.shape(r)), x)
    d[mean] = unbroadcast(np.reshape(weight * solved, np.shape(r)), mean)
    full = 0.5 * (solved.T @ (weight * solved) - np.sum(weight) * precision)
    d[cov] = np.tril(2.0 * full) - np.diag(np.diag(full))  # SciPy reads the lower half


@tangent(scipy.stats.multivariate_normal.logpdf)
def mvn_logpdf_tangent(y, x, mean=None, cov=None, allow_singular=False):
    if mean is None:
        r = x
    else:
        r = x - mean
    if cov is None:
        solved = r
    else:
        rows = np.reshape(r, (-1, np.shape(r)[-1]))
        solved = np.reshape(np.linalg.solve(cov, rows.T).T, np.shape(r))
    shift = np.sum(solved * (d[x] - d[mean]), axis=-1)
    dcov = np.tril(d[cov]) + np.transpose(np.tril(d[cov], -1))  # the lower half
    spread = 0.5 * np.sum(solved * (solved @ dcov), axis=-1)
    trace = 0.5 * np.sum(np.linalg.inv(cov) * dcov)
    d[y] = spread - shift - trace


# S = -sum(p log p) of p = pk / sum(pk) (with qk: sum(p log(p / q))), in nats unless
# base; through the normalization, dS/dpk = (log p - log q - S) / sum(pk)
@adjoint(scipy.stats.entropy)
def entropy(y, pk, qk=None, base=None, axis=0):
    if base is None:
        nats = y
        per_nat = d[y]
    else:
        nats = y * np.log(base)
        per_nat = d[y] / np.log(base)
    spread = unreduce(per_nat, pk, axis)
    total = np.sum(pk, axis=axis, keepdims=True)
    p = pk / total
    if qk is None:
        d[pk] = spread * (-np.log(p) - unreduce(nats, pk, axis)) / total
    else:
        qtotal = np.sum(qk, axis=axis, keepdims=True)
        q = qk / qtotal
        d[pk] = unbroadcast(
            spread * (np.log(p / q) - unreduce(nats, pk, axis)) / total, pk
        )
        d[qk] = unbroadcast(spread * (1.0 - p / q) / qtotal, qk)


@tangent(scipy.stats.entropy)
def entropy_tangent(y, pk, qk=None, base=None, axis=0):
    if base is None:
        nats = y
    else:
        nats = y * np.log(base)
    total = np.sum(pk, axis=axis, keepdims=True)
    p = pk / total
    if qk is None:
        rate = (-np.log(p) - unreduce(nats, pk, axis)) / total
        per_nat = np.sum(d[pk] * rate, axis=axis)
    else:
        qtotal = np.sum(qk, axis=axis, keepdims=True)
        q = qk / qtotal
        rate = (np.log(p / q) - unreduce(nats, pk, axis)) / total
        per_nat = np.sum(d[pk] * rate + d[qk] * (1.0 - p / q) / qtotal, axis=axis)
    if base is None:
        d[y] = per_nat
    else:
        d[y] = per_nat / np.log(base)
