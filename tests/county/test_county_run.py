"""A city and a county as separate ruxue processes on PostgreSQL (``scripts/county_run.py``, 100
cases): the relay killed mid-batch and restarted, the city killed and restarted; the city ends
with exactly one record per (case, stage) at the county's latest data version."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PG = os.environ.get("RUXUE_TEST_DATABASE_URL", "")


@pytest.mark.skipif(
    not PG.startswith("postgresql"), reason="needs RUXUE_TEST_DATABASE_URL (PostgreSQL)"
)
def test_nothing_lost_nothing_doubled() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "county_run.py"), "--cases", "100"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["exact"], figures
    assert figures["city_rows"] == figures["stage_rows_expected"] > 300
    assert figures["sent"] == figures["outbox_rows"] and figures["dead"] == 0
    assert figures["relay_killed_mid_batch"] == 1 and figures["city_killed"] == 1
    assert figures["failed_attempts"] > 0  # the relay did meet the city down, and retried
