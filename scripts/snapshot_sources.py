"""Record every source tangentlike compiles while the test suite runs.

Used to prove that a refactoring leaves the generated code unchanged:

    python -m pytest -q -p scripts.snapshot_sources --snapshot=before.txt
    ... refactor ...
    python -m pytest -q -p scripts.snapshot_sources --snapshot=after.txt
    diff before.txt after.txt

Each compiled source is written under the id of the test that compiled it, in
the order the tests run.
"""

from __future__ import annotations

import importlib

import pytest

_RECORD: list[str] = []
_CURRENT = ["(collection)"]
_LOADERS = ("tangentlike.codegen.compile", "tangentlike.compile")


def pytest_addoption(parser):
    parser.addoption(
        "--snapshot", default=None, help="file to write the compiled sources to"
    )


def pytest_configure(config):
    if not config.getoption("--snapshot"):
        return
    for name in _LOADERS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        original = module.load

        def load(source, *args, _original=original, **kwargs):
            _RECORD.append(f"### {_CURRENT[0]}\n{source}")
            return _original(source, *args, **kwargs)

        module.load = load
        return


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _CURRENT[0] = item.nodeid
    yield


def pytest_unconfigure(config):
    path = config.getoption("--snapshot", default=None)
    if path:
        with open(path, "w") as out:
            out.write("\n".join(_RECORD))
