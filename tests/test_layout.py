"""The package's layout: stages as folders, the runtime apart from training and evaluation.

Imports are read from the source (module level and inside functions alike), so a lazy import of
learn/ or streamlit is caught as surely as one at the top of a file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pipeline.config import REPO_ROOT

PIPELINE = REPO_ROOT / "pipeline"
RUNTIME_WINGS = ("ingest", "extract", "link", "store")
MAX_MODULE_LINES = 800
RUN_MODULES = ("pipeline.ingest.runner", "pipeline.ingest.worker", "pipeline.ingest.pool", "pipeline.ingest.cluster")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Return every module an import statement in the file names (from-imports also as module.name)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PIPELINE.rglob("*.py")}


def test_the_runtime_never_imports_learn():
    offenders = [
        f"{name} imports {imported}"
        for name, path in _modules().items()
        if not name.startswith("pipeline.learn")
        for imported in _imports(path)
        if imported == "pipeline.learn" or imported.startswith("pipeline.learn.")
    ]
    assert offenders == []


def test_nothing_under_pipeline_imports_streamlit():
    offenders = [
        f"{name} imports {imported}"
        for name, path in _modules().items()
        for imported in _imports(path)
        if imported.split(".")[0] == "streamlit"
    ]
    assert offenders == []


def test_learn_has_no_import_circle():
    modules = _modules()
    learn = {name for name in modules if name.startswith("pipeline.learn.")}
    edges = {name: {m for m in _imports(modules[name]) if m in learn and m != name} for name in learn}

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in edges[start]:
            if nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})):
                return True
        return False

    circles = sorted(name for name in learn if reaches(name, name, {name}))
    assert circles == []


@pytest.mark.parametrize("wing", RUNTIME_WINGS)
def test_wings_import_only_earlier_stages(wing):
    """Data flows one way: ingest -> extract -> link -> store; a wing never imports a later one.

    The run itself (ingest.runner, and ingest.worker, the process it hands each document to, with
    ingest.pool and ingest.cluster, which keep several of them busy) drives every stage, so those are
    the modules allowed to look ahead.
    """
    later = RUNTIME_WINGS[RUNTIME_WINGS.index(wing) + 1:]
    if wing == "ingest":
        later = tuple(w for w in later if w != "store")  # ingest.runner stores what it read
    offenders = [
        f"{name} imports {imported}"
        for name, path in _modules().items()
        if name.startswith(f"pipeline.{wing}.") and name not in RUN_MODULES
        for imported in _imports(path)
        if any(imported == f"pipeline.{w}" or imported.startswith(f"pipeline.{w}.") for w in later)
    ]
    assert offenders == []


def test_no_module_is_over_the_size_limit():
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in _modules().items()}
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}


def test_every_module_opens_with_a_docstring():
    missing = [
        name for name, path in _modules().items()
        if path.read_text(encoding="utf-8").strip() and ast.get_docstring(ast.parse(path.read_text())) is None
    ]
    assert missing == []
