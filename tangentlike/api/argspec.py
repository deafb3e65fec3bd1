"""Example arguments named on the command line (``dump --args``), for the variant
compiled for their types and shapes.

A spec gives one argument a parameter, in order: ``float`` (a Python float),
``int``, or a dtype and a shape, ``float64[100,5]`` (``float32[]`` is a 0-d
array).  A path ending in ``.npz`` names a file of example arrays instead, one
for each parameter, under its name (or ``arr_0``, ``arr_1``, ... in order).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy

_ARRAY = re.compile(r"\s*(\w+)\s*\[([\d\s,]*)\]\s*")
_SCALARS = {"float": 0.0, "int": 0, "bool": False}


class SpecError(ValueError):
    """A spec that names no argument."""


def example_args(spec: str, names: list[str]) -> tuple:
    """The example arguments ``spec`` describes, for parameters ``names``."""
    if spec.strip().endswith(".npz"):
        return _from_file(Path(spec.strip()), names)
    items = [item for item in _split(spec) if item.strip()]
    return tuple(_argument(item) for item in items)


def _split(spec: str) -> list[str]:
    """The items of a spec, split at the commas outside brackets."""
    items, depth, start = [], 0, 0
    for i, c in enumerate(spec):
        depth += {"[": 1, "]": -1}.get(c, 0)
        if c == "," and depth == 0:
            items.append(spec[start:i])
            start = i + 1
    return [*items, spec[start:]]


def _argument(item: str):
    if item.strip() in _SCALARS:
        return _SCALARS[item.strip()]
    found = _ARRAY.fullmatch(item)
    if found is None:
        raise SpecError(
            f"cannot read {item.strip()!r} as an argument: expected float, int or a "
            "dtype and a shape such as float64[100,5]"
        )
    try:
        dtype = numpy.dtype(found[1])
    except TypeError:
        raise SpecError(f"{found[1]!r} is no NumPy dtype") from None
    shape = tuple(int(n) for n in found[2].split(",") if n.strip())
    return numpy.broadcast_to(numpy.zeros((), dtype), shape)  # no memory for its size


def _from_file(path: Path, names: list[str]) -> tuple:
    if not path.is_file():
        raise SpecError(f"no such file: {path}")
    with numpy.load(path) as arrays:
        keys = names if all(n in arrays for n in names) else list(arrays)
        return tuple(_value(arrays[k]) for k in keys)


def _value(array: numpy.ndarray):
    """An array, or the Python float a 0-d float64 array of an .npz stands for."""
    return float(array) if array.shape == () and array.dtype == float else array
