"""The optimizer: exact rewrites of generated functions, one pass a module, in
the order below.  Every rewrite leaves the values bit-for-bit as they were.

The general code runs, to a fixed point (each pass says whether it changed the
tree, compared structurally): ``fold`` (constant arithmetic), ``floats``
(multiplications of floats by one), ``unbroadcast``
(no ``unbroadcast`` where shapes provably match), ``specialize`` (for variants:
known shapes), ``zeros`` (zeros made from known shapes, not from the
array they copy), ``forwarding`` (copies, numbers and negations into their
readers), ``dead`` (assignments nothing reads), ``saves`` (saves nothing
reads); then, with shapes, ``dict_grads`` (a dict argument's gradient made as
a dict) and ``copied_slices`` (a copy's gradient with its overwritten slice added
back, as one array), and ``negations`` and ``cse`` (a repeated operation computed once).
Variants add ``seed`` (the seed is 1.0), ``floats`` again, ``inplace``,
``last_reads`` (results written into arrays read for the last time) and
``reductions`` (for known dtypes), ``indexed_saves`` (counted loops save into lists), ``fuse`` (for
Python floats) and, last, ``finish``: ``defaults`` (helper calls without their
default arguments) and ``release`` (dead temporaries deleted, so their arrays
are freed early; not in scalar variants).

A variant's forward and backward halves of a user's function then save only
what the backward half reads (``saved_tuples``).

A variant also knows the shapes of what the user's own functions return (their
forward and backward halves, ``Helpers`` in analysis/shapes.py), and each half
called with one set of argument shapes is optimized for them too
(``specialize_helpers``).

Each pass's module docstring shows it on an example: a ``before:`` and an
``after:`` block of code (and a ``given:`` line of what the pass is told, such as
argument shapes), which tests/test_optimize_docstrings.py runs.
"""

from __future__ import annotations

import gast

from .. import anno
from ..analysis.shapes import HELPERS, ConcreteShapes, Helpers, Packed
from .copied_slices import merge_copied_slices
from .cse import share_common
from .dead import remove_dead
from .defaults import name_defaults
from .dict_grads import gather_dict_grads
from .floats import fold_float_units
from .fold import fold_constants
from .forwarding import forward_values
from .fuse import fuse_temporaries
from .indexed_saves import index_saves
from .inplace import DTypes, write_in_place
from .last_reads import write_last_reads
from .negations import cancel_negations
from .reductions import call_reductions
from .release import release_dead
from .saved_tuples import prune_saved
from .saves import remove_unread_saves
from .seed import constant_seed
from .specialize import specialize
from .unbroadcast import remove_unbroadcasts
from .zeros import known_zeros

NUMBERS = "tl_numbers"  # on a variant: the names known to hold numbers (shape ())
CALLS = "tl_calls"  # on a variant: helper name -> the argument shapes it is called with


def optimize(
    func: gast.FunctionDef,
    scalars: set[str] = frozenset(),
    shapes: dict[str, tuple] | None = None,
    dtypes: dict | None = None,
    np_alias: str = "np",
    release: bool = True,
    keep: frozenset = frozenset(),
) -> gast.FunctionDef:
    """Run the passes until none changes the tree (each pass says whether it did);
    ``scalars`` are parameters known to be Python floats, ``shapes`` maps
    parameters to the shapes of the arrays a variant is compiled for (and
    ``dtypes`` to their dtypes, so results can be written into dead
    temporaries, never into the user's own names, ``keep``).  ``release`` deletes
    dead temporaries (last, as it adds statements)."""
    changed = True
    while changed:
        changed = fold_constants(func)
        changed |= fold_float_units(func, scalars, np_alias)
        changed |= remove_unbroadcasts(func, scalars)
        if shapes is not None:
            changed |= specialize(func, shapes, np_alias)
        if shapes is not None and dtypes is not None:
            changed |= known_zeros(func, shapes, dtypes, np_alias)
        changed |= forward_values(func)
        changed |= remove_dead(func)
        changed |= remove_unread_saves(func)
    if shapes is not None:
        gather_dict_grads(func, shapes)
        merge_copied_slices(func, shapes)
    if cancel_negations(func, keep) | share_common(func):
        forward_values(func)  # the copies they leave
        remove_dead(func)
    if shapes is not None and dtypes is not None:
        known = ConcreteShapes(func, shapes)
        anno.set_(func, NUMBERS, {n for n, s in known.shape.items() if s == ()})
        kinds = DTypes(known, dtypes)
        fold_float_units(func, scalars, np_alias, kinds)
        write_in_place(func, known, kinds, np_alias, keep)
        write_last_reads(func, known, kinds, np_alias, keep)
        # after write_in_place, which reads np.sum, not np.add.reduce
        call_reductions(func, known, kinds, np_alias)
    if release:
        finish(func)
    return func


