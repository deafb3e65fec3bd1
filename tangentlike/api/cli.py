"""The command line: ``tangentlike dump PATH.py:FUNC`` prints generated derivative code."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from ..errors import TangentlikeError
from .arguments import normalize_wrt
from .cache import transform

DESCRIPTION = """\
Print the derivative code tangentlike generates for a Python function.

dump imports the module PATH.py to find FUNC: the module's top level runs,
as it would with `python PATH.py` imported from elsewhere."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tangentlike",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    dump = sub.add_parser(
        "dump",
        help="print the generated derivative source of a function",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dump.add_argument(
        "target",
        metavar="PATH.py:FUNC",
        help="the file and the name of the function to differentiate",
    )
    dump.add_argument(
        "--wrt",
        default=None,
        metavar="NAME[,NAME...]",
        help="parameters to differentiate with respect to (default: the first)",
    )
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
        "-o",
        "--output",
        metavar="OUT.py",
        default=None,
        help="write the code to this file instead of standard output",
    )
    return parser


class UsageError(Exception):
    """A user mistake on the command line: reported in one paragraph, exit code 2."""


def load_function(target: str):
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name:
        raise UsageError(f"expected PATH.py:FUNC, got {target!r}")
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"no such file: {path}")
    spec = importlib.util.spec_from_file_location(file.stem, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(file.stem, module)
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


def dump(args) -> str:
    func = load_function(args.target)
    wrt = tuple(args.wrt.split(",")) if args.wrt else 0
    if isinstance(wrt, tuple) and len(wrt) == 1:
        wrt = wrt[0]
    positions, _ = normalize_wrt(func, wrt)
    module = transform(func, args.mode, positions, not args.no_optimize, 0)
    return module.source(args.backend)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        source = dump(args)
    except (UsageError, TangentlikeError) as exc:
        print(f"tangentlike: error: {_paragraph(str(exc))}", file=sys.stderr)
        return 2
    if args.output:
        try:
            Path(args.output).write_text(source)
        except OSError as exc:
            message = f"cannot write {args.output}: {exc.strerror}"
            print(f"tangentlike: error: {message}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(source)
    return 0


def _paragraph(text: str) -> str:
    return text.strip()


if __name__ == "__main__":
    sys.exit(main())
