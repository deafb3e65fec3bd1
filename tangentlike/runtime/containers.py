"""Gradients of containers: zeros shaped like a value, lists, tuples and dicts added
item by item, items taken and put back.

The invariant every helper here keeps: the gradient of a list is a ``GradList``, of
a tuple a ``GradTuple``, of a dict a ``GradDict``, never a plain container, whose
``+`` would concatenate (or fail). The one exception is ``zeros_items``, whose
working copy of a tuple's gradient is a ``GradList`` so that items can be added into
it in place. ``zeros_like`` is the zero *tangent* of a value, in the value's own
kind, since forward mode repeats the primal's operations (``+`` of two lists
concatenates their tangents too).
"""

from __future__ import annotations

import numpy

from ..errors import UnsupportedDerivativeError
from .broadcast import broadcast_as, unbroadcast
from .facts import helper


def is_record(x) -> bool:
    """An object whose attributes hold the values (a model, a dataclass): not an
    array, a number, a string, a container or None."""
    return not hasattr(x, "shape") and not isinstance(
        x, (int, float, complex, str, bytes, list, tuple, dict, type(None))
    )


@helper(fresh=True, shape_of=0)
def zeros_like(x):
    """A zero tangent shaped like ``x``; containers get containers of zeros, of the
    same kind as ``x``; an object, an empty dict (no attribute has a tangent)."""
    if is_record(x):
        return {}
    if isinstance(x, dict):
        zeros = {k: zeros_like(v) for k, v in x.items()}
        return GradDict(zeros) if isinstance(x, GradDict) else zeros
    if isinstance(x, tuple) and hasattr(x, "_fields"):  # slogdet's named result
        return type(x)(*(zeros_like(v) for v in x))
    if isinstance(x, (list, tuple)):
        return type(x)(zeros_like(v) for v in x)
    if isinstance(x, (float, int)):
        return 0.0
    return numpy.zeros_like(x)


@helper(fresh=True)
def zeros_items(x):
    """The zero gradient of ``x``, to add gradients into item by item (``bxs[k] += g``,
    ``bxs[1:] += g``): for a list or a tuple, a GradList of the zeros of its items (a
    pair ``(W, b)`` too, so ``+=`` adds it item by item), a GradDict for a dict; for
    an array, an array."""
    if isinstance(x, (list, tuple)):
        return GradList(zeros_items(v) for v in x)
    if isinstance(x, dict):
        return GradDict({k: zeros_items(v) for k, v in x.items()})
    return zero_grad(x) if is_record(x) else zeros_like(x)


@helper(fresh=True)
def zero_grad(x):
    """The zero gradient of ``x``: a GradList, GradTuple or GradDict of zeros for a
    list, tuple or dict, zeros like ``x`` otherwise."""
    if isinstance(x, (list, tuple, dict)):
        items = x.items() if isinstance(x, dict) else enumerate(x)
        zeros = {k: zero_grad(v) for k, v in items}
        return _grad_kind(x)(zeros if isinstance(x, dict) else zeros.values())
    return GradDict() if is_record(x) else zeros_like(x)


class GradList(list):
    """The gradient of a list (or a tuple's, being updated), item by item: ``+`` and
    ``+=`` add items (a list would concatenate), and a slice is a GradList too, so
    ``bxs[1:] += g`` adds ``g``'s items into ``bxs[1:]``."""

    def __getitem__(self, index):
        got = super().__getitem__(index)
        return GradList(got) if isinstance(index, slice) else got

    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    __iadd__ = __add__  # a new GradList: ``bxs[1:] += g`` stores it back

    def copy(self):
        return GradList(self)

    def __mul__(self, other):
        raise TypeError("a gradient of a list cannot be repeated")

    __rmul__ = __mul__


class GradTuple(tuple):
    """The gradient of a tuple: ``+`` adds item by item (a tuple would concatenate);
    a slice is a GradTuple too."""

    __slots__ = ()

    def __getitem__(self, index):
        got = super().__getitem__(index)
        return GradTuple(got) if isinstance(index, slice) else got

    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    def __mul__(self, other):
        raise TypeError("a gradient of a tuple cannot be repeated")

    __rmul__ = __mul__


class GradDict(dict):
    """The gradient of a dict: ``+`` adds the values of equal keys, and keeps the
    others (a dict has no ``+``)."""

    def copy(self):
        return GradDict(self)

    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)


