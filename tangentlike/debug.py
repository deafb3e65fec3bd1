"""``TANGENTLIKE_DEBUG``: the one place that reads it.

Set to anything but ``""`` or ``"0"``, it turns on checks that cost time at each
call of a derivative: every gradient's dtype against its argument's, and a
finite-difference probe behind every gradient that comes back identically zero
(``call/probe.py``).  It is read at each ask, so a test can set it for a while.
"""

from __future__ import annotations

import os

VARIABLE = "TANGENTLIKE_DEBUG"


def enabled() -> bool:
    """Whether ``TANGENTLIKE_DEBUG`` asks for the debugging checks."""
    return os.environ.get(VARIABLE, "") not in ("", "0")
