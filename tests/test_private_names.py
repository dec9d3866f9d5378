"""No private names across packages: `from ruxue.x.y import _name` only inside package x."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "ruxue"


def package_of(path: Path) -> str:
    parts = path.relative_to(SRC).parts
    return parts[0] if len(parts) > 1 else ""  # a top-level module is no package


def private_imports(tree: ast.AST, own: str) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
            continue
        parts = node.module.split(".")
        if parts[0] != "ruxue" or len(parts) < 2 or parts[1] == own:
            continue
        found += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    return found


def crossings() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(SRC)}: {n}" for n in private_imports(tree, package_of(path))]
    return found


def test_the_check_sees_a_private_name_of_another_package() -> None:
    tree = ast.parse("from ruxue.desk.pages import _guard, render\nfrom ruxue.kit.db import _x\n")
    assert private_imports(tree, own="kit") == ["ruxue.desk.pages._guard"]


def test_no_private_name_is_imported_from_another_package() -> None:
    assert crossings() == []