@helper(linear=1)
def as_grad(x, items):
    """``items``, the gradients of the items of ``x``, as the gradient of ``x``: a
    GradTuple for a tuple, a GradList for a list, an array stacked along the first
    axis for an array (whose items are its rows)."""
    if isinstance(x, tuple):
        return GradTuple(items)
    if isinstance(x, (list, GradList)) or not hasattr(x, "shape"):
        return GradList(items)
    return numpy.reshape(numpy.stack(list(items)), numpy.shape(x))


def _grad_kind(x):
    """The gradient kind of a container ``x``."""
    if isinstance(x, dict):
        return GradDict
    return GradTuple if isinstance(x, tuple) else GradList


@helper(linear=0)
def owned(x):
    """A copy of a derivative that is about to be updated in place and may be
    another name's (``dy = dx`` before ``dy[i] = ...``); immutable values as they are."""
    copy = getattr(x, "copy", None)
    return x if copy is None or isinstance(x, tuple) else copy()


@helper(holds=(0, 3))
def add_at(g, x, index, value):
    """``g`` with ``value`` added at ``x[index]``; ``g`` may be None for zero.
    Lists, tuples and dicts give a new gradient of their kind; arrays are updated
    in place, but for a read-only view, which is copied first."""
    if _is_zero(g):
        g = None
    if isinstance(x, (list, tuple, dict)):
        g = zero_grad(x) if g is None else g
        g = dict(g) if isinstance(x, dict) else list(g)
        g[index] = add(g[index], value)
        return _grad_kind(x)(g)
    if g is None:
        g = numpy.zeros_like(x)
    elif not getattr(getattr(g, "flags", None), "writeable", True):
        g = g.copy()  # a broadcast (a reduction's gradient) cannot be added into
    if _is_dask(value) and not _is_dask(g):  # a NumPy value's gradient from Dask's
        import dask.array  # loaded already: the value is one

        g = dask.array.asarray(g)
    if _is_dask(g):
        return _dask_add_at(g, index, value)
    numpy.add.at(g, index, value)
    return g


def _is_dask(value) -> bool:
    return type(value).__module__.startswith("dask.")


def _dask_add_at(g, index, value):
    """``add_at`` for a Dask array, which has no ``numpy.add.at``: an index of ints
    and slices names each place once, so adding there is an item assignment."""
    parts = index if isinstance(index, tuple) else (index,)
    if not all(isinstance(p, (int, numpy.integer, slice)) for p in parts):
        raise UnsupportedDerivativeError(
            "an item of a Dask array read at an index of arrays or masks (its "
            "gradient adds at places an index may name twice)",
            "index a Dask array with ints and slices, or compute it into NumPy first",
        )
    g = g.copy()  # a Dask array's item assignment changes the array itself
    g[index] = g[index] + value
    return g


@helper(linear=0)
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


@helper(linear=0)
def setitem_scatter(h, g, index):
    """The transpose of ``setitem_grad``: ``h`` put at ``index`` of zeros shaped like
    ``g``, where of a place written more than once the last write stays."""
    out = numpy.zeros_like(g)
    out[index] = h
    return out


class _Absent:
    """The item a dict did not have before ``d[k] = v``."""

    def __repr__(self):
        return "ABSENT"


ABSENT = _Absent()


@helper(linear=0, item_of=0)
def item_or_absent(c, key):
    """``c[key]`` (a copy, for an array), or ABSENT where a dict has no such key."""
    if isinstance(c, dict) and key not in c:
        return ABSENT
    item = c[key]
    return item.copy() if isinstance(item, numpy.ndarray) else item


@helper()
def restore_item(c, key, old) -> None:
    """Undo ``c[key] = v``: put the old item back, or remove a key that was new."""
    if old is ABSENT:
        del c[key]
    else:
        c[key] = old


@helper(linear=0)
def take_item(g, c, key):
    """``(g[key], g with zero there)``: the gradient of the item ``c[key] = v`` set,
    and the container's gradient before that assignment (a new gradient)."""
    if g is None or _is_zero(g):
        return 0.0, None
    g = dict(g) if isinstance(g, dict) else list(g)
    taken = g.get(key, 0.0) if isinstance(g, dict) else g[key]
    g[key] = zero_grad(c[key])  # c still holds the item: it is put back after this
    return taken, _grad_kind(c)(g)


@helper(linear=0)
def attr_grad(g, obj, name: str):
    """The gradient of ``obj`` from ``g``, that of its attribute ``obj.name``: a
    GradDict by attribute name (a GradTuple, item by item, for a named tuple)."""
    fields = getattr(obj, "_fields", None)
    if isinstance(obj, tuple) and fields is not None:
        items = [zero_grad(v) for v in obj]
        items[fields.index(name)] = g
        return GradTuple(items)
    return GradDict({name: g})


