import numpy as np
from tangentlike.runtime import matmul_rhs, reduced_size, unbroadcast, unreduce


def dsoftmax_loss_dW(W, X, labels, b_result=1.0):
    logits = X @ W
    _max = np.max(logits, axis=1, keepdims=True)
    shifted = logits - _max
    _exp = np.exp(shifted)
    _sum = np.sum(_exp, axis=1, keepdims=True)
    _log = np.log(_sum)
    logp = shifted - _log
    _mul = labels * logp
    _sum2 = np.sum(_mul, axis=1)
    _mean = np.mean(_sum2)
    _result = -_mean
    # line 43: return -np.mean(np.sum(labels * logp, axis=1))
    b_mean = -b_result
    b_sum2 = unreduce(b_mean / reduced_size(_sum2), _sum2)
    b_mul = unreduce(b_sum2, _mul, axis=1)
    blogp = unbroadcast(b_mul * labels, logp)
    del _mul, _sum2, b_mul, b_sum2
    # line 42: logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    bshifted = unbroadcast(blogp, shifted)
    b_log = -unbroadcast(blogp, _log)
    b_sum = b_log / _sum
    b_exp = unreduce(b_sum, _exp, axis=1, keepdims=True)
    bshifted = bshifted + b_exp * _exp
    del _exp, _log, _sum, b_exp, b_log, b_sum
    # line 41: shifted = logits - np.max(logits, axis=1, keepdims=True)
    blogits = unbroadcast(bshifted, logits)
    b_max = -unbroadcast(bshifted, _max)
    _hit = logits == unreduce(_max, logits, axis=1, keepdims=True)
    _count = np.sum(_hit, axis=1, keepdims=True, dtype=_max.dtype)
    blogits = blogits + unreduce(b_max / _count, logits, axis=1, keepdims=True) * _hit
    del _count, _hit, _max, b_max
    # line 40: logits = X @ W
    bW = matmul_rhs(blogits, X, W)
    return _result, bW
