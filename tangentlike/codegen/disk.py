"""Generated code kept on disk, so that a later process runs it without transforming.

Each transform has a folder named after its key (``codegen/fingerprint.py``);
each variant compiled for it (the general code, one for float arguments, one
for arrays of given shapes) is one JSON file there: its source, how to find each
name it reads, the globals it watches and the map from its lines to the user's.
A file is written to a temporary name and renamed into place, so a reader sees
a whole file or none, and processes writing the same entry at once each write
the same content.  A file that cannot be read, or whose content does not match
its name, is ignored (and rewritten by the next process that compiles it).

The folder is ``$TANGENTLIKE_CACHE/source`` where that is set, else
``$XDG_CACHE_HOME/tangentlike/source`` (``~/.cache/tangentlike/source``): the
folder where Numba's machine code is kept for ``jit=True``, under a folder of
its own.  ``TANGENTLIKE_DISK_CACHE=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from pathlib import Path

SWITCH = "TANGENTLIKE_DISK_CACHE"  # "0" (or "false", "off", "no") turns it off


def root() -> Path:
    """The cache folder: ``$TANGENTLIKE_CACHE``, else ``$XDG_CACHE_HOME/tangentlike``
    (``~/.cache/tangentlike``)."""
    found = os.environ.get("TANGENTLIKE_CACHE")
    if found:
        return Path(found)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tangentlike"


def enabled() -> bool:
    """Whether generated code is kept on disk: the default, unless turned off or
    there is no folder for it (no home folder, no ``TANGENTLIKE_CACHE``)."""
    value = os.environ.get(SWITCH, "1").strip().lower()
    if value in ("0", "false", "off", "no"):
        return False
    try:
        root()
    except (RuntimeError, KeyError):  # Path.home() of a user without a home
        return False
    return True


def folder(key: str) -> Path:
    """The folder of the transform with this key."""
    return root() / "source" / key[:2] / key


def variant_name(variant: tuple) -> str:
    """The file name of a variant: ``(backend, scalars, shapes, unit_seed)``."""
    backend, scalars, shapes, unit_seed = variant
    if shapes is not None:
        shapes = tuple((n, tuple(s), str(d)) for n, s, d in shapes)
    described = repr((backend, tuple(scalars), shapes, bool(unit_seed)))
    return hashlib.sha256(described.encode()).hexdigest()[:32] + ".json"


def read(key: str, variant: tuple) -> dict | None:
    """The record kept for this variant of this transform, or None (none kept,
    or one that cannot be read or is not this one)."""
    path = folder(key) / variant_name(variant)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("key") != key:
        return None
    if record.get("variant") != variant_name(variant):
        return None
    source = record.get("source")
    if not isinstance(source, str) or record.get("digest") != _digest(source):
        return None
    return record


def write(key: str, variant: tuple, record: dict) -> None:
    """Keep ``record`` (its ``source``, and what else the loader needs) for this
    variant: written whole under a temporary name, then renamed into place."""
    record = {
        **record,
        "key": key,
        "variant": variant_name(variant),
        "digest": _digest(record["source"]),
    }
    place = folder(key)
    path = place / variant_name(variant)
    scratch = place / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        place.mkdir(parents=True, exist_ok=True)
        scratch.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        os.replace(scratch, path)
    except OSError:  # a folder that cannot be written: nothing is kept
        with contextlib.suppress(OSError):
            scratch.unlink(missing_ok=True)


def _digest(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()
