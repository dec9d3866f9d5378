"""The cohort's rules stay pure: they import only the standard library, pydantic, kit, person and
themselves (no database, no web, no clock reads). The feature's I/O modules (tables, repository,
service, pages, tasks, the adapters and the policy in force) are the exception, by name; the two
bridges between the domain's decision and these rules (``facts``, ``outcome``) are pure too but
also read the policy's and the departments' plain records."""

import ast
from pathlib import Path

import ruxue.cohort

# the policy keys live with the policy (``ruxue policy import`` validates them), pure as these
ALLOWED = ("ruxue.cohort", "ruxue.kit.crypto", "ruxue.person", "ruxue.policy.cohort_keys")
THIRD_PARTY = {"pydantic"}
FORBIDDEN_CALLS = {"today", "now", "utcnow", "open", "time"}
IO_MODULES = {"models", "repository", "service", "endpoints", "pages", "views", "tasks", "cli"}
IO_MODULES |= {"sources", "policy_in_force", "publication", "gather"}  # gather asks the departments
BRIDGES = {"facts", "outcome"}
BRIDGE_ALLOWED = (*ALLOWED, "ruxue.policy", "ruxue.exchange.records", "ruxue.cases.status")


def _modules() -> list[Path]:
    paths = Path(ruxue.cohort.__file__).parent.glob("*.py")
    return sorted(p for p in paths if p.stem not in IO_MODULES)


def _imports(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_cohort_imports_only_kit_person_and_itself() -> None:
    for path in _modules():
        bridge = path.stem in BRIDGES
        allowed, third = (
            (BRIDGE_ALLOWED, {*THIRD_PARTY, "msgspec"}) if bridge else (ALLOWED, THIRD_PARTY)
        )
        for name in _imports(ast.parse(path.read_text())):
            top = name.split(".")[0]
            if top == "ruxue":
                assert name.startswith(allowed), f"{path.name} imports {name}"
            else:
                assert top in third or top in _stdlib(), f"{path.name} imports {name}"


def test_cohort_reads_no_clock_and_no_file() -> None:
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                assert name not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {name}"


def _stdlib() -> frozenset[str]:
    import sys

    return frozenset(sys.stdlib_module_names)
