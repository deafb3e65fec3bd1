import numpy as np
from tangentlike.runtime import unreduce


def drnn_like_dx(x, n, b_result=1.0):
    h = x
    _h_saved = [None] * n
    for _ in range(n):
        _mul = h * 0.5
        _add = np.add(_mul, x, out=_mul)
        h = np.tanh(_add, out=_add)
        _h_saved[_] = h
    _result = np.add.reduce(h, axis=None)
    # line 333: return np.sum(h)
    bh = unreduce(1.0, h)
    # line 331: for _ in range(n):
    bx = np.zeros_like(x)
    for h in reversed(_h_saved):
        # line 332: h = np.tanh(h * 0.5 + x)
        b_add = bh * (1.0 - h * h)
        bx += b_add
        bh = b_add * 0.5
    del _h_saved
    # line 330: h = x
    bx += bh
    return _result, bx
