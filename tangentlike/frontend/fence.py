"""Fence: reject, all at once, the constructs the transforms cannot handle."""

from __future__ import annotations

import gast

from .. import anno
from ..errors import UnsupportedSyntaxError
from ..naming import is_stack_name

UNSUPPORTED = {
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
    gast.Import: ("import inside the function", "import at module level"),
    gast.ImportFrom: ("import inside the function", "import at module level"),
    gast.SetComp: ("set comprehension", "build a list, or write a for loop"),
    gast.TryStar: ("try ... except*", "catch the exception group outside the function"),
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


def _refused(node, arguments: set[int]):
    """``(what, hint)`` for a node refused by its type alone, else None."""
    if isinstance(node, gast.Lambda) and id(node) in arguments:
        return None  # the key of max, min or sorted: written out on the items
    entry = UNSUPPORTED.get(type(node))
    if entry is not None:
        return entry
    if isinstance(node, gast.Starred) and id(node) not in arguments:
        return ("starred target or item", "unpack or build the items explicitly")
    if isinstance(node, gast.Delete) and not all(
        isinstance(t, gast.Name) for t in node.targets
    ):
        return ("del of an item or attribute", "build a new container without it")
    return None


def _key_lambdas(call) -> set[int]:
    """``max(xs, key=lambda v: ...)``, ``min``, ``sorted(xs, key=..., reverse=...)``
    (no other option): its lambda, written out on the items."""
    allowed = KEYED.get(getattr(call.func, "id", None))
    if allowed is None or len(call.args) != 1:
        return set()
    if not {k.arg for k in call.keywords} <= allowed:
        return set()
    return {
        id(k.value)
        for k in call.keywords
        if k.arg == "key" and isinstance(k.value, gast.Lambda)
    }


KEYED = {"max": {"key"}, "min": {"key"}, "sorted": {"key", "reverse"}}
SCOPES = (gast.Lambda, gast.ListComp, gast.DictComp, gast.GeneratorExp, gast.SetComp)


def evaluated_sometimes(tree) -> set[int]:
    """The nodes of ``tree`` Python evaluates only sometimes, or again and again:
    after the first operand of ``and``/``or``, in a branch of a conditional
    expression, in a ``while`` test, a comprehension or a lambda."""
    found = set()
    for node in anno.walk(tree):
        parts = []
        if isinstance(node, gast.BoolOp):
            parts = node.values[1:]
        elif isinstance(node, gast.IfExp):
            parts = [node.body, node.orelse]
        elif isinstance(node, gast.While):
            parts = [node.test]
        elif isinstance(node, SCOPES):
            parts = [node]
        for part in parts:
            found |= {id(n) for n in anno.walk(part)}
    return found


# Most refusals are a node type alone (``UNSUPPORTED``); the branches are those
# that need a look inside a node: a starred item that is no call's argument, a
# ``del`` of an item, a ``:=`` that runs only sometimes, an item of an item, a
# reserved name in the user's code.
def check(func_node, source) -> None:
    """Raise one UnsupportedSyntaxError listing every unsupported construct."""
    problems = []
    user_code = not source.filename.startswith("<tangentlike")
    seen: set[str] = set()  # reserved names, reported once each
    arguments: set[int] = set()  # starred arguments of calls: f(*xs)
    sometimes = evaluated_sometimes(func_node)  # a := there is refused
    for node in anno.walk(func_node):
        if node is func_node:
            continue
        if isinstance(node, gast.Call):
            arguments.update(id(a) for a in node.args if isinstance(a, gast.Starred))
            arguments.update(_key_lambdas(node))
        entry = _refused(node, arguments)
        if entry is not None:
            problems.append((entry[0], source.location(node), entry[1]))
        elif isinstance(node, gast.NamedExpr) and id(node) in sometimes:
            problems.append(
                (
                    "assignment expression (:=) that runs only sometimes (in a "
                    "`while` test, after `and`/`or`, in a branch of `... if ... "
                    "else ...` or in a comprehension)",
                    source.location(node),
                    "assign on its own line",
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
    if problems:
        problems.sort(key=lambda p: (p[1].lineno, p[1].col))
        raise UnsupportedSyntaxError(problems)
