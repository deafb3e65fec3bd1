import numpy as np


def dif_elif_else_dx(x, by=1.0):
    _cond = bool(x > 1.0)
    if _cond:
        y = x * x
    else:
        _cond2 = bool(x < 0.0)
        if _cond2:
            y = x * -3.0
        else:
            y = np.sin(x)
    # line 31: if x > 1.0:
    if _cond:
        # line 32: y = x * x
        bx = x + x
    # line 33: elif x < 0.0:
    elif _cond2:
        # line 34: y = -x * 3.0
        bx = -3.0
    else:
        # line 36: y = np.sin(x)
        bx = np.cos(x)
    return y, bx
