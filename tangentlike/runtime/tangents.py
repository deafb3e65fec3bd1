"""Runtime helpers for forward-mode (tangent) templates.

Forward mode passes the literal ``0.0`` as the tangent of a constant input, and
folds it away only through arithmetic and a few known linear calls; the
multilinear helpers here skip such terms instead of computing them.  Like the
other runtime modules they only use NumPy functions that dispatch through
``__array_function__``, and keep the tangent's dtype.
"""

from __future__ import annotations

import numpy


def is_zero(t) -> bool:
    """Whether ``t`` is the Python ``0.0`` forward mode passes for a constant's tangent."""
    return isinstance(t, float) and t == 0.0


def multilinear(f, operands, tangents, *args, **kwargs):
    """Tangent of ``f(*operands, *args)``, linear in each operand: one term per tangent."""
    terms = []
    for i, t in enumerate(tangents):
        if not is_zero(t):
            ops = list(operands)
            ops[i] = t
            terms.append(f(*ops, *args, **kwargs))
    if not terms:
        return numpy.zeros_like(f(*operands, *args, **kwargs))
    out = terms[0]
    for term in terms[1:]:
        out = out + term
    return out


def einsum_tangent(subscripts, operands, tangents):
    """Tangent of ``einsum(subscripts, *operands)``; ``None`` operands are absent."""
    ops = [op for op in operands if op is not None]
    ts = tangents[: len(ops)]
    return multilinear(lambda *xs: numpy.einsum(subscripts, *xs), ops, ts)
