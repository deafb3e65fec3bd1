import numpy as np


def jvp_logistic(w, X, y, dw):
    # line 35: p = 1.0 / (1.0 + np.exp(-(X @ w)))
    _matmul = X @ w
    d_matmul = np.matmul(X, dw)
    _neg = -_matmul
    _exp = np.exp(_neg)
    _add = 1.0 + _exp
    p = 1.0 / _add
    del _add, _exp, _matmul, _neg
    # line 36: return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
    _log = np.log(p)
    d_log = d_matmul * (1.0 - p)
    _mul = y * _log
    d_mul = y * d_log
    _sub = 1.0 - y
    _sub2 = 1.0 - p
    _log2 = np.log(_sub2)
    d_log2 = -d_matmul * p
    _mul2 = _sub * _log2
    d_mul2 = _sub * d_log2
    _add2 = _mul + _mul2
    d_add2 = d_mul + d_mul2
    _mean = np.mean(_add2)
    d_mean = np.mean(d_add2)
    _result = -_mean
    d_result = -d_mean
    return _result, d_result
