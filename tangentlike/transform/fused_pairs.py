"""Spot squared distances between the rows of two matrices, written out.

Users write the squared distance of every pair of points as

    d = x[:, None, :] - y[None, :, :]
    r2 = np.sum(d * d, axis=-1)

(``y`` may be ``x``, ``d ** 2`` may stand for ``d * d``, ``axis=2`` for
``axis=-1``).  The chain rule goes back through the ``(n, m, k)`` differences:
``g[:, :, None] * d`` twice, and two sums over it, four passes over the largest
arrays of the function.  The gradient of ``r2`` is ``2 * (sum(g, 1) * x - g @
y)`` for ``x`` and ``2 * (sum(g, 0) * y - g.T @ x)`` for ``y``: sums and
products of ``(n, m)`` and ``(n, k)`` arrays, no pass over the differences (the
template ``pairwise_sqdist``).  The differences and their squares get no adjoint
of their own from ``r2``; a reader of them elsewhere gives them theirs.

The formula holds for two-dimensional ``x`` and ``y`` of as many columns, which
the code does not show: the template passes the gradient through the helper
``pairwise_weights``, which refuses any other shapes.
"""

from __future__ import annotations

import gast
import numpy

from .. import anno

PAIRWISE_SQDIST = ("fused", "pairwise_sqdist")
_LAST_AXES = (-1, 2)


def match(block, k: int, target: str, value):
    """``(key, bindings)`` where statement ``k`` of ``block`` assigns ``target``
    the squared distances ``np.sum(d * d, axis=-1)`` of ``d = x[:, None, :] -
    y[None, :, :]``, each read assigned after the one it reads and none of them,
    ``x`` or ``y`` changed since; else None."""
    square = _summed(value)
    square_def = block._def(square, k) if square else None
    diff = _squared(square_def[1]) if square_def else None
    diff_def = block._def(diff, square_def[0]) if diff else None
    if diff_def is None or not _is_sub_of_names(diff_def[1]):
        return None
    rows = block._def(diff_def[1].left, diff_def[0])
    cols = block._def(diff_def[1].right, diff_def[0])
    x = _indexed(rows[1], (True, False, True)) if rows else None
    y = _indexed(cols[1], (False, True, True)) if cols else None
    if x is None or y is None or target in (x, y):
        return None
    kept = ((x, rows[0]), (y, cols[0]), (diff, square_def[0]))
    if not all(block._unchanged(name, j + 1, k) for name, j in kept):
        return None
    return PAIRWISE_SQDIST, {n: anno.name(v) for n, v in zip("xy", (x, y))} | {
        "diff": anno.name(diff)
    }


def _summed(value) -> str | None:
    """``a`` of ``np.sum(a, axis=-1)`` (or ``axis=2``), without ``keepdims``."""
    if (
        not isinstance(value, gast.Call)
        or anno.get(value, anno.CALLEE) is not numpy.sum
    ):
        return None
    keywords = {k.arg: k.value for k in value.keywords}
    axis = value.args[1] if len(value.args) == 2 else keywords.get("axis")
    if len(value.args) not in (1, 2) or set(keywords) - {"axis"}:
        return None
    if isinstance(axis, gast.UnaryOp) and isinstance(axis.op, gast.USub):
        axis = axis.operand if _is_int(axis.operand) else None
        axis = None if axis is None else anno.const(-axis.value)
    if not (_is_int(axis) and axis.value in _LAST_AXES):
        return None
    first = value.args[0]
    return first.id if isinstance(first, gast.Name) else None


def _squared(value) -> str | None:
    """``d`` of ``d * d`` or ``d ** 2``."""
    if not isinstance(value, gast.BinOp) or not isinstance(value.left, gast.Name):
        return None
    right = value.right
    if isinstance(value.op, gast.Mult) and isinstance(right, gast.Name):
        return value.left.id if right.id == value.left.id else None
    if isinstance(value.op, gast.Pow) and _is_int(right) and right.value == 2:
        return value.left.id
    return None


def _is_sub_of_names(value) -> bool:
    return (
        isinstance(value, gast.BinOp)
        and isinstance(value.op, gast.Sub)
        and isinstance(value.left, gast.Name)
        and isinstance(value.right, gast.Name)
    )


def _indexed(value, pattern: tuple[bool, ...]) -> str | None:
    """``x`` of ``x[:, None, :]`` (``pattern`` True for a full slice, False for
    ``None`` at each place)."""
    if not (isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name)):
        return None
    items = value.slice.elts if isinstance(value.slice, gast.Tuple) else [value.slice]
    if len(items) != len(pattern):
        return None
    for item, full in zip(items, pattern):
        if full != _is_full_slice(item) or (not full and not _is_none(item)):
            return None
    return value.value.id


def _is_full_slice(node) -> bool:
    return isinstance(node, gast.Slice) and not (node.lower or node.upper or node.step)


def _is_none(node) -> bool:
    return isinstance(node, gast.Constant) and node.value is None


def _is_int(node) -> bool:
    return isinstance(node, gast.Constant) and type(node.value) is int