def finish(func, numbers=None, release: bool = True, users: bool = False) -> None:
    """The last passes, which print the code as a reader writes it: helper calls
    without their defaults, then (with ``release``) dead temporaries deleted (with
    ``users``, the user's dead names too), but for ``numbers`` (names known to
    hold numbers)."""
    name_defaults(func)
    if release:
        release_dead(func, numbers, users)


def optimize_variant(
    func, scalars, shapes, dtypes, unit_seed: bool, np_alias: str, keep, helpers=None
):
    """``optimize`` for a variant compiled for known argument types: the seed read
    as 1.0 where no caller passes one, shapes and dtypes used, and loops saving
    into lists (higher-order transforms read the general code, never a variant).
    ``helpers`` (name -> function) are the generated functions it calls, whose
    results' shapes follow from their arguments'; the shapes each is called with
    are left on the function (``CALLS``) for ``specialize_helpers``."""
    if unit_seed:
        constant_seed(func)
    if helpers and shapes is not None:
        anno.set_(func, HELPERS, Helpers(helpers))
    optimize(func, scalars, shapes, dtypes, np_alias, release=False, keep=keep)
    if helpers and shapes is not None:
        anno.set_(func, CALLS, call_shapes(func, shapes, dtypes, helpers))
    index_saves(func)
    if shapes is None:  # no arrays among the arguments: scalar code, run by CPython
        fuse_temporaries(func, keep)
        finish(func, release=False)
    else:
        finish(func, anno.get(func, NUMBERS), users=True)
    return func


def call_shapes(func, shapes, dtypes, helpers) -> dict:
    """helper name -> the set of ``(shapes, dtypes)`` of the arguments of its calls
    in ``func``: per argument a shape (a ``Packed`` for a tuple of saved values)
    and a dtype, or None where either is not known."""
    known = ConcreteShapes(func, shapes)
    kinds = DTypes(known, dtypes)
    found: dict[str, set] = {}
    for node in anno.walk(func):
        if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)):
            continue
        if node.func.id not in helpers:
            continue
        signature = tuple(_argument(known, kinds, a) for a in node.args)
        found.setdefault(node.func.id, set()).add(signature)
    return found


def _argument(known, kinds, node):
    shape = known.of(node)
    if isinstance(shape, Packed):
        dtypes = kinds.of(node)
        return shape, dtypes if isinstance(dtypes, Packed) else None
    if isinstance(shape, tuple):
        dtype = kinds.of(node)
        return shape, dtype if getattr(dtype, "kind", None) == "f" else None
    return None


def specialize_helpers(helpers: list, calls: dict, np_alias: str, keep) -> list:
    """Each helper called with one set of argument shapes and dtypes only,
    optimized for them as a variant is (others as they were)."""
    out = []
    for func in helpers:
        signatures = calls.get(func.name, set())
        if len(signatures) != 1 or None in next(iter(signatures)):
            out.append(func)
            continue
        (signature,) = signatures
        params = [a.id for a in func.args.args]
        shapes = {p: s for p, (s, _) in zip(params, signature)}
        dtypes = {p: d for p, (_, d) in zip(params, signature) if d is not None}
        special = anno.clone(func)
        anno.set_(special, HELPERS, Helpers({f.name: f for f in helpers}))
        optimize(special, set(), shapes, dtypes, np_alias, release=False, keep=keep)
        finish(special, anno.get(special, NUMBERS), users=True)
        out.append(special)
    return out


def without_unread_saves(helpers: list) -> list:
    """``helpers`` (a variant's generated functions but its main one) with the
    saved values no backward half reads left out of both halves' tuples, the
    halves changed copied first (the general code keeps its own)."""
    copies = [anno.clone(f) for f in helpers]
    if not prune_saved(copies):
        return helpers
    return [
        copy if gast.dump(copy) != gast.dump(f) else f
        for copy, f in zip(copies, helpers)
    ]
