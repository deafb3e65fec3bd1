"""Helpers for library functions written out in generated code."""

from __future__ import annotations

import numpy


def end_shape(a, end, axis=-1) -> tuple:
    """The shape ``np.diff(a, prepend=end)`` gives ``end`` before it joins ``a``:
    its own, or, for a scalar, ``a``'s with one element along ``axis``."""
    if numpy.ndim(end):
        return numpy.shape(end)
    shape = list(numpy.shape(a))
    shape[axis] = 1
    return tuple(shape)
