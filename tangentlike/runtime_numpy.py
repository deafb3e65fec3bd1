"""Runtime helpers for the NumPy templates: reductions, shapes, linear algebra.

Like ``tangentlike.runtime``, they only use array methods and NumPy functions
that dispatch through ``__array_function__``, and keep the gradient's dtype.
"""

from __future__ import annotations

import numpy

from .errors import UnsupportedDerivativeError
from .runtime import reduced_size, unbroadcast, unreduce


def _cast(g, x):
    """``g`` in the floating dtype of ``x`` (float32 in, float32 out)."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind == "f" and getattr(g, "dtype", dtype) != dtype:
        return g.astype(dtype)
    return g


def unbroadcast_as(g, x):
    """``unbroadcast`` and cast to the dtype of ``x``."""
    return _cast(unbroadcast(g, x), x)


# elementwise -------------------------------------------------------------------


def sinc_deriv(x):
    """d sinc(x) / dx, 0 at x = 0."""
    safe = numpy.where(x == 0, 1, x)
    return numpy.where(x == 0, 0, (numpy.cos(numpy.pi * safe) - numpy.sinc(safe)) / safe)


def clip_mask(a, a_min, a_max):
    """Where ``clip`` passes ``a`` through."""
    keep = numpy.ones_like(a, dtype=bool)
    if a_min is not None:
        keep = keep & (a >= a_min)
    if a_max is not None:
        keep = keep & (a <= a_max)
    return keep


# reductions --------------------------------------------------------------------


def max_grad(g, y, a, axis=None, keepdims=False):
    """Gradient of max/min/nanmax/nanmin: shared equally between ties."""
    hit = a == unreduce(y, a, axis, keepdims)
    count = hit.sum(axis=axis, keepdims=True)
    return _cast(unreduce(g, a, axis, keepdims) * hit / count, a)


def var_grad(g, a, axis=None, ddof=0, keepdims=False):
    """Gradient of ``var(a, axis, ddof)``."""
    centered = a - a.mean(axis=axis, keepdims=True)
    scale = 2.0 / (reduced_size(a, axis) - ddof)
    return unreduce(g, a, axis, keepdims) * centered * scale


def prod_grad(g, a, axis=None, keepdims=False):
    """Gradient of ``prod``, exact where ``a`` has zeros."""
    return unreduce(g, a, axis, keepdims) * prod_others(a, axis)


def prod_others(a, axis=None):
    """d prod(a, axis) / d a: the product of the other elements of each slice, by
    exclusive cumulative products from both ends (no division, so zeros are exact)."""
    flat, restore = _slices_last(a, axis)
    ones = numpy.ones_like(flat[..., :1])
    left = numpy.cumprod(numpy.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    rev = numpy.flip(flat, -1)[..., :-1]
    right = numpy.flip(numpy.cumprod(numpy.concatenate([ones, rev], axis=-1), axis=-1), -1)
    return restore(left * right)


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
    return flat, lambda r: numpy.moveaxis(numpy.reshape(r, numpy.shape(moved)), ends, axes)


def average_grads(g, a, axis=None, weights=None, keepdims=False):
    """Gradients of ``average`` with respect to ``a`` and to ``weights``."""
    if weights is None:
        return unreduce(g, a, axis, keepdims) / reduced_size(a, axis), None
    w = weights
    if numpy.ndim(w) == 1 and numpy.ndim(a) > 1:
        shape = [1] * numpy.ndim(a)
        shape[axis] = -1
        w = numpy.reshape(w, shape)
    total = w.sum(axis=axis, keepdims=True) if numpy.ndim(w) == numpy.ndim(a) else w.sum()
    ga = unreduce(g, a, axis, keepdims) * w / total
    y = (a * w).sum(axis=axis, keepdims=True) / total
    gw = unreduce(g, a, axis, keepdims) * (a - y) / total
    if numpy.ndim(weights) != numpy.ndim(gw):
        gw = numpy.moveaxis(gw, axis, -1).reshape(-1, numpy.shape(weights)[0]).sum(axis=0)
    return _cast(ga, a), _cast(gw, weights)


def nan_grad(g, a, axis=None, keepdims=False, mean=False):
    """Gradient of ``nansum`` (and ``nanmean`` with ``mean=True``)."""
    ok = ~numpy.isnan(a)
    out = numpy.where(ok, unreduce(g, a, axis, keepdims), 0)
    if mean:
        out = out / ok.sum(axis=axis, keepdims=True)
    return _cast(out, a)


def _flat_axis(g, a, axis):
    """(gradient, axis) with ``axis=None`` meaning the flattened array."""
    if axis is None:
        return numpy.reshape(g, (-1,)), 0
    return g, axis


def cumsum_grad(g, a, axis=None):
    """Gradient of ``cumsum``: a reversed cumulative sum."""
    g, ax = _flat_axis(g, a, axis)
    out = numpy.flip(numpy.cumsum(numpy.flip(g, ax), axis=ax), ax)
    return numpy.reshape(out, numpy.shape(a))


def cumprod_parts(a, ax):
    """(before, first, c) along ``ax``: where no zero has been seen yet, the first
    zero, and the cumulative product with that zero taken as one."""
    zero = a == 0
    seen = numpy.cumsum(zero, axis=ax)
    first = zero & (seen == 1)
    return seen == 0, first, numpy.cumprod(numpy.where(first, 1, a), axis=ax)


def cumprod_grad(g, a, axis=None):
    """Gradient of ``cumprod``, exact where ``a`` has zeros: before the first zero
    of a slice it is a ratio of products, at it a sum of products, after it 0."""
    g, ax = _flat_axis(g, a, axis)
    flat, _ = _flat_axis(a, a, axis)
    before, first, c = cumprod_parts(flat, ax)
    ahead = numpy.flip(numpy.cumsum(numpy.flip(g * c, ax), axis=ax), ax)
    tail = numpy.flip(numpy.cumsum(numpy.flip(g * c * before, ax), axis=ax), ax)
    out = numpy.where(before, tail / numpy.where(before, flat, 1), numpy.where(first, ahead, 0))
    return numpy.reshape(out, numpy.shape(a))


def ptp_grad(g, a, axis=None, keepdims=False):
    """Gradient of ``ptp`` = max - min."""
    hi = a.max(axis=axis, keepdims=keepdims)
    lo = a.min(axis=axis, keepdims=keepdims)
    return max_grad(g, hi, a, axis, keepdims) - max_grad(g, lo, a, axis, keepdims)


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
        return max_grad(g, y, numpy.abs(x), axis, keepdims) * numpy.sign(x)
    return gx * numpy.sign(x) * (numpy.abs(x) / yx) ** (ord - 1)


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


# shapes and indexing -----------------------------------------------------------


def layout_order(a, order="C"):
    """The index order, 'C', 'F' or 'K', in which ``reshape``/``ravel`` read ``a``
    with ``order``: 'A' is 'F' for an array that is Fortran- but not C-contiguous,
    as in NumPy, and 'K' (``ravel`` only) is 'C' or 'F' where one of them is memory order."""
    order = "C" if order is None else str(order).upper()
    if order not in ("A", "K"):
        return order
    flags = getattr(a, "flags", None)
    if flags is None or flags.c_contiguous:
        return "C"
    if flags.f_contiguous:
        return "F"
    return "C" if order == "A" else "K"


def _memory_axes(a):
    """The axes of ``a`` in the order in which ``ravel(a, 'K')`` reads them: NumPy's
    iterator sorts them by decreasing stride (a negative stride counts as positive),
    leaving an axis of stride 0 where it is."""
    strides = [abs(s) for s in a.strides]
    order = []  # innermost axis first, as the iterator sorts them
    for axis in reversed(range(len(strides))):
        pos = len(order)
        for j in reversed(range(len(order))):
            mine, theirs = strides[axis], strides[order[j]]
            if mine and theirs:
                if theirs <= mine:
                    break
                pos = j
        order.insert(pos, axis)
    return order[::-1]


def reshape_grad(g, a, order="C"):
    """Gradient of ``reshape(a, shape, order)`` and ``ravel(a, order)``: ``g`` put back
    into the shape of ``a``, written in the order in which ``a`` was read."""
    order = layout_order(a, order)
    if order != "K":
        return numpy.reshape(g, numpy.shape(a), order=order)
    axes = _memory_axes(a)
    shape = numpy.shape(a)
    moved = numpy.reshape(g, tuple(shape[i] for i in axes))
    return numpy.transpose(moved, inverse_axes(axes, len(axes)))


def reshape_tangent(da, a, shape, order="C"):
    """Tangent of ``reshape(a, shape, order)`` and ``ravel(a, order)``: ``da`` read
    in the order NumPy reads ``a``."""
    order = layout_order(a, order)
    if order != "K":
        return numpy.reshape(da, shape, order=order)
    return numpy.reshape(numpy.transpose(da, _memory_axes(a)), shape)


def inverse_axes(axes, ndim):
    """The permutation that undoes ``transpose(x, axes)``."""
    if axes is None:
        return None
    return tuple(int(i) for i in numpy.argsort([a % ndim for a in axes]))


def unconcat(g, arrays, axis=0, shapes=None):
    """Split the gradient of a concatenation into pieces shaped like ``arrays``."""
    if axis is None:
        g, axis, shapes = numpy.reshape(g, (-1,)), 0, [(numpy.size(a),) for a in arrays]
    shapes = shapes or [numpy.shape(a) for a in arrays]
    bounds = numpy.cumsum([s[axis] for s in shapes])[:-1]
    pieces = numpy.split(g, [int(b) for b in bounds], axis=axis)
    return [numpy.reshape(p, numpy.shape(a)) for p, a in zip(pieces, arrays)]


def hstack_grad(g, arrays):
    shapes = [numpy.shape(numpy.atleast_1d(a)) for a in arrays]
    return unconcat(g, arrays, 0 if len(shapes[0]) == 1 else 1, shapes)


def vstack_grad(g, arrays):
    return unconcat(g, arrays, 0, [numpy.shape(numpy.atleast_2d(a)) for a in arrays])


def column_stack_grad(g, arrays):
    shapes = [(numpy.size(a), 1) if numpy.ndim(a) < 2 else numpy.shape(a) for a in arrays]
    return unconcat(g, arrays, 1, shapes)


def unstack(g, arrays, axis=0):
    """Gradient of ``stack``: one slice per input."""
    return [numpy.take(g, i, axis=axis) for i in range(len(arrays))]


def tile_grad(g, a, reps):
    """Gradient of ``tile``: sum the copies."""
    reps = (reps,) if numpy.ndim(reps) == 0 else tuple(reps)
    n = max(numpy.ndim(a), len(reps))
    shape = (1,) * (n - numpy.ndim(a)) + numpy.shape(a)
    reps = (1,) * (n - len(reps)) + reps
    split = [k for pair in zip(reps, shape) for k in pair]
    out = numpy.reshape(g, split).sum(axis=tuple(range(0, 2 * n, 2)))
    return numpy.reshape(out, numpy.shape(a))


def repeat_grad(g, a, repeats, axis=None):
    """Gradient of ``repeat``: sum each run of copies."""
    if axis is None:
        a_flat = numpy.reshape(a, (-1,))
        return numpy.reshape(repeat_grad(g, a_flat, repeats, 0), numpy.shape(a))
    axis = axis % numpy.ndim(a)
    if numpy.ndim(repeats) == 0:
        shape = numpy.shape(a)
        split = shape[:axis] + (shape[axis], int(repeats)) + shape[axis + 1 :]
        return numpy.reshape(g, split).sum(axis=axis + 1)
    starts = numpy.concatenate([[0], numpy.cumsum(repeats)[:-1]])
    return numpy.add.reduceat(g, starts, axis=axis)


def pad_grad(g, a, pad_width):
    """Gradient of constant ``pad``: the middle."""
    widths = numpy.broadcast_to(numpy.asarray(pad_width), (numpy.ndim(a), 2))
    index = tuple(slice(int(lo), int(lo) + n) for (lo, _), n in zip(widths, numpy.shape(a)))
    return g[index]


def take_grad(g, a, indices, axis=None):
    """Gradient of ``take``: scatter-add."""
    out = numpy.zeros_like(a)
    if axis is None:
        flat = numpy.reshape(out, (-1,))
        numpy.add.at(flat, indices, g)
        return numpy.reshape(flat, numpy.shape(a))
    axis = axis % numpy.ndim(a)
    moved = numpy.moveaxis(out, axis, 0)
    k = numpy.ndim(indices)
    gm = numpy.moveaxis(g, tuple(range(axis, axis + k)), tuple(range(k)))
    numpy.add.at(moved, indices, gm)
    return out


def take_along_grad(g, a, indices, axis):
    """Gradient of ``take_along_axis``: scatter-add."""
    if axis is None:
        return take_grad(g, a, indices)
    index = list(numpy.indices(numpy.shape(indices), sparse=True))
    index[axis] = indices
    out = numpy.zeros_like(a)
    numpy.add.at(out, tuple(index), g)
    return out


def diff_grad(g, n=1, axis=-1):
    """Gradient of ``diff``: ``n`` negated differences of the zero-padded gradient."""
    for _ in range(n):
        widths = [(0, 0)] * numpy.ndim(g)
        widths[axis] = (1, 1)
        g = -numpy.diff(numpy.pad(g, widths), axis=axis)
    return g


def sort_grad(g, a, axis=-1):
    """Gradient of ``sort``: undo the sorting permutation."""
    if axis is None:
        order = numpy.argsort(numpy.reshape(a, (-1,)))
        return numpy.reshape(take_grad(g, numpy.reshape(a, (-1,)), order), numpy.shape(a))
    order = numpy.argsort(a, axis=axis)
    return numpy.take_along_axis(g, numpy.argsort(order, axis=axis), axis=axis)


def diagonal_grad(g, a, offset=0, axis1=0, axis2=1):
    """Gradient of ``diagonal``: scatter onto the diagonal of zeros shaped like ``a``."""
    axis1, axis2 = axis1 % numpy.ndim(a), axis2 % numpy.ndim(a)
    shape = numpy.shape(a)
    rest = tuple(n for i, n in enumerate(shape) if i not in (axis1, axis2))
    out = numpy.zeros_like(a, shape=rest + (shape[axis1], shape[axis2]))
    i = numpy.arange(numpy.shape(g)[-1], like=g)
    out[..., i + max(-offset, 0), i + max(offset, 0)] = g
    return numpy.moveaxis(out, (-2, -1), (axis1, axis2))


def trace_grad(g, a, offset=0, axis1=0, axis2=1):
    n = numpy.shape(numpy.diagonal(a, offset, axis1, axis2))[-1]
    g = numpy.broadcast_to(numpy.expand_dims(g, -1), numpy.shape(g) + (n,))
    return diagonal_grad(g, a, offset, axis1, axis2)


def diag_grad(g, v, k=0):
    if numpy.ndim(v) == 1:
        return numpy.diagonal(g, k)
    return diagonal_grad(g, v, k)


# linear algebra ------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def einsum_grad(g, subscripts, k, *operands):
    """Gradient of ``einsum(subscripts, *operands)`` with respect to operand ``k``."""
    operands = [op for op in operands if op is not None]
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    subs = inputs.split(",")
    if not arrow:
        output = None
    subs, output = _explicit_subscripts(subs, output, operands)
    shape_k = numpy.shape(operands[k])
    subs, operands = _unbroadcast_operands(subs, output, operands, numpy.shape(g))
    spec = ",".join(subs) + "->" + output
    free = iter(c for c in LETTERS if c not in spec)
    terms = [(output, g)] + [(s, op) for j, (s, op) in enumerate(zip(subs, operands)) if j != k]
    known, target = set("".join(s for s, _ in terms)), ""
    for letter, n in zip(subs[k], numpy.shape(operands[k])):
        ones = numpy.ones_like(operands[k], shape=(n,))
        if letter in target:
            new = next(free)
            terms.append((letter + new, numpy.diag(ones)))
            letter = new
        elif letter not in known:
            terms.append((letter, ones))
        known.add(letter)
        target += letter
    spec = ",".join(s for s, _ in terms) + "->" + target
    out = numpy.einsum(spec, *[op for _, op in terms])
    if numpy.shape(out) != shape_k:  # axes of operand k that broadcasting stretched
        out = numpy.reshape(out, shape_k)
    return _cast(out, operands[k])


def _explicit_subscripts(subs, output, operands):
    """``(subs, output)`` with each ``...`` spelt out in letters and the output given
    (``output`` is None for einsum's implicit mode), as NumPy reads them."""
    if output is None:
        letters = "".join(subs).replace(".", "")
        output = "..." * any("..." in s for s in subs)
        output += "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    if "." not in "".join(subs) + output:
        return subs, output
    counts = [numpy.ndim(op) - len(s) + 3 if "..." in s else 0 for s, op in zip(subs, operands)]
    n = max(counts)
    used = set("".join(subs) + output)
    ellipsis = "".join([c for c in LETTERS if c not in used][:n])
    subs = [s.replace("...", ellipsis[n - m :]) for s, m in zip(subs, counts)]
    return subs, output.replace("...", ellipsis)


def _unbroadcast_operands(subs, output, operands, gshape):
    """Subscripts and operands with each axis of length 1 that einsum broadcasts
    against a longer one squeezed out (the operand is constant along it)."""
    sizes = dict(zip(output, gshape))
    for s, op in zip(subs, operands):
        for letter, n in zip(s, numpy.shape(op)):
            sizes[letter] = max(sizes.get(letter, n), n)
    new_subs, new_ops = [], []
    for s, op in zip(subs, operands):
        shape = numpy.shape(op)
        axes = tuple(i for i, (c, n) in enumerate(zip(s, shape)) if n == 1 and sizes[c] != 1)
        if axes:
            s = "".join(c for i, c in enumerate(s) if i not in axes)
            op = numpy.reshape(op, tuple(n for i, n in enumerate(shape) if i not in axes))
        new_subs.append(s)
        new_ops.append(op)
    return new_subs, new_ops


def tensordot_subscripts(a, b, axes=2):
    """The einsum subscripts of ``tensordot(a, b, axes)``."""
    na, nb = numpy.ndim(a), numpy.ndim(b)
    if numpy.ndim(axes) == 0:
        ax_a, ax_b = list(range(na - axes, na)), list(range(axes))
    else:
        ax_a, ax_b = ([ax] if numpy.ndim(ax) == 0 else list(ax) for ax in axes)
        ax_a, ax_b = [i % na for i in ax_a], [j % nb for j in ax_b]
    sa = list(LETTERS[:na])
    sb = list(LETTERS[na : na + nb])
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in ax_a] + [
        c for j, c in enumerate(sb) if j not in ax_b
    ]
    return "".join(sa) + "," + "".join(sb) + "->" + "".join(out)


