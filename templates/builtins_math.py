"""Python builtins and the math module."""

import builtins
import math

from tangentlike.runtime import digamma, sum_grad  # noqa: F401 - digamma: in unary()s
from tangentlike.template import adjoint, d, tangent, unary

unary(math.sin, "math.cos(x)")
unary(math.cos, "-math.sin(x)")
unary(math.tan, "1.0 + y * y")
unary(math.exp, "y")
unary(math.expm1, "y + 1.0")
unary(math.log, "1.0 / x")
unary(math.log1p, "1.0 / (1.0 + x)")
unary(math.log2, "1.0 / (x * math.log(2.0))")
unary(math.log10, "1.0 / (x * math.log(10.0))")
unary(math.sqrt, "0.5 / y")
unary(math.tanh, "1.0 - y * y")
unary(math.sinh, "math.cosh(x)")
unary(math.cosh, "math.sinh(x)")
unary(math.asin, "1.0 / math.sqrt(1.0 - x * x)")
unary(math.acos, "-1.0 / math.sqrt(1.0 - x * x)")
unary(math.atan, "1.0 / (1.0 + x * x)")
unary(math.asinh, "1.0 / math.sqrt(x * x + 1.0)")
unary(math.acosh, "1.0 / math.sqrt(x * x - 1.0)")
unary(math.atanh, "1.0 / (1.0 - x * x)")
unary(math.fabs, "math.copysign(1.0, x) if x != 0 else 0.0")
unary(math.erf, "2.0 / math.sqrt(math.pi) * math.exp(-x * x)")
unary(math.erfc, "-2.0 / math.sqrt(math.pi) * math.exp(-x * x)")
unary(math.lgamma, "digamma(x)")
unary(math.gamma, "y * digamma(x)")
unary(builtins.abs, "np.sign(x)")
unary(builtins.float, "1.0")
unary(math.degrees, "180.0 / math.pi")
unary(math.radians, "math.pi / 180.0")


@adjoint(math.pow)
def math_pow(z, x, y):
    d[x] = d[z] * y * math.pow(x, y - 1.0)
    d[y] = d[z] * z * math.log(x)


@adjoint(math.fsum)
def fsum(y, seq):
    d[seq] = sum_grad(d[y], seq)


@tangent(math.fsum)
def fsum_tangent(y, seq):
    d[y] = math.fsum(d[seq])
