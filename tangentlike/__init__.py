"""tangentlike: source-to-source automatic differentiation for numeric Python.

``import tangentlike`` loads only this module and its errors: the transforms, the
templates and the runtime are imported when a function of theirs is first used
(``tangentlike.grad``, ``tangentlike.adjoint``, ...), so that importing costs
little more than importing NumPy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .api import WHERE as _API
from .errors import (
    ArgumentError,
    JitWarning,
    NoDerivativeError,
    NonScalarOutputError,
    NoSourceError,
    StaleSourceError,
    TangentlikeError,
    UnsupportedDerivativeError,
    UnsupportedSyntaxError,
)

if TYPE_CHECKING:
    from .api import (
        Graph,
        check_grads,
        explain_jit,
        getsource,
        grad,
        graph,
        hessian,
        hvp,
        jacobian,
        jvp,
        value_and_grad,
        vjp,
    )
    from .runtime import stop_gradient
    from .template import adjoint, tangent

__version__ = "0.1.0"

# public name -> the module that defines it, imported on first use
_LAZY = {
    **{name: f".api{where}" for name, where in _API.items()},
    "stop_gradient": ".runtime",
    "adjoint": ".template",
    "tangent": ".template",
}


def __getattr__(name: str):
    """A public function, its module imported the first time it is asked for."""
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "ArgumentError",
    "JitWarning",
    "NoDerivativeError",
    "NoSourceError",
    "NonScalarOutputError",
    "StaleSourceError",
    "TangentlikeError",
    "UnsupportedDerivativeError",
    "UnsupportedSyntaxError",
    "adjoint",
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
    "stop_gradient",
    "tangent",
    "value_and_grad",
    "vjp",
]