def inner_subscripts(a, b):
    return tensordot_subscripts(a, b, 0 if 0 in (numpy.ndim(a), numpy.ndim(b)) else ([-1], [-1]))


def kron_grads(g, a, b):
    """Gradients of ``kron(a, b)`` for operands of the same number of dimensions."""
    n = max(numpy.ndim(a), numpy.ndim(b))
    sa = (1,) * (n - numpy.ndim(a)) + numpy.shape(a)
    sb = (1,) * (n - numpy.ndim(b)) + numpy.shape(b)
    g = numpy.reshape(g, [k for pair in zip(sa, sb) for k in pair])
    la, lb = LETTERS[:n], LETTERS[n : 2 * n]
    gs = "".join(x + y for x, y in zip(la, lb))
    ga = numpy.einsum(f"{gs},{lb}->{la}", g, numpy.reshape(b, sb))
    gb = numpy.einsum(f"{gs},{la}->{lb}", g, numpy.reshape(a, sa))
    return numpy.reshape(ga, numpy.shape(a)), numpy.reshape(gb, numpy.shape(b))


def mT(x):
    """Matrix transpose of the last two axes."""
    return numpy.swapaxes(x, -1, -2)


def solve_rhs(g, a, b):
    vec = numpy.ndim(b) == 1
    out = numpy.linalg.solve(mT(a), g[..., None] if vec else g)
    return out[..., 0] if vec else out


