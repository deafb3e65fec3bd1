"""The public API: what ``import tangentlike`` gives."""

from .check import check_grads
from .dense import hessian, hvp, jacobian
from .forward import jvp
from .graph import Graph, graph
from .jit import explain_jit
from .reverse import getsource, grad, value_and_grad, vjp

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
