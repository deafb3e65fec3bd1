"""Derivative templates, one short function per primitive, grouped by family.

Importing this package registers every template with ``tangentlike.template``.
"""

from . import (
    builtins_math,
    constants,
    keywords,
    numpy_arrays,
    numpy_constructors,
    numpy_core,
    numpy_elementwise,
    numpy_library,
    numpy_linalg,
    numpy_reductions,
    numpy_shapes,
    operators,
    runtime_helpers,
    runtime_helpers_linalg,
    tangents,
    tangents_linalg,
    tangents_numpy,
)  # noqa: F401
