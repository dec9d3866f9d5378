"""The task queue: huey on SQLite for the embedded default, on Redis when scaled (``RUXUE_QUEUE_URL``)."""

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

from huey import Huey, RedisHuey, SqliteHuey

from ruxue.kit.db import Database
from ruxue.settings import get_settings

T = TypeVar("T")
_thread = threading.local()


def make_huey(url: str) -> Huey:
    if url.startswith("redis://"):
        return RedisHuey("ruxue", url=url)
    path = url.removeprefix("sqlite:///")
    return SqliteHuey("ruxue", filename=path)


_settings = get_settings()
_settings.var_dir.mkdir(parents=True, exist_ok=True)
huey = make_huey(_settings.resolved_queue_url())


def load_tasks() -> None:
    """Import every feature's tasks so the consumer knows them."""
    import ruxue.archive.tasks
    import ruxue.audit.tasks
    import ruxue.dashboard.tasks
    import ruxue.exchange.tasks
    import ruxue.notify.tasks
    import ruxue.rating.tasks  # noqa: F401


def run_in_worker(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run a job's coroutine on its worker thread's own event loop and database engine, both kept
    for the thread's life. Measured here, a fresh loop and engine per job (``asyncio.run``) cost
    ~5 ms on SQLite, more on PostgreSQL where each job also opened its connections; kept, ~1 ms."""
    if getattr(_thread, "loop", None) is None:
        _thread.loop = asyncio.new_event_loop()
        _thread.db = Database(get_settings().resolved_database_url())
    loop: asyncio.AbstractEventLoop = _thread.loop
    return loop.run_until_complete(work(_thread.db))
