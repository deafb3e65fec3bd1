"""Imports flow one way: each module imports only from its own layer or below,
and no chain of imports (function-level ones included) closes a cycle."""

from __future__ import annotations

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]

# lowest first; a module belongs to the first layer whose prefix it starts with
LAYERS = [
    (
        "core",
        [
            "tangentlike.anno",
            "tangentlike.naming",
            "tangentlike.errors",
            "tangentlike.made",
            "tangentlike.debug",
        ],
    ),
    ("runtime", ["tangentlike.runtime"]),
    ("template language", ["tangentlike.template", "tangentlike.constants"]),
    ("templates", ["tangentlike.templates"]),
    ("analysis", ["tangentlike.analysis"]),
    ("front end", ["tangentlike.frontend"]),
    ("transform", ["tangentlike.transform"]),
    ("optimize", ["tangentlike.optimize"]),
    ("codegen", ["tangentlike.codegen"]),
    ("pipeline", ["tangentlike.pipeline"]),
    ("call", ["tangentlike.call"]),
    ("api", ["tangentlike.api", "tangentlike.__init__", "tangentlike.__main__"]),
]


def modules() -> dict[str, pathlib.Path]:
    found = {}
    for path in sorted((ROOT / "tangentlike").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts)] = path
    for path in sorted((ROOT / "templates").glob("*.py")):
        found[f"tangentlike.templates.{path.stem}"] = path
    return found


def layer(module: str) -> int:
    for rank, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                return rank
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def package(module: str, path: pathlib.Path) -> str:
    return module.rsplit(".", 1)[0] if path.name != "__init__.py" else module


def imports(module: str, path: pathlib.Path, known: set[str]) -> list[tuple[str, int]]:
    """``(imported module, line)`` for every import of a tangentlike module in ``path``."""
    pkg = package(module, path)
    if module.endswith(".__init__"):
        pkg = module[: -len(".__init__")]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = pkg.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                target = sub if sub in known or f"{sub}.__init__" in known else base
                found.append((target, node.lineno))
    out = []
    for target, line in found:
        if target.startswith("tangentlike"):
            target = target if target in known else f"{target}.__init__"
            out.append((target, line))
    return out


def graph():
    known = modules()
    return {m: imports(m, p, set(known)) for m, p in known.items()}, known


def test_imports_point_down_the_layers():
    edges, known = graph()
    upward = []
    for module, targets in edges.items():
        for target, line in targets:
            if layer(target) > layer(module):
                where = known[module].relative_to(ROOT)
                upward.append(
                    f"{where}:{line} imports {target} "
                    f"({LAYERS[layer(module)][0]} -> {LAYERS[layer(target)][0]})"
                )
    assert not upward, "imports pointing up a layer:\n" + "\n".join(upward)


def test_no_import_cycles():
    edges, _ = graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(module, path):
        state[module] = 1
        for target, _ in edges.get(module, []):
            if target.endswith(".__init__") and module.startswith(
                target[: -len("__init__")]
            ):
                continue  # a package's modules may read what its __init__ re-exports
            if state.get(target) == 1:
                cycles.append(" -> ".join(path[path.index(target) :] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_every_module_has_a_layer():
    for module in modules():
        layer(module)


def test_readme_stage_table_is_the_pipeline():
    from tangentlike.pipeline import STAGES

    readme = (ROOT / "README.md").read_text()
    start = readme.index("| stage | module | what it does |")
    rows = readme[start:].split("\n\n", 1)[0].splitlines()[2:]
    expected = [f"| {s.name} | `{s.where}` | {s.does} |" for s in STAGES]
    assert rows == expected, "the README's stage table differs from pipeline.STAGES"
    for stage in STAGES:
        assert (ROOT / "tangentlike" / stage.where).exists(), stage.where


def test_the_architecture_picture_is_the_tree_in_the_layers_order():
    """docs/architecture.md draws each folder and top-level module of the package,
    from the top layer down, as LAYERS has them from the bottom up."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    picture = text.split("```")[1]
    entries = re.findall(r"^ (\S+)", picture, flags=re.MULTILINE)
    assert entries[-1] == "core"
    ranks = [
        layer(f"tangentlike.{e.rstrip('/').removesuffix('.py')}") for e in entries[:-1]
    ]
    assert ranks == sorted(ranks, reverse=True), entries
    parts = {f"{p.name}/" for p in (ROOT / "tangentlike").iterdir() if p.is_dir()}
    parts |= {p.name for p in (ROOT / "tangentlike").glob("*.py")}
    parts -= {"__pycache__/", "__init__.py", "__main__.py"}
    drawn = set(re.findall(r"[\w]+/|[\w]+\.py", picture))
    assert parts <= drawn, f"not in the picture: {sorted(parts - drawn)}"