def solve_lhs(g, y, a, b):
    if numpy.ndim(b) == 1:
        return -numpy.multiply.outer(solve_rhs(g, a, b), y)
    return -solve_rhs(g, a, b) @ mT(y)


def cholesky_grad(g, L):
    """Gradient of ``cholesky`` (symmetrised), after Murray (2016)."""
    p = mT(L) @ g
    p = numpy.tril(p) - 0.5 * numpy.triu(numpy.tril(p))
    inv = numpy.linalg.inv(L)
    s = mT(inv) @ p @ inv
    return 0.5 * (s + mT(s))


def eigh_grad(g, w, v):
    """Gradient of ``eigh`` (symmetrised) from the gradients of (w, v)."""
    gw, gv = g
    gap = w[..., None, :] - w[..., :, None]
    f = numpy.where(gap == 0, 0, 1 / numpy.where(gap == 0, 1, gap))
    inner = f * (mT(v) @ gv) + numpy.expand_dims(gw, -2) * numpy.eye(
        w.shape[-1], dtype=w.dtype, like=w
    )
    out = v @ inner @ mT(v)
    return 0.5 * (out + mT(out))


def svd_grad(g, a, compute_uv=True):
    """Gradient of ``svd`` through the singular values (U and V gradients unsupported)."""
    if compute_uv:
        gu, g, gvh = g
        if numpy.any(gu) or numpy.any(gvh):
            raise UnsupportedDerivativeError("svd's U and Vh (its singular values, yes)")
    u, _, vt = numpy.linalg.svd(a, full_matrices=False)
    return (u * numpy.expand_dims(g, -2)) @ vt


