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

import weakref

from ..analysis import scope

LIVE = "_tl_live"  # in a generated namespace: {name: (the dict it lives in, its key)}
_MISSING = object()


def is_data(value) -> bool:
    """A global the generated code reads as a value (not a module, function or class,
    which the transform resolved)."""
    return scope.is_data(value)


def home(name: str, namespace: dict) -> tuple[dict, str]:
    """``(dict, key)`` where ``name`` of ``namespace`` really lives: ``namespace``
    itself, or, for a generated namespace, the user's dict it was copied from (under
    the user's name: a generated name may rename it, ``scale_2``)."""
    while name in namespace.get(LIVE, ()):
        namespace, name = namespace[LIVE][name]
    return namespace, name


def seen(i: int) -> str:
    """The name under which a front keeps the value of watched global ``i``."""
    return f"_tl_seen{i}"


def live(i: int) -> str:
    """The name under which a front keeps the dict of watched global ``i``."""
    return f"_tl_live{i}"


class Watch:
    """The watched globals of one generated module, and the namespaces to keep
    up to date."""

    def __init__(self, watched: tuple[tuple[str, dict, str], ...]):
        self.watched = watched  # (name in generated code, the user's dict, key there)
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
        namespace[LIVE] = {name: (where, key) for name, where, key in self.watched}
        for i, (name, where, key) in enumerate(self.watched):
            namespace[live(i)] = where
            namespace[seen(i)] = value = where.get(key, _MISSING)
            if value is not _MISSING:  # a namespace built from generated ones may lag
                namespace[name] = value

    def sync(self) -> None:
        """Copy each watched global's current value into every namespace."""
        if not self.watched:
            return
        namespaces = self.namespaces + [f.__globals__ for f in list(self.fronts)]
        for i, (name, where, key) in enumerate(self.watched):
            value = where.get(key, _MISSING)
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
            f"{live(i)}.get({key!r}) is {seen(i)}"
            for i, (_, _, key) in enumerate(self.watched)
        ]
