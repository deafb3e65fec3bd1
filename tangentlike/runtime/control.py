"""Helpers of generated code for calls and blocks the transforms keep as written."""

from __future__ import annotations

import inspect

from ..errors import UnsupportedDerivativeError
from .facts import helper


@helper(statement=True)
def body_stopped():
    """The reverse sweep of a ``with`` block whose context stopped the body part
    way (it suppressed an exception): what ran of it has no known derivative."""
    raise UnsupportedDerivativeError(
        "a with block whose context stopped it part way (it suppressed an "
        "exception raised in the block)"
    )


@helper(statement=True)
def truncate(stack: list, depth: int) -> None:
    """Take off ``stack`` what was pushed after it held ``depth`` values."""
    del stack[depth:]


@helper()
def call_arguments(func, *args, **kwargs) -> tuple:
    """The values ``func(*args, **kwargs)`` binds to its parameters, in their order
    (``*args`` as a tuple, ``**kwargs`` as a dict), defaults filled in."""
    bound = inspect.signature(func).bind(*args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.arguments.values())
