"""Library code read like the user's: NumPy by one name, array namespaces resolved.

A library module reaches NumPy under names of its own (``NX.asarray``,
``asanyarray`` imported from ``numpy._core``, ``_nx.float64``).  Each such name
becomes the public one under the array namespace of the generated code
(``np.asarray``), so that it takes NumPy's template, cannot collide with a name of
the user's, and runs on CuPy and Dask arrays when those are the arguments.

An array namespace taken from the arguments, ``xp = array_namespace(x)`` (SciPy,
array-api-compat), ``xp = x.__array_namespace__()`` or ``xp = np``, is that same
namespace: ``xp.sum(...)`` is ``np.sum(...)``.
"""

from __future__ import annotations

import types

import gast
import numpy

from .. import anno
from ..analysis.scope import is_resolved

NAMESPACE_FUNCTIONS = frozenset({"array_namespace"})
# modules that stand for NumPy's namespace (array-api-compat's wrapper, vendored or not)
NAMESPACE_MODULES = (
    "array_api_compat.numpy",
    "array_api_compat.cupy",
    "array_api_compat.dask.array",
)
# the array libraries generated code runs on, passed in as a namespace
ARRAY_MODULES = frozenset({"numpy", "cupy", "dask.array"})


def public_path(obj) -> str | None:
    """``"linalg.solve"`` for ``numpy.linalg.solve``: where ``obj`` is public in NumPy."""
    if obj is numpy:
        return ""
    name = getattr(obj, "__name__", None)
    if not isinstance(name, str) or isinstance(obj, types.ModuleType):
        return None
    for path in ("", "linalg", "fft"):
        space = getattr(numpy, path) if path else numpy
        if vars(space).get(name) is obj:  # not getattr: no deprecated aliases
            return f"{path}.{name}" if path else name
    return None


def canonical_numpy(node: gast.FunctionDef, scope, np_alias: str) -> None:
    """Write every name of library code that reaches a public NumPy object as
    ``np_alias.path``."""
    if not is_resolved(scope.resolve(anno.name(np_alias))):
        scope.closure[np_alias] = numpy
    _Canonical(scope, np_alias).visit(node)


class _Canonical(gast.NodeTransformer):
    def __init__(self, scope, np_alias: str):
        self.scope, self.np = scope, np_alias

    def _rewrite(self, node):
        if not isinstance(node.ctx, gast.Load):
            return None
        path = public_path(self.scope.resolve(node))
        if not path:
            return None
        return anno.copy_location(anno.dotted(f"{self.np}.{path}"), node)

    def visit_Name(self, node):
        return self._rewrite(node) or node

    def visit_Attribute(self, node):
        return self._rewrite(node) or self.generic_visit(node)


def resolve_namespaces(
    node: gast.FunctionDef, scope, np_alias: str, parameters=frozenset()
) -> None:
    """Names that only ever hold the arguments' array namespace are ``np_alias``:
    their assignments go and their reads name the namespace.  So are the reads of
    ``parameters``, which are given an array namespace (``def f(x, xp=np)``)."""
    body = gast.Module(body=node.body, type_ignores=[])
    if parameters:  # ``xp = array_namespace(a) if xp is None else xp`` keeps it
        for block in anno.blocks(node):
            kept = [s for s in block if not _keeps(s, parameters, scope)]
            block[:] = kept or [gast.Pass()]
    for sub in anno.walk(body):
        if isinstance(sub, gast.Name) and sub.id in parameters:
            sub.id = np_alias
    spaces = _namespace_names(node, scope)
    if not spaces:
        return
    for block in anno.blocks(node):
        block[:] = [s for s in block if not _assigns_namespace(s, spaces)] or [
            gast.Pass()
        ]
    for sub in anno.walk(node):
        if isinstance(sub, gast.Name) and sub.id in spaces:
            sub.id = np_alias


def _namespace_names(node, scope) -> set[str]:
    """Local names every binding of which is a namespace (or a ``None`` before it)."""
    good: set[str] = set()
    bad = {a.id for a in node.args.args + node.args.kwonlyargs}
    plain = set()  # the targets of ``name = value``
    for sub in anno.walk(node):
        if isinstance(sub, gast.Assign) and _is_name_target(sub):
            plain.add(id(sub.targets[0]))
            if is_namespace(sub.value, scope):
                good.add(sub.targets[0].id)
            elif not _is_none(sub.value):
                bad.add(sub.targets[0].id)
    for sub in anno.walk(node):
        if isinstance(sub, gast.Name) and not isinstance(sub.ctx, gast.Load):
            if id(sub) not in plain:
                bad.add(sub.id)
        elif isinstance(sub, gast.Compare):  # ``xp is None``: it may not be one
            bad |= anno.load_names(sub)
    return good - bad


def is_array_namespace(module) -> bool:
    """NumPy, CuPy, Dask's array module or array-api-compat's wrapper of one:
    a namespace whose functions NumPy's names and templates stand for (NumPy
    dispatches to CuPy and Dask arrays)."""
    if not isinstance(module, types.ModuleType):
        return False
    return module.__name__ in ARRAY_MODULES or module.__name__.endswith(
        NAMESPACE_MODULES
    )


def is_namespace(value, scope) -> bool:
    """``array_namespace(x)``, ``x.__array_namespace__()``, ``np``: an array namespace."""
    if isinstance(value, gast.Call):
        func = value.func
        if isinstance(func, gast.Attribute) and func.attr == "__array_namespace__":
            return True
        callee = scope.resolve(func)
        return getattr(callee, "__name__", None) in NAMESPACE_FUNCTIONS
    module = scope.resolve(value)
    if module is numpy:
        return True
    name = (
        getattr(module, "__name__", "") if isinstance(module, types.ModuleType) else ""
    )
    return name.endswith(NAMESPACE_MODULES)


def _is_name_target(stmt) -> bool:
    return len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)


def _is_none(value) -> bool:
    return isinstance(value, gast.Constant) and value.value is None


def _keeps(stmt, parameters, scope) -> bool:
    """``p = ...`` that leaves a parameter ``p`` given a namespace one: ``p = p``,
    ``p = array_namespace(x)``, ``p = array_namespace(x) if p is None else p``."""
    if not (isinstance(stmt, gast.Assign) and _is_name_target(stmt)):
        return False
    p, value = stmt.targets[0].id, stmt.value
    if p not in parameters:
        return False
    if isinstance(value, gast.IfExp) and _is_name(value.orelse, p):
        test = value.test
        return (
            isinstance(test, gast.Compare)
            and _is_name(test.left, p)
            and len(test.ops) == 1
            and isinstance(test.ops[0], gast.Is)
            and _is_none(test.comparators[0])
        )
    return _is_name(value, p) or is_namespace(value, scope)


def _is_name(node, name: str) -> bool:
    return isinstance(node, gast.Name) and node.id == name


def _assigns_namespace(stmt, spaces: set[str]) -> bool:
    return (
        isinstance(stmt, gast.Assign)
        and _is_name_target(stmt)
        and stmt.targets[0].id in spaces
    )
