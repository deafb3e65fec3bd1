"""Standalone: the runtime helpers a generated module calls, printed into it as plain
NumPy code, so that the module runs where tangentlike is not installed.

Each helper is copied from its own source with what it reads in turn (private
helpers, constants, classes), dependencies first; the modules they read become
imports, and an error class of tangentlike's becomes a plain one:

    from tangentlike.runtime import unbroadcast        import numpy
                                                  ->    ...
                                                        def unbroadcast(g, x):
                                                            ...
                                                        def _shape(x): ...
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib
import inspect
import io
import tokenize

RUNTIME = "tangentlike.runtime"
HEADER = "# The helpers the code above calls: the tangentlike runtime, copied."

Key = tuple[str, str]  # (module, name) of a definition


def roots(helpers: dict[str, object]) -> dict[str, Key]:
    """The helpers among ``helpers`` ({name: value}, as generated code reads them)
    that ``tangentlike.runtime`` gives, with where each is defined."""
    runtime = importlib.import_module(RUNTIME)
    found = {}
    for name, value in helpers.items():
        if getattr(runtime, name, None) is value:
            found[name] = _resolve(RUNTIME, name)
    return found


def printed(helpers: dict[str, Key], taken: set[str]) -> tuple[list[str], str]:
    """``(import lines, definitions)`` of ``helpers`` (as ``roots`` gives them) and of
    what they read; a name that clashes with ``taken`` (the module's other names)
    or with another definition's is renamed."""
    order, reads = _closure(sorted(helpers.values()))
    names = _final_names(order, set(helpers.values()), taken - set(helpers))
    imports, blocks = set(), []
    for key in order:
        if key[0] in _STAND_INS:
            blocks.append(_stand_in(key))
            continue
        renames = {}
        for name, target in reads[key].items():
            if isinstance(target, str):
                imports.add(target)
            elif names[target] != name:
                renames[name] = names[target]
        if names[key] != key[1]:
            renames[key[1]] = names[key]
        blocks.append(_renamed(_text(key), renames))
    return sorted(imports), "\n\n\n".join([HEADER, *blocks])


def _closure(keys: list[Key]) -> tuple[list[Key], dict[Key, dict]]:
    """Every definition ``keys`` need, in print order, and for each, ``{name it
    reads: definition key, or the import line that binds it}``.  Functions come
    as a reader meets them (a helper, then what it calls); classes and constants,
    which run when the module is imported, come first, dependencies first."""
    before: list[Key] = []  # pre-order
    after: list[Key] = []  # post-order
    reads: dict[Key, dict] = {}

    def visit(key: Key) -> None:
        if key in reads:
            return
        reads[key] = {} if key[0] in _STAND_INS else _reads(key)
        before.append(key)
        for target in reads[key].values():
            if not isinstance(target, str):
                visit(target)
        after.append(key)

    for key in keys:
        visit(key)
    first = [k for k in after if not _is_function(k)]
    return first + [k for k in before if _is_function(k)], reads


def _is_function(key: Key) -> bool:
    return key[0] not in _STAND_INS and isinstance(
        _definitions(key[0])[key[1]], ast.FunctionDef
    )


def _reads(key: Key) -> dict:
    """The globals definition ``key`` reads from its module, resolved."""
    found = {}
    for name in sorted(_loads(_definitions(key[0])[key[1]])):
        where = _resolve(key[0], name)
        if where is not None:
            found[name] = where
    return found


def _resolve(module: str, name: str) -> Key | str | None:
    """Where ``name``, a global of ``module``, comes from: the key of a definition,
    an import line, or None (a builtin, or a local name of a function)."""
    if name in _definitions(module):
        return (module, name)
    imported = _imports(module).get(name)
    if imported is None:
        return None
    source, original = imported
    if original is None:
        return _import_line(name, source)
    if source in _STAND_INS:
        return (source, original)
    if source.startswith("tangentlike."):
        return _resolve(source, original)
    alias = "" if original == name else f" as {name}"
    return f"from {source} import {original}{alias}"


_STAND_INS = ("tangentlike.errors",)


def _stand_in(key: Key) -> str:
    """An error class of tangentlike's as a plain class with its builtin bases."""
    cls = getattr(importlib.import_module(key[0]), key[1])
    bases = [b.__name__ for b in cls.__mro__[1:] if b.__module__ == "builtins"]
    bases = [b for b in bases if b not in ("object", "BaseException", "Exception")]
    doc = (inspect.getdoc(cls) or "").split("\n\n")[0].replace("\n", " ")
    body = f'    """{doc}"""' if doc else "    pass"
    return f"class {key[1]}({', '.join(bases[:1]) or 'Exception'}):\n{body}"


@functools.cache
def _imports(module: str) -> dict[str, tuple[str, str | None]]:
    """``{name: (module, name there, or None for the module itself)}`` of the
    imports at a module's top level, relative ones made absolute."""
    package = module if _is_package(module) else module.rpartition(".")[0]
    found = {}
    for stmt in ast.parse(_source(module)).body:
        if isinstance(stmt, ast.Import):
            for a in stmt.names:
                found[a.asname or a.name.partition(".")[0]] = (
                    a.name if a.asname else a.name.partition(".")[0],
                    None,
                )
        elif isinstance(stmt, ast.ImportFrom) and stmt.module != "__future__":
            base = package.rsplit(".", stmt.level - 1)[0] if stmt.level else ""
            source = ".".join(p for p in (base, stmt.module) if p)
            for a in stmt.names:
                found[a.asname or a.name] = (source, a.name)
    return found


def _is_package(module: str) -> bool:
    return hasattr(importlib.import_module(module), "__path__")


@functools.cache
def _definitions(module: str) -> dict[str, ast.stmt]:
    """The top-level definitions of a module: ``{name: statement}``."""
    tree = ast.parse(_source(module))
    found = {}
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.ClassDef)):
            found[stmt.name] = stmt
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    found[t.id] = stmt
    return found


