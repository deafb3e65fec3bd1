import numpy as np
from tangentlike.runtime import unreduce


def drnn_like_dx(x, n, b_result=1.0):
    _stack = []
    h = x
    for _ in range(n):
        _mul = h * 0.5
        _add = _mul + x
        h = np.tanh(_add)
        _stack.append(h)
    _result = np.sum(h)
    # line 333: return np.sum(h)
    bh = unreduce(b_result, h)
    # line 331: for _ in range(n):
    bx = np.zeros_like(x)
    for _ in reversed(range(n)):
        # line 332: h = np.tanh(h * 0.5 + x)
        h = _stack.pop()
        b_add = bh * (1.0 - h * h)
        bx += b_add
        bh = b_add * 0.5
    del _stack
    # line 330: h = x
    bx += bh
    return _result, bx
