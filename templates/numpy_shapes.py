"""Shapes, joining, splitting, reordering and indexing functions."""

import numpy
import numpy as np

from tangentlike.runtime import (
    column_stack_grad,
    diff_grad,
    hstack_grad,
    pad_fill_grad,
    pad_grad,
    repeat_grad,
    take_along_grad,
    take_grad,
    tile_axes,
    unbroadcast,
    unconcat,
    unstack,
    vstack_grad,
)
from tangentlike.template import adjoint, d


@adjoint([numpy.expand_dims, numpy.squeeze, numpy.atleast_1d, numpy.atleast_2d])
def expand_dims(y, a, axis=None):
    d[a] = np.reshape(d[y], np.shape(a))


@adjoint(numpy.swapaxes)
def swapaxes(y, a, axis1, axis2):
    d[a] = np.swapaxes(d[y], axis1, axis2)


@adjoint(numpy.moveaxis)
def moveaxis(y, a, source, destination):
    d[a] = np.moveaxis(d[y], destination, source)


@adjoint(numpy.broadcast_to)
def broadcast_to(y, array, shape):
    d[array] = unbroadcast(d[y], array)


@adjoint(numpy.concatenate)
def concatenate(y, arrays, axis=0):
    d[arrays] = unconcat(d[y], arrays, axis)


@adjoint(numpy.stack)
def stack(y, arrays, axis=0):
    d[arrays] = unstack(d[y], arrays, axis)


@adjoint(numpy.hstack)
def hstack(y, tup):
    d[tup] = hstack_grad(d[y], tup)


@adjoint(numpy.vstack)
def vstack(y, tup):
    d[tup] = vstack_grad(d[y], tup)


@adjoint(numpy.column_stack)
def column_stack(y, tup):
    d[tup] = column_stack_grad(d[y], tup)


@adjoint([numpy.split, numpy.array_split])
def split(y, ary, indices_or_sections, axis=0):
    d[ary] = np.concatenate(d[y], axis=axis)


# the copies laid along axes of their own, and summed
@adjoint(numpy.tile)
def tile(y, A, reps):
    split, copies = tile_axes(A, reps)
    d[A] = np.reshape(np.sum(np.reshape(d[y], split), axis=copies), np.shape(A))


@adjoint(numpy.repeat)
def repeat(y, a, repeats, axis=None):
    d[a] = repeat_grad(d[y], a, repeats, axis)


@adjoint(numpy.flip)
def flip(y, m, axis=None):
    d[m] = np.flip(d[y], axis)


@adjoint(numpy.fliplr)
def fliplr(y, m):
    d[m] = np.fliplr(d[y])


@adjoint(numpy.flipud)
def flipud(y, m):
    d[m] = np.flipud(d[y])


@adjoint(numpy.roll)
def roll(y, a, shift, axis=None):
    d[a] = np.roll(d[y], np.negative(shift), axis)


@adjoint(numpy.pad)
def pad(
    y,
    array,
    pad_width,
    mode="constant",
    stat_length=None,
    constant_values=0,
    end_values=0,
    reflect_type="even",
):
    d[array] = pad_grad(d[y], array, pad_width, mode, stat_length, reflect_type)
    d[constant_values] = pad_fill_grad(
        d[y], array, constant_values, pad_width, mode, "constant"
    )
    d[end_values] = pad_fill_grad(
        d[y], array, end_values, pad_width, mode, "linear_ramp"
    )


@adjoint(numpy.take)
def take(y, a, indices, axis=None):
    d[a] = take_grad(d[y], a, indices, axis)


@adjoint(numpy.take_along_axis)
def take_along_axis(y, arr, indices, axis):
    d[arr] = take_along_grad(d[y], arr, indices, axis)


@adjoint(numpy.diff)
def diff(y, a, n=1, axis=-1):
    d[a] = diff_grad(d[y], n, axis)


# the sorting permutation undone (with axis=None, of the flattened array)
@adjoint(numpy.sort)
def sort(y, a, axis=-1, kind=None, order=None):
    perm = np.argsort(a, axis=axis, kind="stable")
    undo = np.argsort(perm, axis=axis)
    d[a] = np.reshape(np.take_along_axis(d[y], undo, axis), np.shape(a))
