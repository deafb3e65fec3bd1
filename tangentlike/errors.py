"""Errors raised on purpose by tangentlike, each pointing at the user's code."""

from __future__ import annotations

import functools
import os
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from . import debug


@dataclass(frozen=True)
class Location:
    """A place in the user's source: file, line, column and the line's text."""

    filename: str
    lineno: int
    col: int = 0
    text: str = ""

    def render(self) -> str:
        head = f'  File "{self.filename}", line {self.lineno}'
        if not self.text:
            return head
        caret = " " * (4 + self.col) + "^"
        return f"{head}\n    {self.text.rstrip()}\n{caret}"


class TangentlikeError(Exception):
    """Base class of every error tangentlike raises on purpose."""

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        hint: str = "",
        detail: str = "",
    ):
        self.message = message
        self.location = location
        self.hint = hint
        self.detail = detail  # shown below the location (a library's frames)
        super().__init__(self._format())

    def _format(self) -> str:
        parts = [self.message]
        if self.location is not None:
            parts.append(self.location.render())
        if self.detail:
            parts.append(self.detail)
        if self.hint:
            parts.append(f"Hint: {self.hint}")
        return "\n".join(parts)


class UnsupportedSyntaxError(TangentlikeError):
    """The function uses Python syntax that tangentlike cannot differentiate."""

    def __init__(self, problems: list[tuple[str, Location, str]]):
        self.problems = problems
        first = problems[0]
        lines = [f"cannot differentiate {len(problems)} construct(s):"]
        for what, loc, hint in problems:
            lines.append(f"- {what}")
            lines.append(loc.render())
            if hint:
                lines.append(f"  Hint: {hint}")
        super().__init__("\n".join(lines), None, "")
        self.location = first[1]


class NoDerivativeError(TangentlikeError):
    """A call reaches a function with no derivative template and no source."""

    @classmethod
    def combine(cls, errors: list[NoDerivativeError]) -> NoDerivativeError:
        """One error listing every call without a derivative, in source order."""
        unique = {(e.message, e.location): e for e in errors}
        errors = sorted(unique.values(), key=lambda e: _order(e.location))
        if len(errors) == 1:
            return errors[0]
        lines = [f"no derivative for {len(errors)} call(s):"]
        for e in errors:
            lines.append(f"- {e.message}")
            if e.location is not None:
                lines.append(e.location.render())
            if e.detail:
                lines.append(e.detail)
        hint = (
            "register a derivative for each with @tangentlike.adjoint(func) (and "
            "@tangentlike.tangent(func) for forward mode), or wrap values that should be "
            "constants in tangentlike.stop_gradient"
        )
        error = cls("\n".join(lines), None, hint)
        error.location = errors[0].location
        error.problems = errors
        return error

    @classmethod
    def in_library(
        cls, what: str, where: Location, inner: TangentlikeError
    ) -> NoDerivativeError:
        """A library function (``what``, called at the user's ``where``) whose source
        could not be differentiated: the user's line first, then the library's
        frames and what stopped it there."""
        frames = [f"in {what}, called from {_short(where)}"]
        frames += getattr(inner, "frames", [])
        reasons = _reasons(inner)
        lines = ["  " + f for f in frames] + ["  where tangentlike cannot take:"]
        for message, location in reasons:
            lines.append(f"  - {message}")
            if location is not None:
                lines.append(_indent(location.render()))
        error = cls(
            f"no derivative for {what}: no template, and its source cannot be "
            "differentiated",
            where,
            f"register one with @tangentlike.adjoint({what}) (and @tangentlike.tangent "
            "for forward mode), or wrap the value in tangentlike.stop_gradient if it "
            "should be a constant",
            "\n".join(lines),
        )
        error.frames, error.reasons = frames, reasons
        return error


def _reasons(error: TangentlikeError) -> list[tuple[str, Location | None]]:
    """What stopped a transform, innermost: each problem and where it is."""
    if hasattr(error, "reasons"):
        return error.reasons
    problems = getattr(error, "problems", None)
    if problems and isinstance(problems[0], tuple):  # UnsupportedSyntaxError
        return [(what, location) for what, location, _ in problems]
    if problems:  # NoDerivativeError.combine
        return [r for e in problems for r in _reasons(e)]
    return [(error.message, error.location)]


def _short(location: Location) -> str:
    return f"{os.path.basename(location.filename)}:{location.lineno}"


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def _order(location: Location | None) -> tuple:
    return (
        (location.filename, location.lineno, location.col) if location else ("", 0, 0)
    )


class NoSourceError(TangentlikeError):
    """The function's source code is not available."""


class StaleSourceError(TangentlikeError):
    """The source on disk is not the function that runs: the file changed after the
    function was defined."""


class ArgumentError(TangentlikeError, ValueError):
    """Bad arguments to grad, vjp, jvp: wrt, seeds or shapes."""


class NonScalarOutputError(ArgumentError):
    """grad was asked of a function whose output is not a scalar."""


class UnsupportedDerivativeError(TangentlikeError, NotImplementedError):
    """A derivative that exists for most arguments but not for these (a mode, an
    order, a shape), found when the generated code runs."""

    def __init__(self, what: str, hint: str = ""):
        super().__init__(
            f"tangentlike cannot differentiate {what}",
            hint=hint
            or "differentiate a different formulation (e.g. eigh instead of svd), or wrap "
            "the value in tangentlike.stop_gradient if it should be a constant",
        )


class SilentZeroError(TangentlikeError, AssertionError):
    """``TANGENTLIKE_DEBUG``: a derivative came back identically zero where a finite
    difference of the function is not zero: a bug of tangentlike's to report."""


class JitWarning(UserWarning):
    """A derivative asked for with ``jit=True`` runs as NumPy code: Numba is not
    installed, or cannot compile a variant (``explain_jit`` says which line)."""


# Tracebacks of errors raised on purpose show the user's frames, not tangentlike's
# (as JAX filters its own): the message names the user's file and line already.
_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_STDLIB = os.path.dirname(os.path.abspath(os.__file__)) + os.sep
_FRONTS = ("<tangentlike call>", "<tangentlike entry>")

F = TypeVar("F", bound=Callable)


def public(func: F) -> F:
    """``func`` as an entry point of the API: a ``TangentlikeError`` raised below it
    leaves with tangentlike's own frames (and the standard library's they pass
    through) taken out of its traceback, unless ``TANGENTLIKE_DEBUG`` is set."""

    @functools.wraps(func)
    def entry(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except TangentlikeError as exc:
            if debug.enabled():
                raise
            hide_own_frames(exc)
            raise exc  # tangentlike's frames are hidden: TANGENTLIKE_DEBUG=1 shows them

    return entry  # type: ignore[return-value]


def hide_own_frames(exc: BaseException) -> None:
    """Take tangentlike's frames out of the tracebacks of ``exc`` and of the
    exceptions it was raised from or while handling."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc.__traceback__ = _user_frames(exc.__traceback__)
        exc = exc.__cause__ or exc.__context__


def _user_frames(tb: types.TracebackType | None) -> types.TracebackType | None:
    kept = []
    while tb is not None:
        filename = os.path.abspath(tb.tb_frame.f_code.co_filename)
        if not _own(tb.tb_frame.f_code.co_filename, filename):
            kept.append(tb)
        tb = tb.tb_next
    out = None
    for t in reversed(kept):
        out = types.TracebackType(out, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return out


def _own(name: str, filename: str) -> bool:
    return (
        name in _FRONTS
        or filename.startswith(_PACKAGE)
        or (filename.startswith(_STDLIB) and "site-packages" not in filename)
    )
