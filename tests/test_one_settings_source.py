"""One settings source: only the composition roots (the app's ``create_app``, the worker, a CLI
command), the settings module and the migrations' environment read ``get_settings()``; library
code is handed the settings (or the values it needs) as parameters, or by
``kit/process.configure`` once per process."""

import ast
from pathlib import Path

import ruxue

SOURCE = Path(ruxue.__file__).parent
ROOTS = {
    SOURCE / "settings.py",
    SOURCE / "web" / "app.py",
    SOURCE / "worker.py",
    SOURCE / "migrations" / "env.py",
}


def settings_reads(tree: ast.AST) -> list[int]:
    """Lines calling ``get_settings()`` (or ``<module>.get_settings()``) in ``tree``."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "get_settings")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "get_settings")
        )
    ]


def allowed(path: Path) -> bool:
    return path in ROOTS or path.is_relative_to(SOURCE / "cli")


def test_the_finder_finds_a_read() -> None:
    code = "from ruxue import settings\n\ndef key():\n    return settings.get_settings().pii_key\n"
    assert settings_reads(ast.parse(code)) == [4]
    assert settings_reads(ast.parse("url = get_settings().public_url\n")) == [1]
    assert settings_reads(ast.parse("def f(settings):\n    return settings.pii_key\n")) == []


def test_only_the_composition_roots_read_the_settings() -> None:
    found = [
        f"{path.relative_to(SOURCE)}:{line}"
        for path in sorted(SOURCE.rglob("*.py"))
        if not allowed(path)
        for line in settings_reads(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == []
