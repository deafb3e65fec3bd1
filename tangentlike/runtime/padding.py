"""``numpy.pad`` in reverse and forward mode, for every mode NumPy has but ``median``
and a function.

NumPy pads one axis after the other, each axis from the array padded along the axes
before it.  Along one axis every mode but two is linear in the values and the
fills (``constant_values``, ``end_values``): a pad element is a copy of one element
(``edge``, ``reflect``, ``symmetric``, ``wrap``), a weighted copy (``linear_ramp``),
a mean (``mean``), ``2 * edge - copy`` (an odd reflection) or a fill.  The two
others, ``maximum`` and ``minimum``, select an element of the stretch they read
(ties share).  The reverse sweep undoes the axes last to first; the tangent is
``pad`` of the tangents where the mode is linear.
"""

from __future__ import annotations

import numpy

from ..errors import UnsupportedDerivativeError
from .broadcast import sum_to
from .facts import helper

COPIES = ("edge", "reflect", "symmetric", "wrap")
SELECTS = {"maximum": numpy.max, "minimum": numpy.min}
LINEAR = ("constant", "empty", "linear_ramp", "mean") + COPIES


@helper(linear=0)
def pad_grad(g, a, pad_width, mode="constant", stat_length=None, reflect_type="even"):
    """Gradient of ``pad(a, pad_width, mode, ...)`` in ``a``."""
    return _reverse(g, a, pad_width, mode, stat_length, reflect_type)[0]


@helper(linear=0)
def pad_fill_grad(g, a, fill, pad_width, mode="constant", kind="constant"):
    """Gradient of ``pad`` in its fill, ``constant_values`` (``kind="constant"``) or
    ``end_values`` (``kind="linear_ramp"``): zero for the other modes."""
    if _mode(mode) != kind:
        return 0.0 if numpy.ndim(fill) == 0 else numpy.zeros(numpy.shape(fill))
    sums = _reverse(g, a, pad_width, mode, None, "even")[1]
    total = numpy.array([[float(lo), float(hi)] for lo, hi in sums])  # (ndim, 2)
    out = sum_to(total, numpy.shape(fill))  # the fill was broadcast to (ndim, 2)
    return float(out) if numpy.ndim(out) == 0 else out


@helper()
def pad_tangent(
    da,
    dfill,
    dend,
    a,
    pad_width,
    mode="constant",
    stat_length=None,
    reflect_type="even",
):
    """Tangent of ``pad(a, pad_width, mode, ...)``: ``da`` padded the same way, with
    the fills' tangents as fills (the modes are linear), or the tangents of the
    elements a ``maximum``/``minimum`` selects."""
    mode = _mode(mode)
    if _is_zero(da):
        da = numpy.zeros_like(a)
    if mode in SELECTS:
        return _select_tangent(da, a, pad_width, mode, stat_length)
    if mode in ("constant", "empty"):
        return numpy.pad(da, pad_width, constant_values=dfill)
    if mode == "linear_ramp":
        return numpy.pad(da, pad_width, mode, end_values=dend)
    if mode == "mean":
        return numpy.pad(da, pad_width, mode, stat_length=stat_length)
    if mode in ("reflect", "symmetric"):
        return numpy.pad(da, pad_width, mode, reflect_type=reflect_type)
    return numpy.pad(da, pad_width, mode)


def _mode(mode) -> str:
    if isinstance(mode, str) and (mode in LINEAR or mode in SELECTS):
        return mode
    raise UnsupportedDerivativeError(
        f"np.pad with mode={mode!r}",
        "pad with one of the modes 'constant', 'edge', 'reflect', 'symmetric', 'wrap', "
        "'linear_ramp', 'mean', 'maximum', 'minimum', 'empty'",
    )


def _is_zero(v) -> bool:
    return isinstance(v, float) and v == 0.0


def _pairs(value, ndim):
    """``pad_width`` or ``stat_length`` as (before, after) per axis, as NumPy reads it."""
    if value is None:
        return [(None, None)] * ndim
    pairs = numpy.broadcast_to(numpy.asarray(value), (ndim, 2))
    return [(int(lo), int(hi)) for lo, hi in pairs]


# reverse ------------------------------------------------------------------------------


def _reverse(g, a, pad_width, mode, stat_length, reflect_type):
    """``(gradient in a, per axis the (before, after) sums the fills receive)``."""
    mode = _mode(mode)
    ndim = numpy.ndim(a)
    widths, stats = _pairs(pad_width, ndim), _pairs(stat_length, ndim)
    stages = _stages(a, widths, mode, stats) if mode in SELECTS else [None] * ndim
    sums = [(0.0, 0.0)] * ndim
    for axis in reversed(range(ndim)):
        n = numpy.shape(a)[axis]
        moved = numpy.moveaxis(g, axis, 0)
        if mode in ("constant", "empty", "linear_ramp"):
            sums[axis] = _fill_sums(moved, n, widths[axis], mode)
        rule = _AXIS_GRADS.get(mode, _copied_back)
        moved = rule(
            moved, n, widths[axis], stats[axis], stages[axis], reflect_type, mode
        )
        g = numpy.moveaxis(moved, 0, axis)
    return g, sums


def _stages(a, widths, mode, stats) -> list:
    """The array each axis pads, as NumPy makes it: padded along the axes before
    (moved to axis 0)."""
    out, stage = [], a
    for axis, (width, stat) in enumerate(zip(widths, stats)):
        out.append(numpy.moveaxis(stage, axis, 0))
        one = [(0, 0)] * numpy.ndim(a)
        one[axis] = width
        lengths = [(1, 1)] * numpy.ndim(a)
        lengths[axis] = stat
        stage = numpy.pad(
            stage, one, mode, stat_length=None if stat[0] is None else lengths
        )
    return out


def _fill_sums(g, n, width, mode):
    """What ``constant_values`` or ``end_values`` get from one axis (axis 0)."""
    b, a = width
    before, after = g[:b], g[b + n :]
    if mode != "linear_ramp":
        return numpy.sum(before), numpy.sum(after)
    ramp = numpy.pad(numpy.zeros(n), width, mode, end_values=1.0)  # end's weight
    return numpy.sum(_weighted(before, ramp[:b])), numpy.sum(
        _weighted(after, ramp[b + n :])
    )


def _middle(g, n, width, *_):
    """``constant`` and ``empty``: the values the pad is made from are the middle."""
    return g[width[0] : width[0] + n]


def _ramp_back(g, n, width, *_):
    """``linear_ramp``: each pad element is its edge times a weight (plus the end)."""
    b, a = width
    weight = numpy.pad(numpy.ones(n), width, "linear_ramp", end_values=0.0)
    edges = [
        (0, _weighted(g[:b], weight[:b])),
        (n - 1, _weighted(g[b + n :], weight[b + n :])),
    ]
    return _scattered(_middle(g, n, width), edges)


def _means_back(g, n, width, stat, *_):
    """``mean``: each pad element is the mean of ``stat`` elements at its side."""
    b, a = width
    lo, hi = (min(n, s) if s is not None else n for s in stat)
    parts = [
        (slice(0, lo), _sum0(g[:b]) / lo),
        (slice(n - hi, n), _sum0(g[b + n :]) / hi),
    ]
    return _scattered(_middle(g, n, width), parts)


def _selected_back(g, n, width, stat, stage, _, mode):
    """``maximum``, ``minimum``: each pad element is the extreme of ``stat`` elements at
    its side; tied elements share its gradient."""
    b, a = width
    lo, hi = (min(n, s) if s is not None else n for s in stat)
    parts = [
        (slice(0, lo), _share(stage[:lo], mode) * _sum0(g[:b])),
        (slice(n - hi, n), _share(stage[n - hi :], mode) * _sum0(g[b + n :])),
    ]
    return _scattered(_middle(g, n, width), parts)


def _copied_back(g, n, width, stat, stage, reflect_type, mode):
    """``edge``, ``reflect``, ``symmetric``, ``wrap``: each pad element is a copy of one
    element (``2 * edge - copy`` for an odd reflection): gradients go back to it."""
    b, a = width
    if n == 1 or mode == "edge":
        mode, reflect_type = "edge", "even"  # NumPy reflects one element as an edge
    index = numpy.pad(numpy.arange(n), width, mode)
    parts = [(int(index[p]), g[p]) for p in range(b)]
    parts += [(int(index[p]), g[p]) for p in range(b + n, b + n + a)]
    if reflect_type == "odd":
        _one_reflection(n, width, mode)
        parts = [(i, -v) for i, v in parts]
        parts += [(0, 2.0 * _sum0(g[:b])), (n - 1, 2.0 * _sum0(g[b + n :]))]
    return _scattered(_middle(g, n, width), parts)


_AXIS_GRADS = {
    "constant": _middle,
    "empty": _middle,
    "linear_ramp": _ramp_back,
    "mean": _means_back,
    "maximum": _selected_back,
    "minimum": _selected_back,
}


def _one_reflection(n, width, mode) -> None:
    """An odd reflection wider than the array reflects its reflections: refused."""
    most = n - 1 if mode == "reflect" else n
    if max(width) > most:
        raise UnsupportedDerivativeError(
            f"np.pad(mode={mode!r}, reflect_type='odd') wider than one reflection "
            f"({max(width)} elements of an axis of {n})",
            "pad by at most the axis's length minus one (reflect) or its length "
            "(symmetric), or pad twice",
        )


def _share(window, mode):
    """Where the extreme of ``window`` (along axis 0) is, ties sharing equally."""
    hit = window == SELECTS[mode](window, axis=0, keepdims=True)
    return hit / numpy.sum(hit, axis=0, keepdims=True)


def _sum0(part):
    """The sum of a pad stretch along axis 0 (a zero when it is empty)."""
    return numpy.sum(part, axis=0) if part.shape[0] else 0.0


def _weighted(part, weights):
    shape = (-1,) + (1,) * (numpy.ndim(part) - 1)
    return _sum0(part * numpy.reshape(weights, shape))


def _scattered(middle, parts):
    """``middle`` with each ``(where, value)`` of ``parts`` added at ``where``."""
    out = middle.copy()
    for where, value in parts:
        if not _is_zero(value):
            out[where] += value
    return out


# forward, of the selecting modes ------------------------------------------------------


def _select_tangent(da, a, pad_width, mode, stat_length):
    """Axis after axis, the tangent of each extreme is its elements' (tied: shared)."""
    ndim = numpy.ndim(a)
    widths, stats = _pairs(pad_width, ndim), _pairs(stat_length, ndim)
    stages = _stages(a, widths, mode, stats)
    for axis, ((b, after), stat, stage) in enumerate(zip(widths, stats, stages)):
        t = numpy.moveaxis(da, axis, 0)
        n = t.shape[0]
        lo, hi = (min(n, s) if s is not None else n for s in stat)
        left = numpy.sum(_share(stage[:lo], mode) * t[:lo], axis=0, keepdims=True)
        right = numpy.sum(
            _share(stage[n - hi :], mode) * t[n - hi :], axis=0, keepdims=True
        )
        ends = [numpy.repeat(left, b, axis=0), t, numpy.repeat(right, after, axis=0)]
        da = numpy.moveaxis(numpy.concatenate(ends, axis=0), 0, axis)
    return da
