"""``ruxue demo``: its processes reach every department service at the sandbox's port, and the
one-time-code command it prints works as printed, from another terminal and directory."""

import asyncio
import os
import re
import subprocess
from pathlib import Path

import pytest

from ruxue.cli.run import DEMO_STAFF_PASSWORD, demo_code_command, demo_env
from ruxue.cli.staff import seed_demo_staff
from ruxue.kit import migrate
from ruxue.kit.db import Database
from ruxue.settings import Settings

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
