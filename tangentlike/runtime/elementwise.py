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
