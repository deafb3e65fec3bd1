"""The command line: ``tangentlike dump PATH.py:FUNC`` prints generated derivative code,
``tangentlike graph PATH.py:FUNC`` draws the computation graph."""

from __future__ import annotations

import argparse
import difflib
import importlib.metadata
import importlib.util
import inspect
import shlex
import sys
from pathlib import Path

from ..errors import TangentlikeError
from .argspec import SpecError, example_args
from .forward import jvp
from .graph import graph
from .reverse import getsource, grad

DESCRIPTION = """\
Print the derivative code tangentlike generates for a Python function.

dump imports the module PATH.py to find FUNC: the module's top level runs,
as it would with `python PATH.py` imported from elsewhere."""

ARGS_HELP = """\
example arguments, one a parameter: float, int, or a dtype and a shape
(float64[100,5]); or an .npz file of arrays named after the parameters. The
code printed is the variant compiled for arguments of these types and shapes
(reverse mode)"""

CHECK_HELP = """\
write nothing: exit 0 when OUT.py holds what the current source generates,
1 with a unified diff when it differs (or is missing)"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tangentlike",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True)
    _dump_parser(sub)
    _graph_parser(sub)
    return parser


GRAPH_HELP = """\
Draw the computation graph of a Python function: one node per operation of
the normalized function, under your names, with the data flow between them;
with --adjoint, the reverse sweep beside it. SVG and PNG need Graphviz's `dot`
program (apt-get install graphviz, brew install graphviz, conda install
graphviz); .dot text (or standard output) needs nothing."""


def _command(sub, name: str, summary: str, description: str):
    """A subcommand taking ``PATH.py:FUNC`` and ``--wrt``."""
    parser = sub.add_parser(
        name,
        help=summary,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _target_options(parser)
    return parser


def _graph_parser(sub) -> None:
    graph = _command(
        sub, "graph", "draw the computation graph of a function", GRAPH_HELP
    )
    graph.add_argument(
        "--adjoint", action="store_true", help="draw the reverse sweep beside it"
    )
    graph.add_argument(
        "-o",
        "--output",
        metavar="OUT.{dot,svg,png,pdf}",
        default=None,
        help="write the graph here (default: DOT text on standard output)",
    )


def _dump_parser(sub) -> None:
    summary = "print the generated derivative source of a function"
    dump = _command(sub, "dump", summary, DESCRIPTION)
    dump.add_argument(
        "--mode",
        choices=("reverse", "forward"),
        default="reverse",
        help="reverse mode (gradient, default) or forward mode (JVP)",
    )
    dump.add_argument(
        "--backend",
        choices=("numpy", "cupy", "dask"),
        default="numpy",
        help="array library the printed code calls (default: numpy)",
    )
    dump.add_argument(
        "--no-optimize", action="store_true", help="print the code before optimization"
    )
    dump.add_argument(
        "--standalone",
        action="store_true",
        help="print the runtime helpers the code calls into it: no tangentlike import",
    )
    dump.add_argument(
        "--no-comments",
        action="store_true",
        help="leave out the comments quoting the line each block differentiates",
    )
    dump.add_argument(
        "--jit",
        action="store_true",
        help="print the module Numba compiles for jit=True: the code made ready "
        "for Numba, each function decorated with @numba.njit(cache=True)",
    )
    dump.add_argument("--args", default=None, metavar="SPEC", help=ARGS_HELP)
    dump.add_argument(
        "-o",
        "--output",
        metavar="OUT.py",
        default=None,
        help="write the code to this file instead of standard output",
    )
    dump.add_argument("--check", action="store_true", help=CHECK_HELP)


def _target_options(parser) -> None:
    parser.add_argument(
        "target",
        metavar="PATH.py:FUNC",
        help="the file and the name of the function to differentiate",
    )
    parser.add_argument(
        "--wrt",
        default=None,
        metavar="NAME[,NAME...]",
        help="parameters to differentiate with respect to (default: the first)",
    )


def _version() -> str:
    try:
        return f"tangentlike {importlib.metadata.version('tangentlike')}"
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        return "tangentlike (not installed)"


class UsageError(Exception):
    """A user mistake on the command line: reported in one paragraph, exit code 2."""


def load_function(target: str):
    """The function ``PATH.py:FUNC`` names, its module imported from its file."""
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name:
        raise UsageError(f"expected PATH.py:FUNC, got {target!r}")
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"no such file: {path}")
    spec = importlib.util.spec_from_file_location(file.stem, file)
    module = importlib.util.module_from_spec(spec)
    _register(file, module)
    sys.path.insert(0, str(file.resolve().parent))
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise UsageError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except Exception as exc:  # the user's module failed at import
        raise UsageError(
            f"importing {path} failed: {type(exc).__name__}: {exc}"
        ) from None
    finally:
        sys.path.pop(0)
    func = getattr(module, name, None)
    if not callable(func):
        raise UsageError(f"{path} has no function named {name!r}")
    return func


def _register(file: Path, module) -> None:
    """``module`` in ``sys.modules`` under its file's name, so that the printed code
    imports the module's globals from it; the same file loaded again replaces its
    earlier module (whose globals are other objects), another module of that name
    stays."""
    earlier = getattr(sys.modules.get(file.stem), "__file__", None)
    if earlier is None and file.stem in sys.modules:
        return
    if earlier is None or Path(earlier).resolve() == file.resolve():
        sys.modules[file.stem] = module


def parse_wrt(text: str | None):
    """``--wrt a,b`` as grad takes it: a name, a tuple of names, or 0."""
    if not text:
        return 0
    names = tuple(text.split(","))
    return names[0] if len(names) == 1 else names


def dump(args) -> str:
    """The source ``dump`` prints for these command-line arguments."""
    func = load_function(args.target)
    wrt = parse_wrt(args.wrt)
    make = jvp if args.mode == "forward" else grad
    df = make(func, wrt, optimize=not args.no_optimize)
    examples = None
    if args.jit and args.backend != "numpy":
        raise UsageError("--jit compiles NumPy code: the numpy backend only")
    if args.args is not None:
        if args.mode == "forward" or args.backend != "numpy":
            raise UsageError(
                "--args gives the variant of a gradient on NumPy arrays: "
                "reverse mode and the numpy backend only"
            )
        try:
            examples = example_args(args.args, _parameters(func))
        except SpecError as exc:
            raise UsageError(str(exc)) from None
    return getsource(
        df,
        args.backend,
        args=examples,
        standalone=args.standalone,
        comments=not args.no_comments,
        jit=args.jit,
    )


def _parameters(func) -> list[str]:
    return list(inspect.signature(func).parameters)


def check(source: str, output: str, argv: list[str]) -> int:
    """0 when ``output`` holds ``source``; else 1, with a unified diff."""
    file = Path(output)
    if file.is_dir():
        raise UsageError(f"{output} is a folder")
    old = file.read_text() if file.is_file() else ""
    if old == source:
        return 0
    diff = difflib.unified_diff(
        old.splitlines(keepends=True),
        source.splitlines(keepends=True),
        fromfile=output if file.is_file() else f"{output} (missing)",
        tofile=f"{output} (generated now)",
    )
    sys.stdout.writelines(diff)
    again = shlex.join(["tangentlike", *(a for a in argv if a != "--check")])
    print(
        f"tangentlike: {output} differs from the code the current source "
        f"generates; to update it, run: {again}",
        file=sys.stderr,
    )
    return 1


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit status: 0, 1 (``--check`` found a
    difference) or 2 (a user error, reported in one paragraph)."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    try:
        if args.command == "graph":
            return draw(args)
        if args.check and not args.output:
            raise UsageError("--check compares with a file: give it with -o OUT.py")
        source = dump(args)
        if args.check:
            return check(source, args.output, argv)
        _write(source, args.output)
    except (UsageError, TangentlikeError) as exc:
        print(f"tangentlike: error: {_paragraph(str(exc))}", file=sys.stderr)
        return 2
    return 0


def draw(args) -> int:
    """``tangentlike graph``: the graph as DOT text, or saved to ``-o``."""
    func = load_function(args.target)
    drawn = graph(func, parse_wrt(args.wrt), adjoint=args.adjoint)
    if args.output:
        drawn.save(args.output)
    else:
        sys.stdout.write(drawn.dot)
    return 0


def _write(source: str, output: str | None) -> None:
    if not output:
        sys.stdout.write(source)
        return
    try:
        Path(output).write_text(source)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}") from None


def _paragraph(text: str) -> str:
    return text.strip()


if __name__ == "__main__":
    sys.exit(main())