@functools.cache
def _source(module: str) -> str:
    return inspect.getsource(importlib.import_module(module))


def _loads(stmt: ast.stmt) -> set[str]:
    """Names a definition reads (its own locals included: they are filtered out by
    the module's globals), less the builtins and the facts it declares."""
    declared = [d for d in getattr(stmt, "decorator_list", []) if _declares(d)]
    skipped = {id(n) for d in declared for n in ast.walk(d)}
    names = {
        n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and id(n) not in skipped
    }
    own = stmt.name if isinstance(stmt, (ast.FunctionDef, ast.ClassDef)) else None
    return {n for n in names if n != own and not hasattr(builtins, n)}


def _text(key: Key) -> str:
    """A definition's source text, decorators and comments included, but the
    ``@helper(...)`` facts declared for the compiler."""
    stmt = _definitions(key[0])[key[1]]
    lines = _source(key[0]).splitlines()
    kept = [d for d in getattr(stmt, "decorator_list", []) if not _declares(d)]
    first = min([stmt.lineno] + [d.lineno for d in kept])
    return "\n".join(lines[first - 1 : stmt.end_lineno])


def _declares(decorator: ast.expr) -> bool:
    """``@helper(...)``: the facts of a runtime helper, for the compiler only."""
    call = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(call, ast.Name) and call.id == "helper"


def _final_names(order: list[Key], roots: set[Key], taken: set[str]) -> dict[Key, str]:
    """The printed name of each definition: its own (the helpers generated code calls
    first), unless a name of the module or a definition before it has it: then
    ``name_2``, ``name_3``, ..."""
    used = set(taken)
    names = {}
    for key in sorted(order, key=lambda k: (k not in roots, order.index(k))):
        name, k = key[1], 1
        while name in used:
            k += 1
            name = f"{key[1]}_{k}"
        used.add(name)
        names[key] = name
    return names


def _renamed(text: str, renames: dict[str, str]) -> str:
    """``text`` with each name token in ``renames`` replaced (not attributes)."""
    if not renames:
        return text
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    out = []
    for i, tok in enumerate(tokens):
        after_dot = i and tokens[i - 1].string == "."
        if tok.type == tokenize.NAME and tok.string in renames and not after_dot:
            tok = tok._replace(string=renames[tok.string])
        out.append(tok)
    return tokenize.untokenize(out)


def _import_line(name: str, module: str) -> str:
    if module == name:
        return f"import {name}"
    if "." in module and module.rsplit(".", 1)[1] == name:
        return f"from {module.rsplit('.', 1)[0]} import {name}"
    return f"import {module} as {name}"
