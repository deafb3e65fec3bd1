import numpy as np


def dmatvec_dA(A, v, b_result=1.0):
    _matmul = A @ v
    _dot = np.dot(v, _matmul)
    _T = A.T
    _mul = _T * A
    _sum = np.add.reduce(_mul, axis=None)
    _result = _dot + _sum
    # line 54: return np.dot(v, A @ v) + np.sum(A.T * A)
    b_T = 1.0 * A
    bA = 1.0 * _T
    bA = bA + np.transpose(b_T)
    b_matmul = 1.0 * v
    bA += np.outer(b_matmul, v)
    return _result, bA
