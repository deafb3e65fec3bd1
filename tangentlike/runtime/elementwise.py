"""Elementwise helpers of the templates."""

from __future__ import annotations

import numpy

from ..errors import UnsupportedDerivativeError
from .facts import helper


@helper()
def stop_gradient(x):
    """``x``, treated as a constant by every transform: no gradient flows through it.

    Args:
        x: any value.

    Returns:
        ``x`` itself.

    Example:
        >>> import numpy as np, tangentlike as tl
        >>> def f(x):
        ...     return np.sum(x * tl.stop_gradient(x))
        >>> tl.grad(f)(np.array([1.0, 2.0]))
        array([1., 2.])
    """
    return x


@helper()
def safe_log(x):
    """log(x) where x > 0, else 0: the d/dy of x**y where the real log exists."""
    return numpy.log(numpy.where(x > 0, x, 1.0))


@helper()
def sinc_deriv(x):
    """d sinc(x) / dx, 0 at x = 0."""
    safe = numpy.where(x == 0, 1, x)
    return numpy.where(
        x == 0, 0, (numpy.cos(numpy.pi * safe) - numpy.sinc(safe)) / safe
    )


@helper()
def clip_mask(a, a_min, a_max):
    """Where ``clip`` passes ``a`` through."""
    keep = numpy.ones_like(a, dtype=bool)
    if a_min is not None:
        keep = keep & (a >= a_min)
    if a_max is not None:
        keep = keep & (a <= a_max)
    return keep


@helper(linear=0)
def zero_cases(g, a, derived=False):
    """``g``.  A rule exact at the zeros of ``a`` by cases (cumprod's) reads ``a``
    through ``zero_cases(a, a)``: the rule's derivatives pass ``derived=True`` and
    raise where ``a`` has zeros, since its cases would make them wrong there."""
    if derived and numpy.any(a == 0):
        raise UnsupportedDerivativeError(
            "the second derivative of cumprod at an input with zeros"
        )
    return g


@helper(linear=0)
def item_of(a):
    """``a.item()``: the number a one-element array holds, as a Python number (a
    number is itself)."""
    return a.item() if hasattr(a, "item") else a


# The asymptotic series of the digamma and trigamma functions, good to 1e-15 for
# arguments of 10 and more; smaller ones are moved up by the recurrences
# psi(x) = psi(x + 1) - 1/x and psi1(x) = psi1(x + 1) + 1/x**2, and negative ones
# reflected.  Pure NumPy: lgamma's derivatives without SciPy.
_DIGAMMA = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)
_TRIGAMMA = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)


def _shifted(x, step):
    """``x`` (0.5 or more) moved up to 10 or more, and the sum of ``step(x + k)``
    on the way."""
    x = numpy.array(x, dtype=float)
    acc = numpy.zeros_like(x)
    for _ in range(10):
        low = x < 10.0
        acc = acc + numpy.where(low, step(numpy.where(low, x, 1.0)), 0.0)
        x = numpy.where(low, x + 1.0, x)
    return x, acc


def _series(x, coefficients, power):
    inv2 = 1.0 / (x * x)
    total = numpy.zeros_like(x)
    for c in reversed(coefficients):
        total = (total + c) * inv2
    return total * x ** (2 - power)


def _as_input(x, value):
    """``value`` as a Python float where ``x`` is a number."""
    return float(value) if numpy.ndim(x) == 0 else value


@helper()
def digamma(x):
    """The digamma function, d lgamma(x) / dx, in NumPy."""
    a = numpy.array(x, dtype=float)
    negative = a < 0.5
    z = numpy.where(negative, 1.0 - a, a)
    z, acc = _shifted(z, lambda v: -1.0 / v)
    value = numpy.log(z) - 0.5 / z - _series(z, _DIGAMMA, 2) + acc
    cot = numpy.pi / numpy.tan(numpy.pi * numpy.where(negative, a, 0.25))
    return _as_input(x, numpy.where(negative, value - cot, value))


@helper()
def trigamma(x):
    """The trigamma function, d digamma(x) / dx, in NumPy."""
    a = numpy.array(x, dtype=float)
    negative = a < 0.5
    z = numpy.where(negative, 1.0 - a, a)
    z, acc = _shifted(z, lambda v: 1.0 / (v * v))
    value = 1.0 / z + 0.5 / (z * z) + _series(z, _TRIGAMMA, 3) + acc
    sin = numpy.sin(numpy.pi * numpy.where(negative, a, 0.5))
    return _as_input(x, numpy.where(negative, (numpy.pi / sin) ** 2 - value, value))
