import numpy as np
from tangentlike.runtime import matmul_rhs, reduced_size, unbroadcast, unreduce


def dlogistic_dw(w, X, y, b_result=1.0):
    _matmul = X @ w
    _neg = -_matmul
    _exp = np.exp(_neg)
    _add = 1.0 + _exp
    p = 1.0 / _add
    del _add, _exp, _matmul, _neg
    _log = np.log(p)
    _mul = y * _log
    _sub = 1.0 - y
    _sub2 = 1.0 - p
    _log2 = np.log(_sub2)
    _mul2 = _sub * _log2
    _add2 = _mul + _mul2
    _mean = np.mean(_add2)
    _result = -_mean
    # line 36: return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
    b_mean = -b_result
    b_add2 = unreduce(b_mean / reduced_size(_add2), _add2)
    b_mul = unbroadcast(b_add2, _mul)
    b_mul2 = unbroadcast(b_add2, _mul2)
    b_log2 = unbroadcast(b_mul2 * _sub, _log2)
    b_matmul = -b_log2 * p
    b_log = unbroadcast(b_mul * y, _log)
    b_matmul = b_matmul + b_log * _sub2
    del _add2, _log, _log2, _mul, _mul2, _sub, _sub2, b_add2, b_log, b_log2, b_mul
    del b_mul2
    # line 35: p = 1.0 / (1.0 + np.exp(-(X @ w)))
    bw = matmul_rhs(b_matmul, X, w)
    return _result, bw
