"""The load generator (scripts/loadgen.py) counts what happened: the example city's four children
go through the whole flow against the test app, a fifth guardian asks for a child who does not
exist; no timing is asserted (figures belong to make bench-peak)."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ruxue.settings import Settings
from tests.support.dataset import EXAMPLE
from tests.support.helpers import ServerThread

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import loadgen
from bench_flow import Watched, applicants


@pytest.mark.slow
async def test_the_generator_counts_completed_applications_and_errors(
    web: ServerThread, sandbox: ServerThread, schools: None, database_url: str, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # nothing consumes the tests' queue: the notices are sealed by the download once they are late
    monkeypatch.setattr(settings, "notice_render_after_s", 1.0)
    people: list[Any] = applicants(EXAMPLE, 100)
    assert len(people) == 4
    nobody = (people[0][0], "320508202001019999", None)  # a child no department knows
    args = loadgen.parser().parse_args(
        [
            "--app-url",
            web.url,
            "--sandbox-url",
            sandbox.url,
            "--dataset",
            str(EXAMPLE),
            "--database-url",
            database_url,
            "--mode",
            "closed",
            "--concurrency",
            "2",
            "--connections",
            "4",
            "--ceiling-seconds",
            "0.3",
            "--sample-every",
            "0.2",
            "--drain-seconds",
            "0",
            "--watch",
            f"app={os.getpid()}",  # the app serves from a thread of this process
        ]
    )

    figures = await loadgen.generate(args, [*people, nobody])

    assert figures["started"] == 5
    assert figures["completed"] == 4 and figures["failed"] == 1
    assert sum(figures["errors"].values()) == 1 and figures["not_started"] == 0
    [(kind, n)] = figures["errors"].items()
    assert kind.startswith("1-consent+fetch: http 4") and n == 1, figures["first_errors"]
    assert sum(figures["outcomes"].values()) == 4
    steps = figures["steps"]
    assert steps["login-start"]["n"] == steps["login-callback"]["n"] == 5
    assert steps["login"]["n"] == 5 and steps["6-submit"]["n"] == 4 and steps["whole"]["n"] == 4
    decided = sum(n for s, n in figures["outcomes"].items() if s in loadgen.DECIDED)
    assert steps.get("8-rating", {"n": 0})["n"] == decided
    # the notice's first answer was 202; asked again after Retry-After until the PDF came
    assert steps["7-notice"]["n"] == steps["7-notice-ready"]["n"] == decided
    assert (
        figures["notice_polls"] >= decided
        and steps["7-notice-poll"]["n"] == figures["notice_polls"]
    )
    assert steps["7-notice-ready"]["p50_ms"] >= 1000  # the bound, not a render in the request
    assert figures["ceiling"]["requests_per_s"] > 0 and figures["ceiling"]["errors"] == 0
    assert set(figures["cpu_ms_per_application"]) == {"app", "loadgen"}
    assert figures["cpu_ms_per_application"]["app"] > 0
    # nothing consumes the test queue: every decided case still lacks its package
    depths = loadgen.Depths(database_url, "")
    try:
        state = await depths.read()
    finally:
        await depths.close()
    assert state["decided"] == decided and state["archive_unfiled"] == decided
    assert state["outbox_unsent"] == 0
    assert state["ledger_pending"] > 0  # nor chains the ledger (the worker's job, every minute)


def test_one_application_per_family() -> None:
    """Twins' parents are sent once (their spouse could not be sent two codes within a minute)."""
    people = [("g1", "c1", "s1"), ("g1", "c2", "s1"), ("s1", "c3", "g1"), ("g2", "c4", None)]
    assert loadgen.one_per_family(people) == [("g1", "c1", "s1"), ("g2", "c4", None)]


def test_percentiles_are_nearest_rank() -> None:
    ordered = [float(n) for n in range(1, 101)]
    assert [loadgen.percentile(ordered, q) for q in (50, 95, 99)] == [50.0, 95.0, 99.0]
    assert loadgen.percentile([7.0], 99) == 7.0 and loadgen.percentile([], 50) == 0.0


BUSY_CHILD = """import sys, time
end = time.process_time() + 0.2
while time.process_time() < end:
    pass
print("done", flush=True)
sys.stdin.read()
"""


def test_watched_counts_a_process_tree_and_loses_no_sign_to_ended_processes() -> None:
    """``Watched``, shared by ``loadgen --watch`` and ``bench_flow``: a child that started between
    two readings counts whole, one that ended is not counted negative, a missing pid is nothing."""
    watched = Watched([f"tree={os.getpid()}", "gone=999999999"])
    before = watched.cpu()
    child = subprocess.Popen(
        [sys.executable, "-c", BUSY_CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == b"done\n"
        during = watched.cpu()
        assert child.pid in during["tree"] and during["gone"] == {}
        assert Watched.used(before, during)["tree"] >= 0.2
    finally:
        child.communicate()
    after = watched.cpu()
    assert child.pid not in after["tree"] and Watched.used(during, after)["tree"] >= 0
