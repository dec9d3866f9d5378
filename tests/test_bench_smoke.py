"""The benchmark scripts still run (three cases, no timing asserted: figures belong to make bench)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def test_archive_bench_runs() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_archive.py"), "3"], capture_output=True,
                          text=True, check=True, cwd=ROOT)  # fmt: skip
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["cases"] == 3 and figures["check_failures"] == 0


def test_flow_bench_runs() -> None:
    """Three guardians through the whole flow with the app, worker and sandbox as processes."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_flow.py"), "--families", "600",
                           "--applicants", "3", "--concurrency", "2"], capture_output=True, text=True,
                          check=True, cwd=ROOT, timeout=300)  # fmt: skip
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["completed"] == 3 and figures["errors"] == 0, figures
    assert set(figures["steps"]) >= {"login", "1-consent+fetch", "3-checks", "6-submit", "whole"}


def test_flow_bench_per_step_follows_the_notice_until_the_worker_sealed_it() -> None:
    """One guardian at a time, the notice and the rating included: the notice's first answer and
    the wait until the worker's job sealed it are steps of their own."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_flow.py"), "--families", "600",
                           "--applicants", "2", "--per-step"], capture_output=True, text=True,
                          check=True, cwd=ROOT, timeout=300)  # fmt: skip
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["completed"] == 2 and figures["errors"] == 0, figures
    decided = sum(n for s, n in figures["outcomes"].items() if s in ("notice_issued", "rejected"))
    steps = figures["steps"]
    assert decided and steps["7-notice"]["n"] == steps["7-notice-ready"]["n"] == decided
    assert "7-notice" in figures["app_cpu_ms_per_request"]


def test_precheck_bench_runs(tmp_path: Path) -> None:
    """A small city through the precheck bench: generation, sandbox, two processes, figures."""
    out = tmp_path / "precheck.json"
    command = [sys.executable, str(ROOT / "scripts" / "bench_precheck.py"), "--families", "300"]
    command += ["--batch-size", "20", "--processes", "2", "--out", str(out)]
    subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT, timeout=300)
    figures = json.loads(out.read_text())
    assert figures["children"] == sum(figures["decisions"].values()) > 100
    assert figures["command"].startswith("ruxue precheck") and figures["children_per_s"] > 0