def pinv_grad(g, y, a):
    """Gradient of ``pinv`` (constant rank), from Golub & Pereyra's derivative."""
    gt = mT(g)
    left = numpy.eye(a.shape[-2], dtype=a.dtype, like=a) - a @ y
    right = numpy.eye(a.shape[-1], dtype=a.dtype, like=a) - y @ a
    return -mT(y) @ g @ mT(y) + left @ gt @ y @ mT(y) + mT(y) @ y @ gt @ right


def lstsq_grads(g, a, b):
    """Gradients of ``lstsq``'s solution with respect to ``a`` and ``b``."""
    gx = g[0]
    y = numpy.linalg.pinv(a)
    gb = mT(y) @ gx
    gy = numpy.multiply.outer(gx, b) if numpy.ndim(b) == 1 else gx @ mT(b)
    return pinv_grad(gy, y, a), gb


def qr_grad(g, q, r):
    """Gradient of reduced ``qr`` for tall or square matrices."""
    gq, gr = g
    m = r @ mT(gr) - mT(gq) @ q
    b = gq + q @ (numpy.tril(m) + mT(numpy.tril(m, -1)))
    return mT(numpy.linalg.solve(r, mT(b)))


# derivatives of the helpers above, for higher derivatives ----------------------------


def _is_zero(t) -> bool:
    """Whether ``t`` is the Python ``0.0`` forward mode passes for a constant's tangent."""
    return isinstance(t, float) and t == 0.0


