"""The worker knows every job the app queues (a job it does not know is dropped with an error).
Checked in a fresh interpreter, as ``ruxue worker`` starts: the test process imports far more.
The queue is built from the settings when first used, never by an import. Jobs run on their
worker thread's own loop and database engine, kept between jobs."""

import asyncio
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from huey import Huey
from sqlalchemy import text

import ruxue
from ruxue.kit import queue
from ruxue.kit.db import Database
from ruxue.kit.queue import run_in_worker
from ruxue.settings import get_settings
from tests.support.roots import from_environment

PROBE = """
import json, sys
from ruxue.kit import process
from ruxue.kit.queue import queue
from ruxue.settings import Settings
from ruxue.worker import load_tasks
process.configure(Settings())  # what the worker's root does first (ruxue.worker.start)
load_tasks()
built = sorted(p.name for p in __import__("pathlib").Path(sys.argv[1]).iterdir())
print(json.dumps([built, sorted(queue()._registry._registry)]))
"""


@pytest.mark.slow
def test_every_task_is_registered_with_the_worker_and_importing_builds_no_queue(
    tmp_path: Path,
) -> None:
    source = str(Path(ruxue.__file__).parent.parent)  # this checkout's code, not an installed one
    env = {"PATH": "/usr/bin:/bin", "RUXUE_VAR_DIR": str(tmp_path), "PYTHONPATH": source}
    probe = [sys.executable, "-c", PROBE, str(tmp_path)]
    out = subprocess.run(probe, capture_output=True, text=True, check=True, env=env)
    before, names = json.loads(out.stdout.strip().splitlines()[-1])
    assert before == []  # importing every feature's tasks wrote nothing
    assert (tmp_path / "queue.db").exists()  # queue() built it where the settings say
    assert {
        "ruxue.archive.tasks.build", "ruxue.archive.tasks.recheck", "ruxue.notify.tasks.deliver",
        "ruxue.notify.tasks.sweep", "ruxue.exchange.tasks.verify_call_log", "ruxue.archive.tasks.sweep",
    } <= set(names)  # fmt: skip


def test_the_tests_queue_is_their_own(test_queue: Huey) -> None:
    from ruxue.notify.tasks import deliver

    assert queue.queue() is test_queue
    assert Path(test_queue.storage.filename).parent != Path("var").resolve()
    before = test_queue.pending_count()
    deliver([1])
    assert test_queue.pending_count() == before + 1
    test_queue.flush()


async def _probe(db: Database) -> tuple[int, int, int]:
    async with db.read_session() as session:
        one = (await session.execute(text("SELECT 1"))).scalar_one()
    return id(asyncio.get_running_loop()), id(db), one


def test_a_worker_thread_keeps_its_loop_and_engine(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUXUE_DATABASE_URL", database_url)  # not the checkout's var/ruxue.db
    from_environment()
    seen: dict[str, list[tuple[int, int, int]]] = {"a": [], "b": []}

    def worker(name: str) -> None:
        seen[name] = [run_in_worker(_probe), run_in_worker(_probe)]

    threads = [threading.Thread(target=worker, args=(n,)) for n in seen]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    (a1, a2), (b1, b2) = seen["a"], seen["b"]
    assert a1 == a2 and b1 == b2  # the same loop and engine for a thread's jobs, and they work
    assert a1[:2] != b1[:2] and a1[2] == b1[2] == 1  # each thread its own
    get_settings.cache_clear()
