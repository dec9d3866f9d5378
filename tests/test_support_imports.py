"""Test modules share code only through tests/support/: no test module (test_*.py, conftest.py or
any other module under tests/) imports from another module of tests/ outside tests/support/."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SUPPORT = "tests.support"


def imported_modules(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def outside_support(module: str) -> bool:
    in_tests = module == "tests" or module.startswith("tests.")
    return in_tests and not (module == SUPPORT or module.startswith(f"{SUPPORT}."))


def violations() -> list[str]:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for module in imported_modules(tree):
            # "from tests import support" names tests.support; "from tests.support import x" is fine
            if outside_support(module) and module != "tests":
                found.append(f"{path.relative_to(TESTS.parent)}: {module}")
    return found


def test_test_modules_import_shared_code_only_from_tests_support() -> None:
    assert violations() == []


def test_the_check_sees_an_import_from_a_test_module() -> None:
    tree = ast.parse("from tests.enrollment.test_assess import WANG\nimport tests.conftest\n")
    bad = [m for m in imported_modules(tree) if outside_support(m)]
    assert bad == [
        "tests.enrollment.test_assess",
        "tests.enrollment.test_assess.WANG",
        "tests.conftest",
    ]
    assert not outside_support("tests.support.personas")