def linear_tangent(f, dg, g, *args):
    """Tangent of ``f(g, *args)``, linear in ``g`` and locally constant in ``args``:
    ``f(dg, *args)``, with ``dg`` zeros shaped like ``g`` where forward mode passes 0.0."""
    if _is_zero(dg):
        dg = numpy.zeros_like(g)
    return f(dg, *args)


def prod_others_jvp(a, v, axis=None):
    """``v`` times the derivative of ``prod_others(a, axis)``: per slice, the matrix of
    the products of all elements but two (zero on its diagonal) times ``v``'s slice.
    The matrix is symmetric, so this is also the vector-Jacobian product."""
    if _is_zero(v):
        return numpy.zeros_like(a)
    v = numpy.broadcast_to(v, numpy.shape(a))
    flat, restore = _slices_last(a, axis)
    vflat, _ = _slices_last(v, axis)
    n = numpy.shape(flat)[-1]
    eye = numpy.eye(n, dtype=bool)
    rows = numpy.where(eye, numpy.ones_like(flat[..., None, :]), flat[..., None, :])
    pairs = numpy.where(eye, 0, prod_others(rows, -1))
    return _cast(restore(numpy.matmul(pairs, vflat[..., :, None])[..., 0]), a)


def norm_grad_partials(g, y, x, ord=None, axis=None, keepdims=False):
    """``norm_grad(g, y, x, ...)`` is ``unreduce(g) * pg`` and its derivatives in ``x``
    and in ``y`` (times ``unreduce(dy)``) are elementwise: ``(pg, px, py)``, shaped like
    ``x``.  Vector p-norms and the Frobenius norm; 1 and inf norms are piecewise linear."""
    pg = norm_grad(numpy.ones_like(y), y, x, ord, axis, keepdims)
    matrix = (axis is None and numpy.ndim(x) == 2) or isinstance(axis, (tuple, list))
    if axis is None and ord is None:
        matrix = False
    if matrix and ord in (None, "fro"):
        ord, matrix = 2, False
    if matrix and ord not in (1, -1, numpy.inf, -numpy.inf):
        raise UnsupportedDerivativeError(
            f"the second derivative of the matrix norm with ord={ord!r}"
        )
    if matrix or ord in (1, numpy.inf, -numpy.inf):  # signs and argmaxes: piecewise linear
        zero = numpy.zeros_like(pg)
        return pg, zero, zero
    if ord == 0:
        raise UnsupportedDerivativeError("the second derivative of the norm with ord=0")
    p = 2 if ord is None else ord
    gx = unreduce(g, x, axis, keepdims)
    yx = unreduce(y, x, axis, keepdims)
    if p == 2:
        px = gx / yx
    else:
        px = gx * (p - 1) * numpy.abs(x) ** (p - 2) / yx ** (p - 1)
    py = (1 - p) * gx * pg / yx
    return pg, _cast(px, x), _cast(py, x)


