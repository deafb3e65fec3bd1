import numpy as np
from tangentlike.runtime import add_at, unbroadcast


def dtuple_list_dict_dx(x, y, b_result=1.0):
    t = x, y
    _mul = x * y
    lst = [_mul, y]
    del _mul
    _item = lst[0]
    d = {'a': x, 'b': _item}
    del _item
    _item2 = t[0]
    _item3 = t[1]
    _mul2 = _item2 * _item3
    _item4 = lst[1]
    _add = _mul2 + _item4
    _item5 = d['a']
    _item6 = d['b']
    _mul3 = _item5 * _item6
    _result = _add + _mul3
    # line 255: return t[0] * t[1] + lst[1] + d["a"] * d["b"]
    b_add = unbroadcast(b_result, _add)
    b_mul3 = unbroadcast(b_result, _mul3)
    b_item5 = unbroadcast(b_mul3 * _item6, _item5)
    b_item6 = unbroadcast(b_mul3 * _item5, _item6)
    bd = add_at(None, d, 'b', b_item6)
    bd = add_at(bd, d, 'a', b_item5)
    b_mul2 = unbroadcast(b_add, _mul2)
    b_item4 = unbroadcast(b_add, _item4)
    blst = add_at(None, lst, 1, b_item4)
    b_item2 = unbroadcast(b_mul2 * _item3, _item2)
    b_item3 = unbroadcast(b_mul2 * _item2, _item3)
    bt = add_at(None, t, 1, b_item3)
    bt = add_at(bt, t, 0, b_item2)
    del _add, _item2, _item3, _item4, _item5, _item6, _mul2, _mul3, b_add, b_item2
    del b_item3, b_item4, b_item5, b_item6, b_mul2, b_mul3
    # line 254: d = {"a": x, "b": lst[0]}
    bx = bd['a']
    b_item = bd['b']
    blst = add_at(blst, lst, 0, b_item)
    del b_item
    # line 253: lst = [x * y, y]
    b_mul = blst[0]
    bx = bx + unbroadcast(b_mul * y, x)
    del b_mul
    # line 252: t = (x, y)
    bx += bt[0]
    return _result, bx
