"""Only ``cases/lifecycle.py`` assigns a case's ``status`` or ``outcome``. A case is a name that
says so (``case``, ``new_case``, ``transition.case``…): the licence's, the print job's or the
rectification item's ``status`` are other models' and named otherwise."""

import ast
from pathlib import Path

import ruxue

SRC = Path(ruxue.__file__).parent
OWNER = SRC / "cases" / "lifecycle.py"
FIELDS = {"status", "outcome"}


def _names_a_case(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "case" or node.id.endswith("_case")
    if isinstance(node, ast.Attribute):
        return node.attr == "case" or node.attr.endswith("_case")
    return False


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return [t for target in node.targets for t in _flat(target)]
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return _flat(node.target)
    return []


def _flat(target: ast.expr) -> list[ast.expr]:
    if isinstance(target, ast.Tuple | ast.List):
        return [t for e in target.elts for t in _flat(e)]
    return [target]


def _setattr(node: ast.AST) -> bool:
    """``setattr(case, "status", …)``"""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "setattr"
        and len(node.args) >= 2
        and _names_a_case(node.args[0])
        and isinstance(node.args[1], ast.Constant)
        and node.args[1].value in FIELDS
    )


def writes(source: str) -> list[int]:
    """The lines of ``source`` that assign a case's status or outcome."""
    found = []
    for node in ast.walk(ast.parse(source)):
        for t in _targets(node):
            if isinstance(t, ast.Attribute) and t.attr in FIELDS and _names_a_case(t.value):
                found.append(t.lineno)
        if _setattr(node):
            found.append(node.lineno)
    return sorted(found)


def test_only_the_lifecycle_assigns_a_case_status() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{line}"
        for path in sorted(SRC.rglob("*.py"))
        if path != OWNER
        for line in writes(path.read_text())
    ]
    assert offenders == []


def test_the_check_finds_each_kind_of_write() -> None:
    source = "\n".join(
        [
            "case.status = 'x'",
            "case.outcome = case.status = 'x'",
            "case.school_code, case.status = 1, 2",
            "transition.case.status = 'x'",
            "new_case.outcome: str = 'x'",
            "setattr(case, 'status', 'x')",
            "licence.status = 'revoked'",  # another model: not a case
            "status = case.status",  # a read
        ]
    )
    assert writes(source) == [1, 2, 2, 3, 4, 5, 6]


def test_the_lifecycle_itself_is_seen_to_write() -> None:
    assert writes(OWNER.read_text())  # the check would see a write if it were elsewhere
