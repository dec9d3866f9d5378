"""The worker's composition root: the queue and the jobs' plumbing built from one ``Settings``,
and every feature's jobs registered with the generic queue (``kit/queue.py`` imports no feature)."""

import importlib

from huey import Huey

from ruxue.kit import process, queue
from ruxue.ops.install import install_worker
from ruxue.settings import Settings
from ruxue.wiring import wire

TASK_MODULES = (
    "ruxue.archive.tasks",
    "ruxue.audit.tasks",
    "ruxue.county.tasks",
    "ruxue.dashboard.tasks",
    "ruxue.elicence.tasks",
    "ruxue.exchange.tasks",
    "ruxue.notice.tasks",
    "ruxue.notify.tasks",
    "ruxue.ops.tasks",
    "ruxue.provider.tasks",
    "ruxue.rating.tasks",
)


def load_tasks() -> None:
    """Import every feature's jobs, so the consumer knows them (a job it does not know is dropped)."""
    for module in TASK_MODULES:
        importlib.import_module(module)


def start(settings: Settings) -> Huey:
    """This process's queue, built from ``settings``, with every feature's jobs registered."""
    process.configure(settings)
    wire(settings)  # the worker's moves of a case reach the same subscribers as the app's
    load_tasks()
    install_worker(settings)  # the queue's metrics and, when configured, the jobs' traces
    return queue.queue()
