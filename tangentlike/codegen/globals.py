"""The user's global data, as the generated code reads it: up to date.

Generated code runs in a namespace of its own, built from the user's module
globals (and the runtime helpers) when it is compiled.  A global the user
rebinds afterwards (``SCALE = 5.0``, ``W = new_weights``) would keep its old
value there, and the gradient would silently be that of the old function.  So
each generated module *watches* the globals it reads that hold data (not
modules, functions or classes, which are resolved when ``grad`` transforms the
code), and every call path brings the namespaces up to date before running:

* ``sync`` copies the current values into every namespace registered with it
  (the compiled code's and the fronts');
* the front's inlined fast path only runs while each watched global is the
  object it saw last (``_tl_live0.get('SCALE') is _tl_seen0``); otherwise the
  call takes an entry, which syncs first.

A generated namespace records where each watched name really lives
(``_tl_live``), so code generated from generated code (``grad(grad(f))``)
watches the user's globals too.
"""

from __future__ import annotations

import types
import weakref

LIVE = "_tl_live"  # in a generated namespace: {name: the dict the name lives in}
_MISSING = object()


def is_data(value) -> bool:
    """A global the generated code reads as a value (not a module, function or class,
    which the transform resolved)."""
    return not isinstance(value, types.ModuleType) and not callable(value)


def home(name: str, namespace: dict) -> dict:
    """The dict ``name`` really lives in: ``namespace``, or, for a generated
    namespace, the user's dict it was copied from."""
    while name in namespace.get(LIVE, ()):
        namespace = namespace[LIVE][name]
    return namespace


def seen(i: int) -> str:
    """The name under which a front keeps the value of watched global ``i``."""
    return f"_tl_seen{i}"


def live(i: int) -> str:
    """The name under which a front keeps the dict of watched global ``i``."""
    return f"_tl_live{i}"


class Watch:
    """The watched globals of one generated module, and the namespaces to keep
    up to date."""

    def __init__(self, watched: tuple[tuple[str, dict], ...]):
        self.watched = watched
        self.namespaces: list[dict] = []  # of the compiled code: one per variant
        self.fronts: weakref.WeakSet = weakref.WeakSet()  # one per grad() call

    def register_front(self, function) -> None:
        """Keep the globals of a front (a function ``grad`` returned) up to date while
        the function lives."""
        if self.watched:
            self._mark(function.__globals__)
            self.fronts.add(function)

    def register(self, namespace: dict) -> dict:
        """Keep ``namespace`` up to date from now on (and say where its names live)."""
        if self.watched:
            self._mark(namespace)
            self.namespaces.append(namespace)
        return namespace

    def _mark(self, namespace: dict) -> None:
        namespace[LIVE] = {name: where for name, where in self.watched}
        for i, (name, where) in enumerate(self.watched):
            namespace[live(i)] = where
            namespace[seen(i)] = value = where.get(name, _MISSING)
            if value is not _MISSING:  # a namespace built from generated ones may lag
                namespace[name] = value

    def sync(self) -> None:
        """Copy each watched global's current value into every namespace."""
        if not self.watched:
            return
        namespaces = self.namespaces + [f.__globals__ for f in list(self.fronts)]
        for i, (name, where) in enumerate(self.watched):
            value = where.get(name, _MISSING)
            for namespace in namespaces:
                if namespace.get(seen(i), _MISSING) is not value:
                    namespace[seen(i)] = value
                    if value is _MISSING:
                        namespace.pop(name, None)
                    else:
                        namespace[name] = value

    def guard(self) -> list[str]:
        """Conditions under which a front's namespace is up to date."""
        return [
            f"{live(i)}.get({name!r}) is {seen(i)}"
            for i, (name, _) in enumerate(self.watched)
        ]
