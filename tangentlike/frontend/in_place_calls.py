"""NumPy calls that update an array in place, written as the item assignment
they make, whose derivative the transforms know::

    np.fill_diagonal(K, v)   ->   K[(np.arange(min(np.shape(K))),) * np.ndim(K)] = v

(the main diagonal, as ``fill_diagonal`` without ``wrap=True`` fills it: every
index equal, up to the shortest side). Other in-place calls stay as they are and
are refused where they update a value the derivative flows through.
"""

from __future__ import annotations

import gast
import numpy

from .. import anno


def write_out(node: gast.FunctionDef, scope, np_alias: str) -> None:
    """Rewrite ``node``'s statements ``np.fill_diagonal(a, v)`` in place."""
    for n in list(anno.walk(node)):
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(n, field, None)
            if isinstance(stmts, list):
                setattr(n, field, [_rewritten(s, scope, np_alias) for s in stmts])


def _rewritten(stmt, scope, np_alias: str):
    call = stmt.value if isinstance(stmt, gast.Expr) else None
    if not (
        isinstance(call, gast.Call)
        and scope.resolve(call.func) is numpy.fill_diagonal
        and len(call.args) == 2
        and not call.keywords
        and isinstance(call.args[0], gast.Name)
    ):
        return stmt
    array, value = call.args
    shape = anno.call(anno.dotted(f"{np_alias}.shape"), [anno.name(array.id)])
    side = anno.call(anno.name("min"), [shape])
    steps = anno.call(anno.dotted(f"{np_alias}.arange"), [side])
    ndim = anno.call(anno.dotted(f"{np_alias}.ndim"), [anno.name(array.id)])
    index = gast.BinOp(
        left=gast.Tuple(elts=[steps], ctx=gast.Load()), op=gast.Mult(), right=ndim
    )
    target = gast.Subscript(value=anno.name(array.id), slice=index, ctx=gast.Store())
    return anno.copy_location(anno.assign(target, value), stmt)
