"""What the gradients of products and linear algebra need a function for: einsum's
subscripts spelt out (einsum, tensordot, inner, kron), solving with a vector or a
matrix right-hand side (solve), and the arguments a derivative refuses.
"""

from __future__ import annotations

import numpy

from ..errors import UnsupportedDerivativeError
from .broadcast import _cast
from .facts import helper

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@helper(linear=0)
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
    terms = [(output, g)] + [
        (s, op) for j, (s, op) in enumerate(zip(subs, operands)) if j != k
    ]
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
    counts = [
        numpy.ndim(op) - len(s) + 3 if "..." in s else 0
        for s, op in zip(subs, operands)
    ]
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
        axes = tuple(
            i for i, (c, n) in enumerate(zip(s, shape)) if n == 1 and sizes[c] != 1
        )
        if axes:
            s = "".join(c for i, c in enumerate(s) if i not in axes)
            op = numpy.reshape(
                op, tuple(n for i, n in enumerate(shape) if i not in axes)
            )
        new_subs.append(s)
        new_ops.append(op)
    return new_subs, new_ops


@helper()
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


@helper()
def inner_subscripts(a, b):
    return tensordot_subscripts(
        a, b, 0 if 0 in (numpy.ndim(a), numpy.ndim(b)) else ([-1], [-1])
    )


@helper()
def kron_layout(a, b):
    """``(split, spec_a, spec_b, shape_a, shape_b)`` for ``kron(a, b)``: its shape
    with each axis split into (a's, b's), the einsum subscripts that take a block
    gradient to each operand's, and the operands' shapes at the same ndim."""
    n = max(numpy.ndim(a), numpy.ndim(b))
    shape_a = (1,) * (n - numpy.ndim(a)) + numpy.shape(a)
    shape_b = (1,) * (n - numpy.ndim(b)) + numpy.shape(b)
    split = tuple(k for pair in zip(shape_a, shape_b) for k in pair)
    la, lb = LETTERS[:n], LETTERS[n : 2 * n]
    blocks = "".join(x + y for x, y in zip(la, lb))
    return split, f"{blocks},{lb}->{la}", f"{blocks},{la}->{lb}", shape_a, shape_b


@helper()
def require(ok, what):
    """Nothing where ``ok``; else raises: the derivative of ``what`` is not known."""
    if not ok:
        raise UnsupportedDerivativeError(what)


@helper(linear=0)
def mT(x):
    """Matrix transpose of the last two axes."""
    return numpy.swapaxes(x, -1, -2)


@helper(linear=0)
def solve_rhs(g, a, b):
    vec = numpy.ndim(b) == 1
    out = numpy.linalg.solve(mT(a), g[..., None] if vec else g)
    return out[..., 0] if vec else out


@helper(linear=(0, 1))
def solve_lhs(g, y, a, b):
    if numpy.ndim(b) == 1:
        return -numpy.multiply.outer(solve_rhs(g, a, b), y)
    return -solve_rhs(g, a, b) @ mT(y)
