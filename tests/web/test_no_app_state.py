"""Route handlers get their plumbing from typed dependencies (``web/deps.py``), never from
``request.app.state``: only the dependencies and the composition root touch the app's state."""

import ast
from pathlib import Path

import ruxue

SOURCE = Path(ruxue.__file__).parent
ALLOWED = {SOURCE / "web" / "deps.py", SOURCE / "web" / "app.py"}


def app_state_reads(tree: ast.AST) -> list[int]:
    """Lines of ``<x>.app.state`` in ``tree``: ``request.app.state.db``, ``state = request.app.state``."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "state"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "app"
        and isinstance(node.value.value, ast.Name)
        and node.value.value.id == "request"
    ]


def test_the_finder_finds_a_read() -> None:
    handler = "async def page(request):\n    db = request.app.state.db\n    return db\n"
    assert app_state_reads(ast.parse(handler)) == [2]


def test_only_the_dependencies_read_the_app_state() -> None:
    found = [
        f"{path.relative_to(SOURCE)}:{line}"
        for path in sorted(SOURCE.rglob("*.py"))
        if path not in ALLOWED
        for line in app_state_reads(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == []
