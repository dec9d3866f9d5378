"""The worker knows every job the app queues (a job it does not know is dropped with an error).
Checked in a fresh interpreter, as ``ruxue worker`` starts: the test process imports far more."""

import json
import subprocess
import sys

PROBE = "import json; from ruxue.kit.queue import huey, load_tasks; load_tasks(); print(json.dumps(sorted(huey._registry._registry)))"


def test_every_task_is_registered_with_the_worker(tmp_path: object) -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "RUXUE_VAR_DIR": str(tmp_path)})  # fmt: skip
    names = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert {
        "ruxue.archive.tasks.build", "ruxue.archive.tasks.recheck", "ruxue.notify.tasks.deliver",
        "ruxue.notify.tasks.sweep", "ruxue.exchange.tasks.verify_call_log",
    } <= names  # fmt: skip
