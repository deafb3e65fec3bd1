"""Tangent (forward-mode) templates for NumPy's elementwise binary functions,
reductions and shape functions.

Most shape functions are linear: ``linear(numpy.flip)`` registers
``d[y] = np.flip(d[m], axis=axis)``, the function applied to the tangent with the
same arguments as its adjoint template.  Reductions whose output depends on one
slice each are ``reduction_tangent(d[a], local)``: the tangent times d y / d a,
summed over the reduced axes.
"""

import math

import gast
import numpy
import numpy as np

from tangentlike import template as tpl
from tangentlike.runtime import (
    broadcast_like,
    max_grad,
    norm_grad,
    prod_others,
    ptp_grad,
    safe_log,
)
from tangentlike.runtime.tangents import (
    average_tangent,
    cumprod_tangent,
    reduction_tangent,
    sort_tangent,
    var_tangent,
)
from tangentlike.template import d, tangent

from . import numpy_linalg, numpy_reductions, numpy_shapes  # noqa: F401  (adjoints first)

SKIPPED = ("out", "dtype")


def linear(*primals, params=None) -> None:
    """Register ``d[y] = f(d[x], ...)`` for each ``f``, linear in its first argument.

    The other arguments are the adjoint template's (``params`` overrides them), all
    positional, ``out`` and ``dtype`` left out.
    """
    for primal in primals:
        adj = tpl.ADJOINTS[primal]
        y, x, *rest = adj.params
        args = [p for p in rest if p not in SKIPPED] if params is None else list(params)
        source = f"d[{y}] = {_path(primal)}(d[{x}]{''.join(', ' + a for a in args)})"
        body = gast.parse(source).body
        tpl.TANGENTS[primal] = tpl.Template(
            primal, None, adj.params, adj.signature, body, {}
        )


def _path(primal) -> str:
    module = "np.linalg" if "linalg" in (primal.__module__ or "") else "np"
    return f"{module}.{primal.__name__}"


# elementwise ------------------------------------------------------------------------


@tangent([numpy.arctan2, math.atan2])
def arctan2(z, x1, x2):
    d[z] = (d[x1] * x2 - d[x2] * x1) / (x1 * x1 + x2 * x2)


@tangent([numpy.hypot, math.hypot])
def hypot(z, x1, x2):
    d[z] = (d[x1] * x1 + d[x2] * x2) / z


@tangent(numpy.logaddexp)
def logaddexp(z, x1, x2):
    d[z] = d[x1] * np.exp(x1 - z) + d[x2] * np.exp(x2 - z)


@tangent(numpy.logaddexp2)
def logaddexp2(z, x1, x2):
    d[z] = d[x1] * np.exp2(x1 - z) + d[x2] * np.exp2(x2 - z)


@tangent(numpy.fmax)
def fmax(z, x1, x2):
    d[z] = broadcast_like(np.where((x1 >= x2) | np.isnan(x2), d[x1], d[x2]), z)


@tangent(numpy.fmin)
def fmin(z, x1, x2):
    d[z] = broadcast_like(np.where((x1 <= x2) | np.isnan(x2), d[x1], d[x2]), z)


@tangent(numpy.copysign)
def copysign(z, x1, x2):
    d[z] = d[x1] * np.copysign(1.0, x1) * np.copysign(1.0, x2)


@tangent(numpy.float_power)
def float_power(z, x1, x2):
    d[z] = d[x1] * x2 * np.float_power(x1, x2 - 1) + d[x2] * z * safe_log(x1)


# reductions and scans -------------------------------------------------------------


@tangent(numpy.prod)
def prod(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[y] = reduction_tangent(d[a], prod_others(a, axis), axis, keepdims)


@tangent(numpy.var)
def var(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[y] = var_tangent(d[a], a, axis, ddof, keepdims)


@tangent(numpy.std)
def std(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[y] = 0.5 * var_tangent(d[a], a, axis, ddof, keepdims) / y


@tangent(numpy.average)
def average(y, a, axis=None, weights=None, returned=False, keepdims=False):
    d[y] = average_tangent(a, weights, d[a], d[weights], axis, keepdims, returned)


@tangent(numpy.cumprod)
def cumprod(y, a, axis=None, dtype=None, out=None):
    d[y] = cumprod_tangent(d[a], a, axis)


@tangent(numpy.ptp)
def ptp(y, a, axis=None, out=None, keepdims=False):
    d[y] = reduction_tangent(
        d[a], ptp_grad(np.ones_like(y), a, axis, keepdims), axis, keepdims
    )


@tangent(numpy.nansum)
def nansum(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[y] = np.sum(np.where(np.isnan(a), 0, d[a]), axis=axis, keepdims=keepdims)


@tangent(numpy.nanmean)
def nanmean(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[y] = np.nanmean(np.where(np.isnan(a), np.nan, d[a]), axis=axis, keepdims=keepdims)


@tangent([numpy.nanmax, numpy.nanmin])
def nanmax(y, a, axis=None, out=None, keepdims=False):
    d[y] = reduction_tangent(
        d[a], max_grad(np.ones_like(y), y, a, axis, keepdims), axis, keepdims
    )


@tangent(numpy.linalg.norm)
def norm(y, x, ord=None, axis=None, keepdims=False):
    d[y] = reduction_tangent(
        d[x], norm_grad(np.ones_like(y), y, x, ord, axis, keepdims), axis, keepdims
    )


linear(numpy.cumsum)

# shapes and indexing ----------------------------------------------------------------

linear(
    numpy.expand_dims,
    numpy.squeeze,
    numpy.swapaxes,
    numpy.moveaxis,
    numpy.broadcast_to,
    numpy.concatenate,
    numpy.stack,
    numpy.hstack,
    numpy.vstack,
    numpy.column_stack,
    numpy.split,
    numpy.array_split,
    numpy.tile,
    numpy.repeat,
    numpy.flip,
    numpy.fliplr,
    numpy.flipud,
    numpy.roll,
    numpy.take,
    numpy.take_along_axis,
    numpy.diff,
)
linear(numpy.atleast_1d, numpy.atleast_2d, params=())


@tangent(numpy.pad)
def pad(y, array, pad_width, mode="constant", constant_values=0):
    d[y] = np.pad(d[array], pad_width, mode=mode)


@tangent(numpy.sort)
def sort(y, a, axis=-1, kind=None, order=None):
    d[y] = sort_tangent(d[a], a, axis)
