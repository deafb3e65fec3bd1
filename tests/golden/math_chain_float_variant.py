import numpy as np
import math


def dmath_chain_dx(x, b_result=1.0):
    _sin = math.sin(x)
    _exp = math.exp(-x)
    _sqrt = math.sqrt(x * x + 1.0)
    _add2 = _sin * _exp + _sqrt
    _abs = abs(x)
    _result = _add2 + _abs
    # line 23: return math.sin(x) * math.exp(-x) + math.sqrt(x * x + 1.0) + abs(x)
    bx = np.sign(x)
    _mul3 = 0.5 / _sqrt * x
    bx = bx + _mul3 + _mul3
    bx = bx + -(_sin * _exp) + _exp * math.cos(x)
    return _result, bx
