"""``serve --workers N`` and the worker: each process writes its own counters into the shared
directory and one scrape sums them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ruxue.ops.exposition import scrape
from tests.support.metrics import samples, value

ONE_PROCESS = """
import asyncio, httpx
from fastapi import FastAPI
from ruxue.ops.middleware import MetricsMiddleware

app = FastAPI()

@app.get("/cases/{case_no}")
async def case(case_no: str) -> dict[str, str]:
    return {"case_no": case_no}

app.add_middleware(MetricsMiddleware)

async def main() -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        for n in range(int(__import__("sys").argv[1])):
            assert (await http.get(f"/cases/RX2026P{n:010d}")).status_code == 200

asyncio.run(main())
"""


@pytest.mark.slow  # three Python processes start
def test_two_processes_counters_are_summed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src")
    for count in (3, 4):
        subprocess.run([sys.executable, "-c", ONE_PROCESS, str(count)], env=env, check=True)
    assert len(list(directory.glob("counter_*.db"))) == 2  # one file per process
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    found = samples(scrape().decode())
    labels = {"method": "GET", "route": "/cases/{case_no}", "status": "200"}
    assert value(found, "ruxue_http_requests_total", **labels) == 7
    assert not [key for key in found if "RX2026P" in str(key)]


@pytest.mark.slow
def test_the_command_line_does_not_import_prometheus_client_before_serve_sets_its_mode() -> None:
    """prometheus-client chooses its mode when first imported: ``ruxue serve``/``ruxue worker``
    set the directory first, which they cannot if loading the CLI already imported it."""
    check = "import sys, ruxue.cli.main; sys.exit('prometheus_client' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    assert subprocess.run([sys.executable, "-c", check], env=env).returncode == 0
