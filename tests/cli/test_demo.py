"""``ruxue demo``: its processes reach every department service at the sandbox's port, and the
one-time-code command it prints works as printed, from another terminal and directory."""

import asyncio
import os
import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ruxue.cli.main import app
from ruxue.cli.run import DEMO_STAFF_PASSWORD, data_note, demo_code_command, demo_env
from ruxue.cli.staff import seed_demo_staff
from ruxue.kit import migrate
from ruxue.kit.db import Database
from ruxue.settings import Settings, get_settings
from tests.support.roots import from_environment

DEFAULT_SANDBOX = "127.0.0.1:8100"


def test_every_sandbox_service_follows_the_sandbox_port() -> None:
    sandboxed = {
        f"RUXUE_{name.upper()}": field.default
        for name, field in Settings.model_fields.items()
        if isinstance(field.default, str) and DEFAULT_SANDBOX in field.default
    }
    assert "RUXUE_WORKORDER_URL" in sandboxed and "RUXUE_SMS_URL" in sandboxed
    env = demo_env({"RUXUE_WORKORDER_URL": "http://elsewhere"}, 9000, 9100)
    for name, default in sandboxed.items():
        assert env[name] == default.replace(DEFAULT_SANDBOX, "127.0.0.1:9100"), name
    assert env["RUXUE_PUBLIC_URL"] == "http://127.0.0.1:9000" and env["RUXUE_MODE"] == "demo"


@pytest.mark.slow
def test_the_printed_demo_code_command_works_as_printed(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    url = f"sqlite+aiosqlite:///{var / 'ruxue.db'}"
    migrate.upgrade(url)

    async def seed() -> None:
        db = Database(url)
        try:
            await seed_demo_staff(db, DEMO_STAFF_PASSWORD)
        finally:
            await db.dispose()

    asyncio.run(seed())
    command = demo_code_command("demo-reviewer", Settings(var_dir=Path(os.path.relpath(var))))
    # a fresh shell elsewhere: none of the demo's settings, production mode by default
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RUXUE_")}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    ran = subprocess.run(
        ["sh", "-c", command], env=clean, cwd=elsewhere, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    assert re.fullmatch(r"\d{6}", ran.stdout.strip())


@pytest.mark.slow
def test_the_county_demo_starts_again_on_its_own_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ruxue demo --with-county`` seeds the county's demo cases at every start: a second start on
    the same data keeps them and says so, instead of dying on the cases' unique numbers."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'county.db'}"
    migrate.upgrade(url)
    monkeypatch.setenv("RUXUE_DATABASE_URL", url)
    monkeypatch.setenv("RUXUE_MODE", "demo")
    monkeypatch.setenv("RUXUE_VAR_DIR", str(tmp_path))
    from_environment()
    args = ["county", "demo-cases", "--count", "4"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "已生成县区演示办件 4 件" in first.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "沿用已有的县区演示办件（4 件）" in again.output
    get_settings.cache_clear()


def test_a_demo_start_says_whether_it_keeps_its_data(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ruxue.db'}"
    assert data_note(url, "市级").startswith("市级演示数据：新建于")
    migrate.upgrade(url)
    assert "沿用" in data_note(url, "市级") and str(tmp_path) in data_note(url, "市级")
