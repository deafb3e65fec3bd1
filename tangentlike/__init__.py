"""tangentlike: source-to-source automatic differentiation for numeric Python."""

from .api import getsource, grad, value_and_grad, vjp
from .api_forward import hessian, hvp, jacobian, jvp
from .check import check_grads
from .errors import (
    ArgumentError,
    NoDerivativeError,
    NonScalarOutputError,
    NoSourceError,
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
    "TangentlikeError",
    "UnsupportedDerivativeError",
    "UnsupportedSyntaxError",
    "adjoint",
    "check_grads",
    "getsource",
    "grad",
    "hessian",
    "hvp",
    "jacobian",
    "jvp",
    "stop_gradient",
    "tangent",
    "value_and_grad",
    "vjp",
]
