"""Optimize generated functions: drop dead assignments and unread saves.

    unused = f(x)       ->   (removed)

plus the passes in ``optimize_fold`` (constant folding), ``optimize_shapes`` (no
``unbroadcast`` where shapes provably match), ``optimize_local`` (copies,
numbers and negations forwarded into their readers, negations cancelled through
products), ``optimize_cse`` (a repeated operation computed once),
``optimize_stack`` (saves nothing reads) and, for variants, ``optimize_concrete``,
``optimize_inplace``, ``optimize_reduce`` and, with no array arguments, ``optimize_fuse``.

Passes repeat until the tree stops changing, compared structurally.
"""

from __future__ import annotations

import gast

from . import anno
from .concrete_shapes import ConcreteShapes
from .naming import ADJOINT_PREFIX, STACK_NAME
from .optimize_concrete import specialize
from .optimize_cse import share_common
from .optimize_fold import fold_constants
from .optimize_fuse import fuse_temporaries
from .optimize_inplace import DTypes, write_in_place
from .optimize_local import cancel_negations, forward_values
from .optimize_reduce import call_reductions
from .optimize_reuse import reuse_dead_names
from .optimize_shapes import remove_unbroadcasts
from .optimize_stack import index_saves, remove_unread_saves


def optimize(
    func: gast.FunctionDef,
    scalars: set[str] = frozenset(),
    shapes: dict[str, tuple] | None = None,
    dtypes: dict | None = None,
    np_alias: str = "np",
    reuse: bool = True,
    keep: frozenset = frozenset(),
) -> gast.FunctionDef:
    """Run the passes until none changes the tree (each pass says whether it did);
    ``scalars`` are parameters known to be Python floats, ``shapes`` maps
    parameters to the shapes of the arrays a variant is compiled for (and
    ``dtypes`` to their dtypes, so results can be written into dead
    temporaries, never into the user's own names, ``keep``).  ``reuse`` gives dead
    temporaries' names to new values (last, as it merges names)."""
    changed = True
    while changed:
        changed = fold_constants(func)
        changed |= remove_unbroadcasts(func, scalars)
        if shapes is not None:
            changed |= specialize(func, shapes, np_alias)
        changed |= forward_values(func)
        changed |= remove_dead(func)
        changed |= remove_unread_saves(func)
    if cancel_negations(func, keep) | share_common(func):
        forward_values(func)  # the copies they leave
        remove_dead(func)
    if shapes is not None and dtypes is not None:
        known = ConcreteShapes(func, shapes)
        kinds = DTypes(known, dtypes)
        write_in_place(func, known, kinds, np_alias, keep)
        call_reductions(func, known, kinds, np_alias)  # after: it reads np.sum, not np.add.reduce
    if reuse:
        reuse_dead_names(func)
    return func


def remove_dead(func) -> bool:
    """Remove assignments to names that nothing reads; whether any was removed."""
    loads = anno.load_names(func) | {STACK_NAME}
    removed: list = []
    func.body = _prune(func.body, loads, removed)
    return bool(removed)


def _prune(block, loads, removed):
    out = []
    for stmt in block:
        if (
            isinstance(stmt, gast.Assign)
            and isinstance(stmt.targets[0], gast.Name)
            and not _pops(stmt.value)
        ):
            target = stmt.targets[0].id
            if target not in loads or (
                isinstance(stmt.value, gast.Name) and target == stmt.value.id
            ):
                removed.append(stmt)
                continue
        if (
            isinstance(stmt, gast.AugAssign)
            and isinstance(stmt.target, gast.Name)
            and stmt.target.id not in loads
        ):  # ``bx += g`` into a gradient nothing reads: dead, like its first assignment
            removed.append(stmt)
            continue
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if inner:
                setattr(stmt, field, _prune(inner, loads, removed) or [gast.Pass()])
        out.append(stmt)
    return out


def _pops(value) -> bool:
    """``x.pop()``: removing it would unbalance a save stack, even if x is unused."""
    return (
        isinstance(value, gast.Call)
        and isinstance(value.func, gast.Attribute)
        and value.func.attr == "pop"
    )


def optimize_variant(func, scalars, shapes, dtypes, unit_seed: bool, np_alias: str, keep):
    """``optimize`` for a variant compiled for known argument types: the seed read
    as 1.0 where no caller passes one, shapes and dtypes used, and loops saving
    into lists (higher-order transforms read the general code, never a variant)."""
    if unit_seed:
        constant_seed(func)
    optimize(func, scalars, shapes, dtypes, np_alias, reuse=False, keep=keep)
    index_saves(func)
    if shapes is None:  # no arrays among the arguments: scalar code, run by CPython
        fuse_temporaries(func, keep)
    reuse_dead_names(func)
    return func


def constant_seed(func: gast.FunctionDef) -> None:
    """Read the seed parameter (last, ``b...=1.0``) as the number 1.0 where the
    body never assigns it: for callers that never pass a seed."""
    args = func.args
    if not args.args or len(args.defaults) != 1:
        return
    seed, default = args.args[-1].id, args.defaults[0]
    if not (seed.startswith(ADJOINT_PREFIX) and isinstance(default, gast.Constant)):
        return
    if default.value == 1.0 and seed not in anno.store_names(func):
        _SeedToOne(seed).visit(func)


class _SeedToOne(gast.NodeTransformer):
    def __init__(self, seed: str):
        self.seed = seed

    def visit_Name(self, node):
        if node.id == self.seed and isinstance(node.ctx, gast.Load):
            return gast.Constant(value=1.0, kind=None)
        return node
