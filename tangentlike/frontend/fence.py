"""Fence: reject, all at once, the constructs the transforms cannot handle."""

from __future__ import annotations

import gast

from .. import anno
from ..errors import UnsupportedSyntaxError
from ..naming import is_stack_name

UNSUPPORTED = {
    gast.Try: (
        "try statement",
        "move the try/except outside the differentiated function",
    ),
    gast.With: (
        "with statement",
        "move the with block outside the differentiated function",
    ),
    gast.AsyncWith: ("async with statement", "async code cannot be differentiated"),
    gast.AsyncFor: ("async for loop", "async code cannot be differentiated"),
    gast.AsyncFunctionDef: ("async function", "async code cannot be differentiated"),
    gast.Await: ("await expression", "async code cannot be differentiated"),
    gast.Yield: ("yield (generator)", "return a list or an array instead of yielding"),
    gast.YieldFrom: ("yield from (generator)", "return a list or an array instead"),
    gast.Global: ("global statement", "pass the value as an argument and return it"),
    gast.Nonlocal: (
        "nonlocal statement",
        "pass the value as an argument and return it",
    ),
    gast.ClassDef: ("class definition", "define the class outside the function"),
    gast.Delete: ("del statement", "let the name go out of scope instead"),
    gast.Import: ("import inside the function", "import at module level"),
    gast.ImportFrom: ("import inside the function", "import at module level"),
    gast.ListComp: ("list comprehension", "write a for loop that appends to a list"),
    gast.SetComp: ("set comprehension", "write a for loop"),
    gast.DictComp: ("dict comprehension", "write a for loop"),
    gast.GeneratorExp: ("generator expression", "write a for loop"),
    gast.NamedExpr: ("assignment expression (:=)", "assign on its own line"),
    gast.Starred: ("starred argument or target", "pass or unpack the items explicitly"),
    gast.Lambda: ("lambda", "define the function with def at module level"),
    gast.FunctionDef: (
        "nested function definition",
        "define the function at module level",
    ),
    gast.Match: ("match statement", "use if/elif"),
}


def _through_a_subscript(node) -> bool:
    """``y[i][j] = v``: an update of the view ``y[i]``, which the transforms would
    take for a new value."""
    if isinstance(node, gast.Assign):
        targets = node.targets
    elif isinstance(node, gast.AugAssign):
        targets = [node.target]
    else:
        return False
    return any(
        isinstance(t, gast.Subscript) and isinstance(t.value, gast.Subscript)
        for t in targets
    )


def _first_of(name: str, seen: set[str]) -> bool:
    """A save-stack name (``_stack``, ``_bstack2``) met for the first time."""
    if not is_stack_name(name) or name in seen:
        return False
    seen.add(name)
    return True


# Most refusals are a node type alone (``UNSUPPORTED``); the branches are those
# that need a look inside a node: a loop's ``else``, ``**kwargs`` in a call, an
# item of an item, a reserved name in the user's code, ``*args`` in the signature.
def check(func_node, source) -> None:
    """Raise one UnsupportedSyntaxError listing every unsupported construct."""
    problems = []
    user_code = not source.filename.startswith("<tangentlike")
    seen: set[str] = set()  # reserved names, reported once each
    for node in anno.walk(func_node):
        if node is func_node:
            continue
        entry = UNSUPPORTED.get(type(node))
        if entry is not None:
            problems.append((entry[0], source.location(node), entry[1]))
        elif isinstance(node, (gast.For, gast.While)) and node.orelse:
            problems.append(
                (
                    "else clause of a loop",
                    source.location(node),
                    "set a flag before break and test it after the loop",
                )
            )
        elif isinstance(node, gast.keyword) and node.arg is None:
            problems.append(
                (
                    "**kwargs in a call",
                    source.location(node.value),
                    "pass keyword arguments explicitly",
                )
            )
        elif _through_a_subscript(node):
            problems.append(
                (
                    "assignment into an item of an item (`y[i][j] = v`)",
                    source.location(node),
                    "index once: `y[i, j] = v`",
                )
            )
        elif user_code and isinstance(node, gast.Name) and _first_of(node.id, seen):
            problems.append(
                (
                    f"the name `{node.id}`, which generated code keeps its saved "
                    "values in",
                    source.location(node),
                    "rename it",
                )
            )
    args = func_node.args
    if args.vararg or args.kwarg:
        problems.append(
            (
                "*args or **kwargs parameter",
                source.location(func_node),
                "list the parameters explicitly",
            )
        )
    if problems:
        problems.sort(key=lambda p: (p[1].lineno, p[1].col))
        raise UnsupportedSyntaxError(problems)
