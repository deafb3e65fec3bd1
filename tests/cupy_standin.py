"""A stand-in for CuPy made of NumPy, so that the CuPy path runs without a GPU.

Its arrays keep CuPy's rules: they are no ``numpy.ndarray``, a NumPy array in
their arithmetic is refused (``TypeError``, as CuPy refuses an implicit copy to
the device), ``numpy.asarray`` of one is refused (as CuPy refuses an implicit copy
to the host), and a reduction gives a 0-d array, not a scalar. What does copy to
the host (``get``, ``item``, ``float``, ``bool``, ...) works as in CuPy, so the
tests count it the same way on both.
"""

from __future__ import annotations

import sys
import types

import numpy

IMPLICIT = "Implicit conversion to a NumPy array is not allowed. Please use `.get()`"


class ndarray:  # noqa: N801 - the name generated code and tests look for
    """A device array: a NumPy array behind CuPy's rules."""

    __slots__ = ("_data",)
    __array_priority__ = 100
    __module__ = "cupy"  # how tangentlike tells a CuPy array

    def __init__(self, data):
        self._data = data

    shape = property(lambda self: self._data.shape)
    dtype = property(lambda self: self._data.dtype)
    ndim = property(lambda self: self._data.ndim)
    size = property(lambda self: self._data.size)
    strides = property(lambda self: self._data.strides)
    flags = property(lambda self: self._data.flags)
    nbytes = property(lambda self: self._data.nbytes)
    itemsize = property(lambda self: self._data.itemsize)
    T = property(lambda self: ndarray(self._data.T))

    def __repr__(self) -> str:
        return f"standin.{self._data!r}"

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self):
        return (device(row) for row in self._data)

    def __getitem__(self, key):
        return device(self._data[_index(key)])

    def __setitem__(self, key, value):
        if isinstance(value, numpy.ndarray) and value.ndim:
            raise ValueError("non-scalar numpy.ndarray cannot be used for fill")
        self._data[_index(key)] = _raw(value)

    def __array__(self, *args, **kwargs):
        raise TypeError(IMPLICIT)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        out = kwargs.pop("out", None)
        args = [_operand(x) for x in inputs]
        if method == "at":  # an index, not an operand
            args[1] = _index(inputs[1])
        if out is not None:
            kwargs["out"] = tuple(_operand(o) for o in out)
        result = getattr(ufunc, method)(*args, **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return device(result)

    def __array_function__(self, func, types_, args, kwargs):
        return _on_device(func)(*args, **kwargs)

    def __getattr__(self, name):
        if name == "_data" or name.startswith("__"):  # no __array_interface__
            raise AttributeError(name)
        value = getattr(self._data, name)
        return _on_device(value) if callable(value) else device(value)

    # copies to the host, as in CuPy
    def get(self):
        return self._data.copy()

    def item(self):
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __float__(self):
        return float(self._data)

    def __int__(self):
        return int(self._data)

    def __bool__(self):
        return bool(self._data)

    def __complex__(self):
        return complex(self._data)


def _operators():
    """``+``, ``-``, ``@``, comparisons, ... through the ufuncs, as NumPy arrays do."""
    binary = {
        "add": numpy.add,
        "sub": numpy.subtract,
        "mul": numpy.multiply,
        "truediv": numpy.true_divide,
        "floordiv": numpy.floor_divide,
        "mod": numpy.remainder,
        "pow": numpy.power,
        "matmul": numpy.matmul,
        "and": numpy.bitwise_and,
        "or": numpy.bitwise_or,
        "xor": numpy.bitwise_xor,
    }
    for name, uf in binary.items():
        setattr(ndarray, f"__{name}__", lambda s, o, uf=uf: uf(s, o))
        setattr(ndarray, f"__r{name}__", lambda s, o, uf=uf: uf(o, s))
        setattr(ndarray, f"__i{name}__", lambda s, o, uf=uf: uf(s, o, out=(s,)))
    compare = {"lt": numpy.less, "le": numpy.less_equal, "gt": numpy.greater}
    compare.update(ge=numpy.greater_equal, eq=numpy.equal, ne=numpy.not_equal)
    for name, uf in compare.items():
        setattr(ndarray, f"__{name}__", lambda s, o, uf=uf: uf(s, o))
    unary = {"neg": numpy.negative, "pos": numpy.positive, "abs": numpy.absolute}
    for name, uf in {**unary, "invert": numpy.invert}.items():
        setattr(ndarray, f"__{name}__", lambda s, uf=uf: uf(s))
    ndarray.__hash__ = None


_operators()


def device(value):
    """NumPy results as device arrays (a NumPy scalar as a 0-d array, as CuPy gives)."""
    if isinstance(value, numpy.ndarray | numpy.generic):
        return ndarray(numpy.asarray(value))
    if isinstance(value, tuple | list):  # a named tuple (eigh's) as a plain one
        return (list if isinstance(value, list) else tuple)(device(v) for v in value)
    return value


def _raw(value):
    """Device arrays as the NumPy arrays behind them, through tuples, lists and dicts."""
    if isinstance(value, ndarray):
        return value._data
    if type(value) in (tuple, list):
        return type(value)(_raw(v) for v in value)
    if type(value) is dict:
        return {k: _raw(v) for k, v in value.items()}
    return value


def _operand(value):
    """An operand of a ufunc: device arrays and scalars, never host arrays or lists."""
    if isinstance(value, ndarray):
        return value._data
    if isinstance(value, numpy.ndarray) or type(value) in (list, tuple):
        raise TypeError(f"Unsupported type {type(value)}")
    return value


def _index(key):
    return _raw(key) if type(key) is not tuple else tuple(_raw(k) for k in key)


def _on_device(func):
    """A NumPy function that refuses host arrays and returns device arrays."""

    def call(*args, **kwargs):
        if any(type(a) is numpy.ndarray for a in _flat(args, kwargs)):
            raise TypeError(f"{func.__name__}: a NumPy array given to a CuPy function")
        return device(func(*_raw(args), **_raw(kwargs)))

    call.__name__ = getattr(func, "__name__", "call")
    return call


def _flat(args, kwargs):
    for a in (*args, *kwargs.values()):
        yield from (_flat(a, {}) if type(a) in (tuple, list) else (a,))


class _Pool:
    """What the benchmark asks of CuPy's memory pool."""

    def free_all_blocks(self) -> None:
        pass

    def used_bytes(self) -> int:
        return 0

    def total_bytes(self) -> int:
        return 0


class _Device:
    def synchronize(self) -> None:
        pass


class Namespace(types.ModuleType):
    """``cupy`` or one of its submodules: NumPy's functions on device arrays."""

    def __init__(self, name: str, numpy_module):
        super().__init__(name)
        self._numpy = numpy_module

    def __getattr__(self, name):
        value = getattr(self._numpy, name)
        if isinstance(value, types.ModuleType):
            return Namespace(f"{self.__name__}.{name}", value)
        if isinstance(value, numpy.ufunc | type) or not callable(value):
            return value
        return _on_device(value)


def module() -> Namespace:
    """A fresh stand-in ``cupy`` module."""
    cp = Namespace("cupy", numpy)
    cp.ndarray = ndarray
    cp.asarray = lambda a, dtype=None: ndarray(numpy.array(_raw(a), dtype=dtype))
    cp.array = cp.asarray
    cp.asnumpy = lambda a: a.get() if isinstance(a, ndarray) else numpy.asarray(a)
    cp.get_default_memory_pool = _Pool
    runtime = types.SimpleNamespace(
        getDeviceCount=lambda: 1,
        getDeviceProperties=lambda i: {"name": b"stand-in (NumPy)"},
    )
    cp.cuda = types.SimpleNamespace(Device=_Device, runtime=runtime)
    cp.__standin__ = True
    cp.__version__ = "stand-in"
    return cp


def installed() -> bool:
    """Whether ``import cupy`` gives the stand-in now."""
    return getattr(sys.modules.get("cupy"), "__standin__", False)
