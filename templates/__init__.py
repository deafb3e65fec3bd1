"""Derivative templates, one short function per primitive, grouped by family.

Importing this package registers every template with ``tangentlike.template``.
"""

from . import builtins_math, numpy_core, operators  # noqa: F401
