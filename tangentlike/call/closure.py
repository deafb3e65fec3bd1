"""A shared transform run with one closure's own data.

Closures made by one ``def`` share their transform (``api/cache.py``), which keeps
none of their cells' data; each derivative runs the compiled code in a copy of its
namespace holding its own closure's values, kept up to date with the user's
globals like any other namespace (``codegen/globals.py``).
"""

from __future__ import annotations

from ..codegen import compile as compiler


def closure_data(module, func) -> dict:
    """The data of ``func``'s closure that ``module`` leaves to each derivative."""
    return module.cell_values(func)


def own_compiled(d, *args):
    """``d.module.compiled(*args)``, in a namespace with ``d``'s closure data."""
    fn = d.module.compiled(*args)
    if not d.cells:
        return fn
    own = d.own.get(fn)
    if own is None:
        own = d.own[fn] = compiler.rebound(fn, d.cells)
        d.module.watch().register_front(own)
    return own
