"""The queue as operators see it: jobs enqueued and finished, and per job kind how many wait and
for how long. A job's id is made a time-based UUID (version 1) when it is enqueued, so its age
can be read back from the queue itself, with no write of our own."""

import time
import uuid
from collections import Counter as Tally
from dataclasses import dataclass, field
from typing import Any

from huey import Huey
from huey import signals as s

from ruxue.ops import metrics, tracing

UUID_EPOCH = 0x01B21DD213814000  # 1582-10-15 in 100 ns steps before 1970-01-01
PEEK = 10_000  # a queue longer than this is counted, and its age read from the first PEEK jobs
INSTALLED = "_ruxue_ops_signals"


def enqueued_at(task_id: str) -> float | None:
    """The Unix time a stamped id records; ``None`` for an id from elsewhere."""
    try:
        parsed = uuid.UUID(task_id)
    except ValueError:
        return None
    return (parsed.time - UUID_EPOCH) / 1e7 if parsed.version == 1 else None


def install(huey: Huey) -> None:
    """The signal handlers on ``huey`` (once per queue): the id stamped first, then counted and
    traced."""
    if getattr(huey, INSTALLED, False):
        return

    @huey.signal(s.SIGNAL_ENQUEUED)
    def enqueued(signal: str, task: Any, *args: Any) -> None:
        if enqueued_at(task.id) is None:  # a retry keeps its first time
            task.id = str(uuid.uuid1())
        metrics.JOBS_ENQUEUED.labels(task.name).inc()
        tracing.job_enqueued(huey, task)

    @huey.signal(s.SIGNAL_EXECUTING)
    def executing(signal: str, task: Any, *args: Any) -> None:
        tracing.job_started(huey, task)

    @huey.signal(s.SIGNAL_COMPLETE, s.SIGNAL_ERROR, s.SIGNAL_EXPIRED, s.SIGNAL_CANCELED)
    def finished(signal: str, task: Any, *args: Any) -> None:
        metrics.JOBS_FINISHED.labels(task.name, signal).inc()
        tracing.job_ended(task, failed=signal == s.SIGNAL_ERROR)

    setattr(huey, INSTALLED, True)


@dataclass
class QueueState:
    depth: Tally[str] = field(default_factory=Tally)
    oldest_s: dict[str, float] = field(default_factory=dict)
    scheduled: int = 0


def queue_state(huey: Huey, now: float | None = None) -> QueueState:
    """How many jobs of each kind wait, and the age of the oldest (a queue that cannot be read
    raises: the scrape says so)."""
    now = time.time() if now is None else now
    state = QueueState(scheduled=huey.scheduled_count())
    for task in huey.pending(PEEK):
        state.depth[task.name] += 1
        at = enqueued_at(task.id)
        if at is not None:
            state.oldest_s[task.name] = max(state.oldest_s.get(task.name, 0.0), now - at)
    total = huey.pending_count()
    if total > PEEK:
        state.depth[f"(beyond the first {PEEK})"] = total - PEEK
    return state
