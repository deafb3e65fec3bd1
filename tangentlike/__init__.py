"""tangentlike: source-to-source automatic differentiation for numeric Python."""

from .api import (
    Graph,
    check_grads,
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
from .errors import (
    ArgumentError,
    NoDerivativeError,
    NonScalarOutputError,
    NoSourceError,
    StaleSourceError,
    TangentlikeError,
    UnsupportedDerivativeError,
    UnsupportedSyntaxError,
)
from .runtime import stop_gradient
from .template import adjoint, tangent

__version__ = "0.1.0"

__all__ = [
    "ArgumentError",
    "NoDerivativeError",
    "NoSourceError",
    "NonScalarOutputError",
    "StaleSourceError",
    "TangentlikeError",
    "UnsupportedDerivativeError",
    "UnsupportedSyntaxError",
    "adjoint",
    "check_grads",
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
