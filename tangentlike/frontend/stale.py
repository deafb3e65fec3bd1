"""Stale source: the text on disk must be the function that runs.

A file edited after it was imported (a notebook, a long-running interpreter) holds a
different function than the one in memory: another one where the lines moved, or a
changed body.  The definition found in the text is compiled as Python compiles it
in its module (inside a function that holds its closure's cells, inside a class of
its class's name for a method) and its code compared with ``func.__code__``:
bytecode, names, constants, nested code.  Line numbers and positions may differ:
they are not compared.
"""

from __future__ import annotations
import __future__

import ast
import linecache
import types

from ..errors import Location, StaleSourceError

# flags that differ between a code object compiled alone and in its module
_FUTURES = 0
for _name in __future__.all_feature_names:
    _FUTURES |= getattr(__future__, _name).compiler_flag
_IGNORED_FLAGS = _FUTURES | 0x10  # CO_NESTED
_NO_DECORATORS = {"decorator_list": []}
if "type_params" in ast.FunctionDef._fields:  # Python 3.12
    _NO_DECORATORS["type_params"] = []
_FIELDS = (
    "co_code",
    "co_names",
    "co_varnames",
    "co_cellvars",
    "co_freevars",
    "co_argcount",
    "co_posonlyargcount",
    "co_kwonlyargcount",
)


def check_first_line(func, firstlineno: int, where: Location) -> None:
    """The source found for ``func`` starts on the line its code says it does
    (``inspect`` walks back to an earlier definition when that line is not one)."""
    code = getattr(func, "__code__", None)
    if code is not None and code.co_firstlineno != firstlineno:
        raise _stale(func, where)


def check_fresh(func, text: str, at: tuple[int, int], where: Location) -> None:
    """Raise StaleSourceError unless the definition of ``func`` at ``at`` (line and
    column in ``text``, its dedented source lines) compiles to ``func.__code__``."""
    code = getattr(func, "__code__", None)
    if code is None:
        return
    found = _compiled(text, at, code, func)
    if found is None or not same_code(found, code):
        raise _stale(func, where)


def _stale(func, where: Location) -> StaleSourceError:
    name = getattr(func, "__qualname__", repr(func))
    module = getattr(func, "__module__", None) or "its module"
    return StaleSourceError(
        f"the source of {name!r} changed after it was defined: the file now holds "
        "another function than the one that runs",
        where,
        f"reload the module (importlib.reload({module})) or run the cell again, "
        "then call grad on the new function",
    )


def _compiled(text: str, at: tuple[int, int], code, func):
    """The code object the definition at ``at`` compiles to, in context."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    node = _find(tree, at, code.co_name)
    if node is None:
        return None
    wrapped = _in_context(node, code, func)
    wrapped.body[:0] = _module_imports(code.co_filename)
    flags = code.co_flags & _FUTURES
    try:
        module = compile(wrapped, "<stale check>", "exec", flags, dont_inherit=True)
    except SyntaxError:
        return None
    return _code_named(module, code.co_name)


def _find(tree, at: tuple[int, int], name: str):
    """The def named ``name`` (or the lambda) at ``at``."""
    for node in ast.walk(tree):
        if (node.__class__ is ast.Lambda) == (name == "<lambda>") and isinstance(
            node, (ast.FunctionDef, ast.Lambda)
        ):
            if (node.lineno, node.col_offset) == at and getattr(
                node, "name", name
            ) == name:
                return node
    return None


def _in_context(node, code, func) -> ast.Module:
    """``node`` as its module compiles it: in a class of its class's name (private
    names, ``super()``), in a function that holds its free variables as cells."""
    stmt = node if isinstance(node, ast.stmt) else ast.Expr(value=node)
    owner = _owner_class(func)
    if owner is not None or "__class__" in code.co_freevars:
        stmt = ast.ClassDef(
            name=owner or "_Owner", bases=[], keywords=[], body=[stmt], **_NO_DECORATORS
        )
    cells = [n for n in code.co_freevars if n != "__class__"]
    if cells:
        holder = [
            ast.Assign(
                targets=[ast.Name(id=n, ctx=ast.Store())], value=ast.Constant(None)
            )
            for n in cells
        ]
        stmt = ast.FunctionDef(
            name="_enclosing",
            args=ast.arguments(
                posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]
            ),
            body=[*holder, stmt, ast.Return(value=None)],
            returns=None,
            **_NO_DECORATORS,
        )
    module = ast.Module(body=[stmt], type_ignores=[])
    return ast.fix_missing_locations(module)


def _module_imports(filename: str) -> list:
    """The import statements of a module's own scope: the compiler reads an imported
    name's attributes differently (``np.sin``: no method call)."""
    try:
        tree = ast.parse("".join(linecache.getlines(filename)))
    except (SyntaxError, ValueError):
        return []
    found, todo = [], list(tree.body)
    while todo:
        stmt = todo.pop(0)
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            found.append(stmt)
        elif not isinstance(
            stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        ):
            todo.extend(
                s for s in ast.iter_child_nodes(stmt) if isinstance(s, ast.stmt)
            )
    return [s for s in found if not _is_future(s)]


def _is_future(stmt) -> bool:
    return isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"


def _owner_class(func) -> str | None:
    """The class a method was defined in, from its qualified name."""
    parts = (getattr(func, "__qualname__", "") or "").split(".")
    if len(parts) >= 2 and parts[-2] != "<locals>":
        return parts[-2]
    return None


def _code_named(code, name: str):
    """The code object named ``name`` within ``code``'s constants, depth first."""
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_name == name:
                return const
            found = _code_named(const, name)
            if found is not None:
                return found
    return None


def same_code(a, b) -> bool:
    """Two code objects compiled from the same definition (lines aside)."""
    if any(getattr(a, f) != getattr(b, f) for f in _FIELDS):
        return False
    if (a.co_flags ^ b.co_flags) & ~_IGNORED_FLAGS:
        return False
    if len(a.co_consts) != len(b.co_consts):
        return False
    return all(_same_const(x, y) for x, y in zip(a.co_consts, b.co_consts))


def _same_const(x, y) -> bool:
    if isinstance(x, types.CodeType) and isinstance(y, types.CodeType):
        return same_code(x, y)
    if isinstance(x, str) and isinstance(y, str):  # dedenting empties blank lines
        return _blank_lines_emptied(x) == _blank_lines_emptied(y)
    return type(x) is type(y) and (x == y or (x != x and y != y))  # nan == nan


def _blank_lines_emptied(text: str) -> str:
    return "\n".join("" if not line.strip() else line for line in text.split("\n"))
