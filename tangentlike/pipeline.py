"""The pipeline: the stages in the order they run.

``build`` is the whole of it.  ``STAGES`` names each stage and the module that
does it; the README's table of stages is checked against it by a test, and
``verbose=2`` prints the code after each stage that changes it.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

from .codegen.module import Module
from .codegen.render import to_source
from .frontend.prepare import prepare
from .transform.assemble import grad_function, jvp_function


class Stage(NamedTuple):
    name: str
    where: str
    does: str


STAGES = (
    Stage(
        "parse",
        "frontend/parse.py",
        "the function's source as gast, with its real file and lines",
    ),
    Stage(
        "closures",
        "frontend/closures.py",
        "inner `def`s and lambdas become functions of their own",
    ),
    Stage(
        "fence",
        "frontend/fence.py",
        "every construct that cannot be differentiated, refused at once",
    ),
    Stage("resolve", "analysis/scope.py", "each name read mapped to its live object"),
    Stage(
        "regions",
        "frontend/regions.py",
        "`try` and `with` kept as regions around the body, handlers as branches",
    ),
    Stage(
        "alias gate",
        "frontend/aliases.py",
        "in-place updates another name would see, refused",
    ),
    Stage(
        "lower",
        "frontend/lower.py",
        "returns to one exit; `break`, `continue` to flags",
    ),
    Stage(
        "normalize",
        "frontend/normalize.py",
        "one operation per statement, calls annotated",
    ),
    Stage(
        "activity",
        "analysis/activity.py",
        "which names depend on `wrt` and reach the output",
    ),
    Stage(
        "transform", "transform/", "the reverse or forward sweep, from the templates"
    ),
    Stage(
        "optimize",
        "optimize/",
        "exact rewrites to a fixed point; variants per argument type",
    ),
    Stage("codegen", "codegen/", "printed, compiled, registered with linecache"),
    Stage(
        "call", "call/", "the function you get: dispatch, checks, the variant to run"
    ),
)


def build(
    func,
    wrt: tuple[int, ...],
    mode: str,
    optimize=True,
    verbose=0,
    owners=None,
    bound=None,
) -> Module:
    """``func``'s derivative in ``mode`` ("reverse" or "forward") with respect to
    the parameters at positions ``wrt``: a Module whose main function returns
    ``(value, derivative)``.  Compiling waits for the first call.  ``owners``:
    parameter -> the class of the object it holds, where the function calls its
    methods; ``bound``: parameter -> the function passed to it, where it calls it."""
    show = _printer(verbose)
    info = prepare(func, show=show, bound=bound, owners=owners)  # parse ... normalize
    module = Module(info)
    names = [info.params[i] for i in wrt]
    if mode == "forward":
        main = jvp_function(info, names, module.calls, module.fresh(f"jvp_{info.name}"))
    else:  # activity, then the sweeps
        suffix = f"_d{''.join(names)}" if len(names) < 4 else ""
        main = grad_function(
            info, names, module.calls, module.fresh(f"d{info.name}{suffix}")
        )
    show("transform", main)
    module.finish(main, optimize)
    show("optimize", *module.functions)
    if verbose:
        print(module.source(), file=sys.stderr)
    return module


def _printer(verbose: int):
    """``show(stage, *nodes)``: prints the code after ``stage`` when ``verbose >= 2``."""

    def show(stage, *nodes) -> None:
        if verbose >= 2:
            print(
                f"# --- after {stage} ---\n{to_source(list(nodes), [])}",
                file=sys.stderr,
            )

    return show
