import numpy as np


def dlogistic_dw(w, X, y, b_result=1.0):
    _matmul = X @ w
    _neg = np.negative(_matmul, out=_matmul)
    _exp = np.exp(_neg, out=_neg)
    _add = np.add(1.0, _exp, out=_exp)
    p = np.divide(1.0, _add, out=_add)
    _log = np.log(p)
    _mul = np.multiply(y, _log, out=_log)
    _sub = 1.0 - y
    _sub2 = 1.0 - p
    _log2 = np.log(_sub2)
    _mul2 = np.multiply(_sub, _log2, out=_log2)
    _add2 = np.add(_mul, _mul2, out=_mul)
    _mean = np.add.reduce(_add2, axis=None) / 6
    _result = -_mean
    # line 36: return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
    _neg_b_log2 = np.multiply(0.16666666666666666, _sub, out=_sub)
    b_matmul = np.multiply(_neg_b_log2, p, out=_neg_b_log2)
    b_log = -0.16666666666666666 * y
    b_matmul = np.add(b_matmul, np.multiply(b_log, _sub2, out=b_log), out=b_matmul)
    del _add, _add2, _exp, _log, _log2, _matmul, _mul, _mul2, _neg, _sub2, b_log, p
    # line 35: p = 1.0 / (1.0 + np.exp(-(X @ w)))
    bw = X.T @ b_matmul
    return _result, bw
