"""NumPy's elementwise binary functions, clip and sinc."""

import math

import numpy
import numpy as np

from tangentlike.runtime import (  # noqa: F401
    clip_mask,
    safe_log,
    sinc_deriv,
    unbroadcast,
    unbroadcast_as,
)
from tangentlike.template import adjoint, d, unary

unary(numpy.sinc, "sinc_deriv(x)")


@adjoint([numpy.arctan2, math.atan2])
def arctan2(z, x1, x2):
    d[x1] = unbroadcast(d[z] * x2 / (x1 * x1 + x2 * x2), x1)
    d[x2] = unbroadcast(-d[z] * x1 / (x1 * x1 + x2 * x2), x2)


@adjoint([numpy.hypot, math.hypot])
def hypot(z, x1, x2):
    d[x1] = unbroadcast(d[z] * x1 / z, x1)
    d[x2] = unbroadcast(d[z] * x2 / z, x2)


@adjoint(numpy.logaddexp)
def logaddexp(z, x1, x2):
    d[x1] = unbroadcast(d[z] * np.exp(x1 - z), x1)
    d[x2] = unbroadcast(d[z] * np.exp(x2 - z), x2)


@adjoint(numpy.logaddexp2)
def logaddexp2(z, x1, x2):
    d[x1] = unbroadcast(d[z] * np.exp2(x1 - z), x1)
    d[x2] = unbroadcast(d[z] * np.exp2(x2 - z), x2)


@adjoint(numpy.fmax)
def fmax(z, x1, x2):
    d[x1] = unbroadcast(d[z] * ((x1 >= x2) | np.isnan(x2)), x1)
    d[x2] = unbroadcast(d[z] * ((x1 < x2) | np.isnan(x1)), x2)


@adjoint(numpy.fmin)
def fmin(z, x1, x2):
    d[x1] = unbroadcast(d[z] * ((x1 <= x2) | np.isnan(x2)), x1)
    d[x2] = unbroadcast(d[z] * ((x1 > x2) | np.isnan(x1)), x2)


@adjoint(numpy.clip)
def clip(z, a, a_min=None, a_max=None):
    d[a] = unbroadcast(d[z] * clip_mask(a, a_min, a_max), a)
    d[a_min] = unbroadcast(d[z] * (a < a_min), a_min)
    d[a_max] = unbroadcast(d[z] * (a > a_max), a_max)


@adjoint(numpy.copysign)
def copysign(z, x1, x2):
    d[x1] = unbroadcast(d[z] * np.copysign(1.0, x1) * np.copysign(1.0, x2), x1)


@adjoint(numpy.float_power)
def float_power(z, x1, x2):
    d[x1] = unbroadcast_as(d[z] * x2 * np.float_power(x1, x2 - 1), x1)
    d[x2] = unbroadcast_as(d[z] * z * safe_log(x1), x2)
