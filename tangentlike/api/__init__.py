"""The public API: what ``import tangentlike`` gives.

Each function's module is imported when the function is first asked for
(``tangentlike.api.grad``, or ``tangentlike.grad``), so that importing the
package costs little.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .check import check_grads
    from .dense import hessian, hvp, jacobian
    from .forward import jvp
    from .graph import Graph, graph
    from .jit import explain_jit
    from .reverse import getsource, grad, value_and_grad, vjp

# public name -> the module of this package that defines it
WHERE = {
    "check_grads": ".check",
    "explain_jit": ".jit",
    "Graph": ".graph",
    "getsource": ".reverse",
    "grad": ".reverse",
    "graph": ".graph",
    "hessian": ".dense",
    "hvp": ".dense",
    "jacobian": ".dense",
    "jvp": ".forward",
    "value_and_grad": ".reverse",
    "vjp": ".reverse",
}


def __getattr__(name: str):
    """A public function, its module imported the first time it is asked for (a
    module of this package too: ``tangentlike.api.check``)."""
    where = WHERE.get(name)
    if where is None:
        try:
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "check_grads",
    "explain_jit",
    "Graph",
    "getsource",
    "grad",
    "graph",
    "hessian",
    "hvp",
    "jacobian",
    "jvp",
    "value_and_grad",
    "vjp",
]
