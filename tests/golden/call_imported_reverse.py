import numpy as np
from tangentlike.runtime import unbroadcast


def _fwd_scaled_sin(x, scale):
    _sin = np.sin(x)
    _result = scale * _sin
    return _result, (_sin, scale, x)


def _bwd_scaled_sin(saved, b_result):
    _sin, scale, x = saved
    # helpers_imported.py, line 7: return scale * np.sin(x)
    b_sin = unbroadcast(b_result * scale, _sin)
    bx = b_sin * np.cos(x)
    return bx,


def _fwd_deeper(x):
    _scaled_sin, _scaled_sin_saved = _fwd_scaled_sin(x, 0.5)
    _mul = x * x
    _result = _scaled_sin + _mul
    return _result, (_mul, _scaled_sin, _scaled_sin_saved, x)


def _bwd_deeper(saved, b_result):
    _mul, _scaled_sin, _scaled_sin_saved, x = saved
    # helpers_imported.py, line 15: return scaled_sin(x, scale=0.5) + x * x
    b_scaled_sin = unbroadcast(b_result, _scaled_sin)
    b_mul = unbroadcast(b_result, _mul)
    bx = unbroadcast(b_mul * x, x)
    bx = bx + unbroadcast(b_mul * x, x)
    _bx, = _bwd_scaled_sin(_scaled_sin_saved, b_scaled_sin)
    bx += _bx
    return bx,


def _fwd_pair(x, y):
    _mul = x * y
    _add = x + y
    _result = _mul, _add
    return _result, (x, y)


def _bwd_pair(saved, b_result):
    x, y = saved
    # helpers_imported.py, line 11: return x * y, x + y
    b_mul = b_result[0]
    b_add = b_result[1]
    bx = unbroadcast(b_add, x)
    bx = bx + unbroadcast(b_mul * y, x)
    return bx,


def dcall_imported_dx(x, b_result=1.0):
    _pair, _pair_saved = _fwd_pair(x, 2.0)
    a, b = _pair
    _scaled_sin, _scaled_sin_saved = _fwd_scaled_sin(x, 2.0)
    _deeper, _deeper_saved = _fwd_deeper(x)
    _add = _scaled_sin + _deeper
    _mul = a * b
    _result = _add + _mul
    # line 225: return scaled_sin(x) + deeper(x) + a * b
    b_add = unbroadcast(b_result, _add)
    b_mul = unbroadcast(b_result, _mul)
    ba = unbroadcast(b_mul * b, a)
    bb = unbroadcast(b_mul * a, b)
    b_scaled_sin = unbroadcast(b_add, _scaled_sin)
    b_deeper = unbroadcast(b_add, _deeper)
    _bx, = _bwd_deeper(_deeper_saved, b_deeper)
    _bx2, = _bwd_scaled_sin(_scaled_sin_saved, b_scaled_sin)
    bx = _bx + _bx2
    del _add, _mul, b_add, b_deeper, b_mul, b_scaled_sin
    # line 224: a, b = pair(x, 2.0)
    b_pair = ba, bb
    _bx3, = _bwd_pair(_pair_saved, b_pair)
    bx += _bx3
    return _result, bx