def solve_rhs_tangent(dg, da, z, g, a, b):
    """Tangent of ``z = solve_rhs(g, a, b)``: ``solve_rhs(dg - da' z)``."""
    rhs = dg
    if not _is_zero(da):
        from .runtime import matmul_rhs

        rhs = rhs - matmul_rhs(z, da, z)
    return linear_tangent(solve_rhs, rhs, g, a, b)


def cholesky_grad_tangent(dg, dL, g, L):
    """Tangent of ``cholesky_grad(g, L)`` (see ``cholesky_grad``)."""
    if _is_zero(dL):
        return linear_tangent(cholesky_grad, dg, g, L)
    inv = numpy.linalg.inv(L)
    q = _phi(mT(L) @ g)
    dp = mT(dL) @ g if _is_zero(dg) else mT(dL) @ g + mT(L) @ dg
    dinv = -inv @ dL @ inv
    ds = mT(dinv) @ q @ inv + mT(inv) @ _phi(dp) @ inv + mT(inv) @ q @ dinv
    return 0.5 * (ds + mT(ds))


def cholesky_grad_adjoints(w, g, L):
    """The gradients of ``sum(w * cholesky_grad(g, L))`` in ``g`` and in ``L``."""
    inv = numpy.linalg.inv(L)
    q = _phi(mT(L) @ g)
    sbar = 0.5 * (w + mT(w))
    qbar = inv @ sbar @ mT(inv)
    invbar = (q + mT(q)) @ inv @ sbar
    pbar = _phi(qbar)
    return L @ pbar, g @ mT(pbar) - mT(inv) @ invbar @ mT(inv)


def _phi(p):
    """The lower triangle with half the diagonal."""
    return numpy.tril(p) - 0.5 * numpy.triu(numpy.tril(p))


def einsum_with(subscripts, k, value, *operands):
    """``einsum(subscripts, *operands)`` with operand ``k`` replaced by ``value``."""
    operands = [op for op in operands if op is not None]
    operands[k] = value
    return numpy.einsum(subscripts, *operands)


def einsum_grad_tangent(dg, dops, g, subscripts, k, *operands):
    """Tangent of ``einsum_grad(g, subscripts, k, *operands)``: linear in ``g`` and in
    each operand but ``k``, which only gives a shape."""
    operands = [op for op in operands if op is not None]
    dops = list(dops)[: len(operands)]
    out = linear_tangent(einsum_grad, dg, g, subscripts, k, *operands)
    for j, t in enumerate(dops):
        if j != k and not _is_zero(t):
            ops = list(operands)
            ops[j] = t
            out = out + einsum_grad(g, subscripts, k, *ops)
    return out
