"""What the GPU tests share: the array library under test (CuPy, or its stand-in
made of NumPy), moving arguments to it and back, and watching for host copies."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import numpy as np

import tangentlike

PACKAGE = str(Path(tangentlike.__file__).resolve().parent)

# The ways CuPy copies an array to the host; each is counted when called.
COPYING = ("get", "item", "tolist", "__float__", "__int__", "__bool__", "__complex__")


def real_cupy():
    """CuPy with a CUDA device, or None (with the reason) when either is missing."""
    try:
        import cupy
    except ImportError as exc:
        return None, f"CuPy is not installed ({exc})"
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None, "no CUDA device"
    except Exception as exc:  # no driver, no device
        return None, f"no CUDA device ({type(exc).__name__}: {exc})"
    return cupy, ""


class Device:
    """One array library on one device: CuPy on the GPU, or the stand-in."""

    def __init__(self, xp):
        self.xp = xp
        self.standin = getattr(xp, "__standin__", False)

    def put(self, args):
        """The arguments with each NumPy array copied to the device."""
        return [self.xp.asarray(a) if isinstance(a, np.ndarray) else a for a in args]

    def host(self, value):
        """A device array (or a tuple, list or dict of them) copied to the host."""
        if isinstance(value, tuple | list):
            return type(value)(self.host(v) for v in value)
        if isinstance(value, dict):
            return {k: self.host(v) for k, v in value.items()}
        return self.xp.asnumpy(value) if self.on_device(value) else value

    def on_device(self, value) -> bool:
        return isinstance(value, self.xp.ndarray)

    @contextlib.contextmanager
    def host_copies(self):
        """Record each call that copies a device array to the host, by name."""
        cls, calls = self.xp.ndarray, []
        patched = {}
        for name in COPYING:
            original = getattr(cls, name, None)
            if original is None:
                continue
            patched[name] = cls.__dict__.get(name)
            setattr(cls, name, _counting(original, name, calls))
        try:
            yield calls
        finally:
            for name, own in patched.items():
                if own is None:
                    delattr(cls, name)
                else:
                    setattr(cls, name, own)


def _counting(method, name, calls):
    def counted(self, *args, **kwargs):
        calls.append(name)
        return method(self, *args, **kwargs)

    counted.__name__ = name
    return counted


def host_arrays_seen(fn, *args):
    """``fn(*args)`` and the NumPy arrays of floats that tangentlike's frames (generated
    code and the runtime helpers) held while it ran: ``(file, line, name)`` of each."""
    seen = []

    def local(frame, event, arg):
        if event in ("line", "return"):
            for name, value in list(frame.f_locals.items()):
                if _holds_host_array(value):
                    seen.append((frame.f_code.co_filename, frame.f_lineno, name))
        return local

    def calls(frame, event, arg):
        file = frame.f_code.co_filename
        return local if file.startswith(("<tangentlike", PACKAGE)) else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        result = fn(*args)
    finally:
        sys.settrace(previous)
    return result, sorted(set(seen))


def _holds_host_array(value) -> bool:
    """A NumPy array of floating values, or a tuple or list holding one (integer
    arrays of shapes and indices, made on the host, are no copies)."""
    if isinstance(value, tuple | list):
        return any(map(_host_floats, value))
    return _host_floats(value)


def _host_floats(value) -> bool:
    return type(value) is np.ndarray and value.dtype.kind in "fc"
