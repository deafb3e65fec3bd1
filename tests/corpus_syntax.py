"""A corpus of the Python people write beyond arithmetic and loops: ``try``,
``with``, ``*args``/``**kwargs``, keyword-only parameters, docstrings, ``del``.

Each entry of ``CORPUS`` is ``(function, args, autograd_ok)``; every function
returns a scalar and is differentiated in its first argument.
"""

import contextlib
import warnings

import numpy as np

from .corpus_tools import registrar

RNG = np.random.default_rng(1)
VEC = RNG.normal(size=4)
POS = np.abs(VEC) + 0.5
MAT = np.array([[2.0, 0.5], [0.3, 1.5]])
INDEFINITE = np.array([[-1.0, 2.0], [0.5, -3.0]])
CORPUS = []
case = registrar(CORPUS)


# try / except -------------------------------------------------------------------
@case(MAT)
@case(INDEFINITE)
def try_falls_back(a):
    try:
        factor = np.linalg.cholesky((a + a.T) * 0.5)
    except np.linalg.LinAlgError:
        factor = a * 0.5
    return np.sum(factor * a)


@case(MAT)
@case(INDEFINITE)
def try_returns_in_both(a):
    try:
        return np.sum(np.linalg.cholesky(a + a.T) ** 2)
    except np.linalg.LinAlgError:
        return np.sum(a**2)


@case(POS)
def handler_only_raises(x):
    try:
        y = np.log(x)
    except FloatingPointError as exc:
        raise ValueError("x must be positive") from exc
    return np.sum(y * x)


@case(VEC)
def try_else(x):
    try:
        y = np.sin(x)
    except TypeError:
        y = x
    else:
        y = y * x
    return np.sum(y)


def _checked_sqrt(v):
    if v < 0:
        raise ValueError("negative")
    return np.sqrt(v)


@case(0.7)
@case(-0.7)
def try_around_a_call(x):
    try:
        y = _checked_sqrt(x * 3.0)
    except ValueError:
        y = x * x
    return y * x


@case(0.9, autograd=False)
def try_in_a_loop_stops_part_way(x):
    s = 0.0
    for i in range(4):
        try:
            t = x * (i + 1.0)
            u = t * t
            if i == 2:
                raise ValueError("skip this one")
            s = s + u
        except ValueError:
            s = s * 2.0
    return s


@case(POS)
def try_finally(x):
    old = np.seterr(divide="raise")
    try:
        y = np.log(x)
    finally:
        np.seterr(**old)
    return np.sum(y * y)


# with ---------------------------------------------------------------------------
@case(POS)
def with_errstate(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(x) * x
    return np.sum(y)


@case(VEC)
def with_several_contexts(x):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        y = np.tanh(x) * x
    return np.sum(y**2)


@case(np.array([0.5, -1.0, 2.0]))
@case(np.array([-0.5, -1.0, 2.0]))
def with_suppress(x):
    y = x * 1.0
    with contextlib.suppress(ZeroDivisionError):
        scale = 1.0 / float(x[0] > 0.0)
        y = x * scale * 3.0
    return np.sum(y * x)


@case(POS)
def return_inside_with(x):
    with np.errstate(all="ignore"):
        return np.sum(np.sqrt(x) * x)


@case(VEC)
def with_in_a_loop(x):
    s = 0.0
    for i in range(3):
        with np.errstate(over="ignore"):
            s = s + np.sum(np.exp(x * i))
    return s


# parameters and calls -----------------------------------------------------------
def _sum_squares(*arrays):
    total = 0.0
    for a in arrays:
        total = total + np.sum(a**2)
    return total


@case(VEC)
def star_args_helper(x):
    return _sum_squares(x, 2.0 * x)


def _weighted(x, *rest, scale=1.0, **options):
    out = np.sum(x) * scale
    for r in rest:
        out = out + np.sum(r * x)
    return out * options["gain"]


@case(VEC)
def mixed_parameters(x):
    extra = (x * x, np.cos(x))
    return _weighted(x, *extra, scale=2.0, gain=0.5) + _weighted(x, gain=1.5)


def _forward_options(x, **opts):
    return _weighted(x, **opts)


@case(VEC)
def kwargs_forwarded(x):
    return _forward_options(x, scale=3.0, gain=2.0)


def _power(x, p=2.0):
    return np.sum(x**p)


@case(POS)
def spread_options_into_named_parameters(x):
    opts = {"p": 3.0}
    return _power(x, **opts) + _power(x, *[1.5])


@case(VEC)
def keyword_only(x, *, a=2.0):
    return np.sum(a * x * x)


@case(VEC)
def docstring_and_del(x):
    """The sum of squares, with a temporary deleted."""
    y = x * 2.0
    z = np.sum(y * x)
    del y
    return z
