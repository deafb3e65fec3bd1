import numpy as np
from tangentlike.runtime import zeros_like


def jvp_break_in_loop(x, dx):
    # line 130: total = 0.0
    total = 0.0
    dtotal = zeros_like(total)
    # line 131: for i in range(x.shape[0]):
    stop = False
    _shape = x.shape
    _item = _shape[0]
    for i in range(_item):
        _cond = not stop
        if _cond:
            # line 132: if total > 1.0:
            _cond2 = bool(total > 1.0)
            if _cond2:
                # line 133: break
                stop = True
            _cond3 = not stop
            if _cond3:
                # line 134: total = total + x[i] * x[i]
                _item2 = x[i]
                d_item2 = dx[i]
                _item3 = x[i]
                d_item3 = dx[i]
                _mul = _item2 * _item3
                d_mul = d_item2 * _item3 + _item2 * d_item3
                _total = total + _mul
                d_total = dtotal + d_mul
                total = _total
                dtotal = d_total
    return total, dtotal
