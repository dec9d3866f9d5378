"""The worker knows every job the app queues (a job it does not know is dropped with an error).
Checked in a fresh interpreter, as ``ruxue worker`` starts: the test process imports far more.
Jobs run on their worker thread's own loop and database engine, kept between jobs."""

import asyncio
import json
import subprocess
import sys
import threading

from sqlalchemy import text

from ruxue.kit.db import Database
from ruxue.kit.queue import run_in_worker

PROBE = "import json; from ruxue.kit.queue import huey, load_tasks; load_tasks(); print(json.dumps(sorted(huey._registry._registry)))"


def test_every_task_is_registered_with_the_worker(tmp_path: object) -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "RUXUE_VAR_DIR": str(tmp_path)})  # fmt: skip
    names = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert {
        "ruxue.archive.tasks.build", "ruxue.archive.tasks.recheck", "ruxue.notify.tasks.deliver",
        "ruxue.notify.tasks.sweep", "ruxue.exchange.tasks.verify_call_log", "ruxue.archive.tasks.sweep",
    } <= names  # fmt: skip


async def _probe(db: Database) -> tuple[int, int, int]:
    async with db.read_session() as session:
        one = (await session.execute(text("SELECT 1"))).scalar_one()
    return id(asyncio.get_running_loop()), id(db), one


def test_a_worker_thread_keeps_its_loop_and_engine() -> None:
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
