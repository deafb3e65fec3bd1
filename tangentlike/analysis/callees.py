"""Facts about the functions a differentiated function calls."""

from __future__ import annotations

import inspect

from .. import template as tpl


def is_user_function(obj, table) -> bool:
    """A Python function of the user's with no template in ``table``: transformed
    from its source."""
    if not inspect.isfunction(obj) or tpl.lookup(table, obj) is not None:
        return False
    return not (obj.__module__ or "").startswith(("numpy", "tangentlike."))
