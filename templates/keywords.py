"""Keywords that do not change the mathematics, accepted by the templates that
ignore them, and keywords that are another name of a template's parameter.

A ufunc's ``casting=``, ``order=``, ``dtype=``, ``subok=`` and ``signature=``
choose a loop and a layout, not the values' derivative; ``out=None`` and
``where=True`` are its defaults.  Keywords that would change the derivative
(``where=mask``, ``initial=`` of a maximum, ``matmul(axes=...)``) are refused by
name when a call passes them.
"""

import numpy

from tangentlike import template as tpl
from tangentlike.template import neutral, renamed

from . import (  # noqa: F401  (the templates these keywords are of, registered first)
    builtins_math,
    numpy_constructors,
    numpy_core,
    numpy_elementwise,
    numpy_library,
    numpy_linalg,
    numpy_reductions,
    numpy_shapes,
    operators,
    tangents,
    tangents_linalg,
    tangents_numpy,
)

LOOP = ("casting", "order", "dtype", "subok", "signature")
REDUCTIONS = [
    numpy.sum,
    numpy.mean,
    numpy.prod,
    numpy.max,
    numpy.min,
    numpy.amax,
    numpy.amin,
    numpy.nansum,
    numpy.nanmean,
    numpy.nanmax,
    numpy.nanmin,
    numpy.var,
    numpy.std,
]
STACKS = [numpy.concatenate, numpy.stack, numpy.hstack, numpy.vstack]


def _ufuncs() -> list:
    return [
        f for f in set(tpl.ADJOINTS) | set(tpl.TANGENTS) if isinstance(f, numpy.ufunc)
    ]


for ufunc in sorted(_ufuncs(), key=lambda f: f.__name__):
    neutral(ufunc, *LOOP, out=None, where=True)

neutral(REDUCTIONS, where=True)
neutral([numpy.sum, numpy.nansum], "initial")  # adds a constant
renamed([numpy.var, numpy.std], correction="ddof")
renamed(numpy.array, object="a")
neutral(numpy.array, "copy", "order", "subok", "like", "ndmax")
neutral([numpy.asarray, numpy.asanyarray], "order", "device", "copy", "like")
neutral(numpy.copy, "order", "subok")
neutral(numpy.broadcast_to, "subok")
neutral(numpy.reshape, "copy")
neutral(numpy.sort, "stable")
neutral(STACKS, "dtype", "casting", out=None)
neutral([numpy.dot, numpy.outer, numpy.clip], out=None)
neutral(numpy.einsum, "optimize", out=None)
neutral(numpy.take, out=None, mode="raise")
renamed(numpy.clip, min="a_min", max="a_max")
renamed(numpy.linalg.pinv, rtol="rcond")
neutral([numpy.full, numpy.full_like, numpy.linspace, numpy.arange], "device")
neutral([numpy.full, numpy.arange], "like")
neutral(numpy.linspace, retstep=False)
