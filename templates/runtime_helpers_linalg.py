"""Derivatives of the linear-algebra helpers of ``tangentlike.runtime`` that
gradients of ``numpy.linalg`` and ``einsum`` call, so that they can be differentiated
again (Hessians through solve, einsum, tensordot).
"""

import numpy as np

from tangentlike.runtime import (
    einsum_grad,
    einsum_grad_tangent,
    einsum_with,
    matmul_lhs,
    matmul_rhs,
    mT,
    solve_lhs,
    solve_rhs,
    solve_rhs_tangent,
)
from tangentlike.template import adjoint, d, linear, refused, tangent

linear(mT, "mT(d[y])")
refused([einsum_with, einsum_grad_tangent], "the third derivative of einsum")
refused(solve_rhs_tangent, "the third derivative of solve")


# z = solve_rhs(g, a, b) = a^-T g (b only tells a vector from a matrix)
@adjoint(solve_rhs)
def solve_rhs_adjoint(z, g, a, b):
    d[g] = np.linalg.solve(a, d[z])
    d[a] = -matmul_lhs(z, a, np.linalg.solve(a, d[z]))


@tangent(solve_rhs)
def solve_rhs_tangent_(z, g, a, b):
    d[z] = solve_rhs_tangent(d[g], d[a], z, g, a, b)


# z = solve_lhs(g, y, a, b) = -u y' with u = solve_rhs(g, a, b)
@adjoint(solve_lhs)
def solve_lhs_adjoint(z, g, y, a, b):
    u = solve_rhs(g, a, b)
    v = np.linalg.solve(a, np.matmul(d[z], y))
    d[g] = -v
    d[y] = -matmul_rhs(u, d[z], y)
    d[a] = matmul_lhs(u, a, v)


@tangent(solve_lhs)
def solve_lhs_tangent(z, g, y, a, b):
    u = solve_rhs(g, a, b)
    du = solve_rhs_tangent(d[g], d[a], u, g, a, b)
    d[z] = -matmul_lhs(du, a, y) - matmul_lhs(u, a, d[y])


# einsum_grad(g, subscripts, k, *operands) is linear in g and in every operand but
# operand k, which only gives a shape: the transpose of g -> einsum_grad is the einsum
# with operand k replaced, and the gradient in operand j is einsum_grad(g, j) of the
# einsum with operand k replaced by d[z]
@adjoint(einsum_grad)
def einsum_grad_adjoint(z, g, subscripts, k, a, b=None, c=None):
    d[g] = einsum_with(subscripts, k, d[z], a, b, c)
    if k == 0:
        d[b] = einsum_grad(g, subscripts, 1, d[z], b, c)
        d[c] = einsum_grad(g, subscripts, 2, d[z], b, c)
    elif k == 1:
        d[a] = einsum_grad(g, subscripts, 0, a, d[z], c)
        d[c] = einsum_grad(g, subscripts, 2, a, d[z], c)
    else:
        d[a] = einsum_grad(g, subscripts, 0, a, b, d[z])
        d[b] = einsum_grad(g, subscripts, 1, a, b, d[z])


@tangent(einsum_grad)
def einsum_grad_tangent_(z, g, subscripts, k, a, b=None, c=None):
    d[z] = einsum_grad_tangent(d[g], (d[a], d[b], d[c]), g, subscripts, k, a, b, c)