@helper(linear=0)
def attr_part(g, obj, name: str):
    """The part of ``g`` (a gradient or a tangent of ``obj``: a dict by attribute
    name, a named tuple, a tuple's gradient, 0.0) for ``obj.name``; zero where it
    has none."""
    fields = getattr(obj, "_fields", None)
    if _is_zero(g) or (isinstance(g, dict) and name not in g):
        return zero_grad(getattr(obj, name))
    if isinstance(g, dict):
        return g[name]
    if isinstance(obj, tuple) and fields is not None:
        return g[fields.index(name)]
    return getattr(g, name)


def _is_zero(v) -> bool:
    return isinstance(v, float) and v == 0.0


@helper()
def add(a, b):
    """The sum of two gradients: numbers and arrays add, lists, tuples and dicts add
    item by item (``+`` would concatenate them), a 0.0 is zero. Containers come
    out as gradients of their kind."""
    if _is_zero(a):
        return as_kind(b)
    if _is_zero(b):
        return as_kind(a)
    if isinstance(a, (list, tuple)):
        return _grad_kind(a)(add(u, v) for u, v in zip(a, b, strict=True))
    if isinstance(a, dict):
        both = {k: add(a[k], b[k]) if k in b else a[k] for k in a}
        return GradDict(both | {k: v for k, v in b.items() if k not in a})
    return a + b


@helper(linear=0)
def as_kind(g):
    """``g`` as a gradient: plain lists, tuples and dicts in it become their
    gradient kinds."""
    if isinstance(g, dict):
        return GradDict({k: as_kind(v) for k, v in g.items()})
    if isinstance(g, (list, tuple)):
        return _grad_kind(g)(as_kind(v) for v in g)
    return g


@helper(linear=0)
def plus_grad(g, a, b, k):
    """The gradient of operand ``k`` (0 or 1) of ``a + b``: for two lists or tuples,
    its part of the concatenation's gradient; for numbers and arrays, ``g`` summed
    to its shape."""
    x = (a, b)[k]
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        items = list(g)
        return as_grad(x, items[: len(a)] if k == 0 else items[len(a) :])
    return unbroadcast(g, x)


@helper(linear=0)
def times_grad(g, a, b, k):
    """The gradient of operand ``k`` (0 or 1) of ``a * b``: for a list or tuple
    repeated ``n`` times, the sum of its copies' gradients (the count, an integer,
    gets none); for numbers and arrays, the product rule."""
    x, other = (a, b) if k == 0 else (b, a)
    if isinstance(other, (list, tuple)):
        return 0.0
    if not isinstance(x, (list, tuple)):
        return unbroadcast(g * other, x)
    items, n = list(g), len(x)
    summed = [zero_grad(v) for v in x]
    for start in range(0, len(items), n or 1):
        summed = [add(s, u) for s, u in zip(summed, items[start : start + n])]
    return as_grad(x, summed)


@helper(linear=0, returns_list=True)
def array_grad(g, a):
    """Gradient of ``np.array(a)`` in ``a``: ``g`` for an array; for a list or tuple,
    its items (a list of lists gets lists), so that a loop that built ``a`` with
    ``append`` takes them back one by one."""
    if isinstance(a, (list, tuple)):
        return as_grad(a, [array_grad(gi, ai) for gi, ai in zip(g, a)])
    return g


def _sorting_order(xs) -> list[int]:
    """Where each item of ``sorted(xs)`` comes from in ``xs`` (equal items keep
    their order, as ``sorted`` keeps them)."""
    items = list(xs)
    return sorted(range(len(items)), key=items.__getitem__)


@helper(linear=0, returns_list=True)
def unsort(g, xs):
    """Gradient of ``sorted(xs)`` in ``xs``: each item of ``g`` goes back to the
    place its item was taken from."""
    items = [None] * len(g)
    for j, i in enumerate(_sorting_order(xs)):
        items[i] = g[j]
    return as_grad(xs, items)


@helper(linear=0, returns_list=True)
def sorted_like(t, xs):
    """The items of ``t`` in the order ``sorted(xs)`` puts those of ``xs``: the
    tangent of ``sorted(xs)``."""
    return GradList([t[i] for i in _sorting_order(xs)])


@helper(linear=0, returns_list=True)
def sum_grad(g, xs):
    """Gradient of builtin ``sum(xs)``: ``g`` for each item, summed to its shape.
    For an array the items are its rows: ``g`` broadcast along its first axis."""
    if isinstance(xs, (list, tuple)) or not hasattr(xs, "shape"):
        return as_grad(xs, [unbroadcast(g, x) for x in xs])
    return broadcast_as(g, xs)
