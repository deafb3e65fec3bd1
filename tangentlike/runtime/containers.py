"""Gradients of containers: zeros shaped like a value, lists, tuples and dicts added
item by item, items taken and put back.
"""

from __future__ import annotations

import numpy

from .broadcast import unbroadcast


def zeros_like(x):
    """A zero derivative shaped like ``x``; containers get containers of zeros."""
    if isinstance(x, dict):
        return {k: zeros_like(v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(
        x, "_fields"
    ):  # a named tuple (slogdet's result)
        return type(x)(*(zeros_like(v) for v in x))
    if isinstance(x, (list, tuple)):
        return type(x)(zeros_like(v) for v in x)
    if isinstance(x, (float, int)):
        return 0.0
    return numpy.zeros_like(x)


def zeros_items(x):
    """Zeros to add gradients into item by item (``bxs[k] += g``, ``bxs[1:] += g``):
    for a list or a tuple, a GradList of the zeros of its items (a pair ``(W, b)``
    too, so ``+=`` adds it item by item); for an array, an array."""
    if isinstance(x, (list, tuple)):
        return GradList(zeros_items(v) for v in x)
    if isinstance(x, dict):
        return {k: zeros_items(v) for k, v in x.items()}
    return zeros_like(x)


class GradList(list):
    """The gradient of a list or tuple, item by item: ``+`` and ``+=`` add items (a
    list would concatenate), and a slice is a GradList too, so ``bxs[1:] += g``
    adds ``g``'s items into ``bxs[1:]``."""

    def __getitem__(self, index):
        got = super().__getitem__(index)
        return GradList(got) if isinstance(index, slice) else got

    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    __iadd__ = __add__  # a new GradList: ``bxs[1:] += g`` stores it back


def owned(x):
    """A copy of a derivative that is about to be updated in place and may be
    another name's (``dy = dx`` before ``dy[i] = ...``); immutable values as they are."""
    copy = getattr(x, "copy", None)
    return x if copy is None or isinstance(x, tuple) else copy()


def add_at(g, x, index, value):
    """``g`` with ``value`` added at ``x[index]``; ``g`` may be None for zero.
    Lists, tuples and dicts give a new container; arrays are updated in place."""
    if _is_zero(g):
        g = None
    if isinstance(x, (list, tuple, dict)):
        g = zeros_like(x) if g is None else g
        g = dict(g) if isinstance(x, dict) else list(g)
        g[index] = add(g[index], value)
        return tuple(g) if isinstance(x, tuple) else g
    if g is None:
        g = numpy.zeros_like(x)
    numpy.add.at(g, index, value)
    return g


def setitem_grad(g, index):
    """The gradient of ``v`` in ``x[index] = v`` from ``g``, the gradient of ``x`` after
    it: ``g[index]``, where of a position written more than once only the last write,
    the one NumPy keeps, receives it (the others are overwritten: zero)."""
    taken = g[index]
    if isinstance(g, (list, tuple)):  # a list's item: one place, written once
        return taken
    writes = numpy.arange(numpy.size(taken), like=g).reshape(numpy.shape(taken))
    last = numpy.full_like(g, -1, dtype=writes.dtype)
    last[index] = writes
    return numpy.where(last[index] == writes, taken, 0)


class _Absent:
    """The item a dict did not have before ``d[k] = v``."""

    def __repr__(self):
        return "ABSENT"


ABSENT = _Absent()


def item_or_absent(c, key):
    """``c[key]`` (a copy, for an array), or ABSENT where a dict has no such key."""
    if isinstance(c, dict) and key not in c:
        return ABSENT
    item = c[key]
    return item.copy() if isinstance(item, numpy.ndarray) else item


def restore_item(c, key, old) -> None:
    """Undo ``c[key] = v``: put the old item back, or remove a key that was new."""
    if old is ABSENT:
        del c[key]
    else:
        c[key] = old


def take_item(g, c, key):
    """``(g[key], g with zero there)``: the gradient of the item ``c[key] = v`` set,
    and the container's gradient before that assignment (a new container)."""
    if g is None or _is_zero(g):
        return 0.0, None
    g = dict(g) if isinstance(g, dict) else list(g)
    taken = g.get(key, 0.0) if isinstance(g, dict) else g[key]
    g[key] = zeros_like(c[key])  # c still holds the item: it is put back after this
    return taken, g


def _is_zero(v) -> bool:
    return isinstance(v, float) and v == 0.0


def add(a, b):
    """The sum of two gradients: numbers and arrays add, lists, tuples and dicts add
    item by item (``+`` would concatenate them), a 0.0 is zero."""
    if _is_zero(a):
        return b
    if _is_zero(b):
        return a
    if isinstance(a, (list, tuple)):
        return type(a)(add(u, v) for u, v in zip(a, b))
    if isinstance(a, dict):
        return {k: add(a[k], b[k]) if k in b else a[k] for k in a} | {
            k: v for k, v in b.items() if k not in a
        }
    return a + b


def sum_grad(g, xs):
    """Gradient of builtin ``sum(xs)``: ``g`` for each item, summed to its shape.
    For an array the items are its rows: ``g`` broadcast along its first axis."""
    if isinstance(xs, (list, tuple)) or not hasattr(xs, "shape"):
        return [unbroadcast(g, x) for x in xs]
    return numpy.broadcast_to(g, xs.shape)
