"""The import graph of the package: one way, each stage importing only what it stands on."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from tests.helpers import REPO

PACKAGE = REPO / "src" / "lettres"


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, at its top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "lettres":
                found.update(f"lettres.{alias.name}" for alias in node.names)
    return found


def graph() -> dict[str, set[str]]:
    """Module of the package → the package's modules it imports."""
    return {
        path.stem: {
            name.removeprefix("lettres.").split(".")[0]
            for name in imports_of(path)
            if name.startswith("lettres.")
        }
        for path in PACKAGE.glob("*.py")
    }


def third_party(module: str) -> set[str]:
    return {name.split(".")[0] for name in imports_of(PACKAGE / f"{module}.py")}


def test_the_import_graph_has_no_cycle() -> None:
    try:
        TopologicalSorter(graph()).prepare()
    except CycleError as error:
        pytest.fail(f"cycle d'imports : {' → '.join(error.args[1])}")


@pytest.mark.parametrize("writer", ["docx_writer", "pdf_writer"])
def test_writers_import_only_the_letter_model_and_errors(writer: str) -> None:
    assert graph()[writer] <= {"letter", "errors"}


def test_folders_import_nothing_of_the_pipeline() -> None:
    assert graph()["folders"] <= {"text"}
    assert graph()["text"] == set()


CLI_LAYER = {"cli", "cli_fr"}  # the commands, and the French of typer and click


def test_only_the_cli_imports_typer_and_rich() -> None:
    users = {module for module in graph() if third_party(module) & {"typer", "rich", "click"}}
    assert users == CLI_LAYER


def test_the_core_never_imports_the_cli() -> None:
    for module, imported in graph().items():
        if module not in CLI_LAYER | {"__main__"}:
            assert not imported & CLI_LAYER, module


def test_the_core_never_prints_nor_exits() -> None:
    for module in graph():
        if module in CLI_LAYER | {"__main__"}:
            continue
        tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
        calls = {
            node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        assert not calls & {"print", "exit", "input"}, module
