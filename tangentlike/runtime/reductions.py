"""What the gradients of reductions need a function for: the products of the other
elements (``prod``), the first zero of each slice (``cumprod``), the shape 1-D
weights take along an axis (``average``), the sums of a gradient added at
picked places (log-softmax picked), the norms but the 2-norm (``norm``,
whose matrix norms go through an SVD).
"""

from __future__ import annotations

import numpy

from ..errors import UnsupportedDerivativeError
from .broadcast import _cast, unreduce
from .containers import _is_dask, add_at
from .facts import helper


@helper()
def prod_others(a, axis=None):
    """d prod(a, axis) / d a: the product of the other elements of each slice, by
    exclusive cumulative products from both ends (no division, so zeros are exact)."""
    flat, restore = _slices_last(a, axis)
    ones = numpy.ones_like(flat[..., :1])
    left = numpy.cumprod(numpy.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    rev = numpy.flip(flat, -1)[..., :-1]
    right = numpy.flip(
        numpy.cumprod(numpy.concatenate([ones, rev], axis=-1), axis=-1), -1
    )
    return restore(left * right)


@helper()
def first_zeros(a, axis=None):
    """``(before, first)`` along ``axis``: where a slice has had no zero yet, and
    where its first zero is (cumprod's cases)."""
    zero = a == 0
    seen = numpy.cumsum(zero, axis=axis)
    return seen == 0, zero & (seen == 1)


@helper()
def weights_shape(weights, a, axis=None):
    """The shape ``average``'s weights broadcast in against ``a``: their own, or for
    1-D weights of an n-D ``a``, their length along ``axis`` and 1 elsewhere."""
    if weights is None:
        raise UnsupportedDerivativeError(
            "average's weights are None but passed as a name: write weights=None "
            "in the call, or pass the weights themselves"
        )
    if numpy.ndim(weights) == 1 and numpy.ndim(a) > 1:
        shape = [1] * numpy.ndim(a)
        shape[axis] = -1
        return tuple(shape)
    return numpy.shape(weights)


@helper(linear=0)
def picked_sum(value, p, index, axis):
    """``sum(add_at(None, p, index, value), axis=axis, keepdims=True)``: the sums along
    ``axis`` of ``value`` added at the places ``p[index]`` picks.  Where ``p`` is a
    matrix picked by two integer indices, that is ``value`` added along the other
    axis alone, into a vector (no matrix of zeros, no sum over it); where a slice
    is picked more than once, its picks are added in their order, not the sum's."""
    shape = getattr(p, "shape", ())
    if len(shape) != 2 or _is_dask(p) or not _integer_pair(index):
        return numpy.sum(add_at(None, p, index, value), axis=axis, keepdims=True)
    other = 1 - axis % 2
    total = numpy.zeros_like(p, shape=(shape[other],))
    along = index[other]  # value has the shape the index arrays broadcast to
    if numpy.shape(along) != numpy.shape(value):
        along = numpy.broadcast_to(along, numpy.shape(value))
    numpy.add.at(total, along, value)
    return numpy.expand_dims(total, axis)


def _integer_pair(index) -> bool:
    """Whether ``index`` is two integers or arrays of integers (no slice, no mask)."""
    if not (isinstance(index, tuple) and len(index) == 2):
        return False
    kinds = [getattr(i, "dtype", None) for i in index]
    return all(
        (k is None and isinstance(i, int) and not isinstance(i, bool))
        or (k is not None and k.kind in "iu")
        for i, k in zip(index, kinds)
    )


def _slices_last(a, axis):
    """``a`` with the reduced axes flattened into the last one, and the inverse map."""
    shape = numpy.shape(a)
    if axis is None:
        return numpy.reshape(a, (-1,)), lambda r: numpy.reshape(r, shape)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    axes = [ax % len(shape) for ax in axes]
    ends = list(range(-len(axes), 0))
    moved = numpy.moveaxis(a, axes, ends)
    flat = numpy.reshape(moved, numpy.shape(moved)[: len(shape) - len(axes)] + (-1,))
    return flat, lambda r: numpy.moveaxis(
        numpy.reshape(r, numpy.shape(moved)), ends, axes
    )


# NumPy's norm means different functions by ``ord`` and ``axis``: no axis and
# no ord is the 2-norm of everything; a matrix (two axes) takes its own rules,
# but for Frobenius, which is the vector 2-norm; the vector norms 2, 1, inf and
# any p each have their gradient.
@helper(linear=0)
def norm_grad(g, y, x, ord=None, axis=None, keepdims=False):
    """Gradient of ``numpy.linalg.norm`` for vector and matrix norms."""
    matrix = (axis is None and numpy.ndim(x) == 2) or isinstance(axis, (tuple, list))
    if axis is None and ord is None:
        axis, matrix = tuple(range(numpy.ndim(x))), False
    if matrix and ord in (None, "fro"):
        ord, matrix = 2, False
    if axis is None:
        axis = tuple(range(numpy.ndim(x)))
    if matrix:
        return _matrix_norm_grad(g, x, ord, axis, keepdims)
    gx = unreduce(g, x, axis, keepdims)
    yx = unreduce(y, x, axis, keepdims)
    if ord in (None, 2):
        return gx * x / yx
    if ord == 1:
        return gx * numpy.sign(x)
    if ord in (numpy.inf, -numpy.inf):
        hit = numpy.abs(x) == yx
        count = hit.sum(axis=axis, keepdims=True)
        return _cast(gx * hit / count, x) * numpy.sign(x)
    return gx * numpy.sign(x) * (numpy.abs(x) / yx) ** (ord - 1)


# Matrix norms by kind: the 1- and inf-norms pick the largest column or row sum
# (ties share the gradient), the 2-, -2- and nuclear norms come from the SVD, and
# the rest are refused.
def _matrix_norm_grad(g, x, ord, axis, keepdims):
    a0, a1 = (ax % numpy.ndim(x) for ax in axis)
    xm = numpy.moveaxis(x, (a0, a1), (-2, -1))
    if not keepdims:
        g = numpy.expand_dims(g, tuple(sorted((a0, a1))))
    gm = numpy.moveaxis(g, (a0, a1), (-2, -1))
    if ord in (1, -1, numpy.inf, -numpy.inf):
        colwise = ord in (1, -1)
        sums = numpy.abs(xm).sum(axis=-2 if colwise else -1, keepdims=True)
        pick = numpy.max if ord > 0 else numpy.min
        hit = sums == pick(sums, axis=-1 if colwise else -2, keepdims=True)
        out = gm * hit * numpy.sign(xm) / hit.sum(axis=(-2, -1), keepdims=True)
    elif ord in (2, -2, "nuc"):
        u, s, vt = numpy.linalg.svd(xm, full_matrices=False)
        if ord == "nuc":
            out = gm * (u @ vt)
        else:
            k = 0 if ord == 2 else -1
            out = gm * (u[..., :, k : k + 1 or None] @ vt[..., k : k + 1 or None, :])
    else:
        raise UnsupportedDerivativeError(f"the matrix norm with ord={ord!r}")
    return _cast(numpy.moveaxis(out, (-2, -1), (a0, a1)), x)
