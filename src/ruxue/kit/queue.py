"""The task queue: huey on SQLite for the embedded default, on Redis when scaled (``RUXUE_QUEUE_URL``).

Features declare their jobs with ``job``/``periodic_job``; kit never imports a feature. The huey
instance is built from the settings the first time it is needed (``queue()``), so importing a
feature touches no file; tests and tools can put their own in place with ``use``. The worker's
composition root (``ruxue.worker.start``) configures the settings and imports the task modules.
"""

import asyncio
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from huey import Huey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper

from ruxue.kit.db import Database
from ruxue.settings import Settings

T = TypeVar("T")
_thread = threading.local()


class Job:
    """A job a feature declared: calling it queues it on the current queue."""

    def __init__(self, fn: Callable[..., Any], periodic: Any, options: dict[str, Any]) -> None:
        self.fn, self.periodic, self.options = fn, periodic, options
        self.name = f"{fn.__module__}.{fn.__name__}"
        self._bound: tuple[Huey, TaskWrapper] | None = None

    def __call__(self, *args: Any) -> Any:
        return self.on(queue())(*args)

    def on(self, huey: Huey) -> TaskWrapper:
        """This job's huey task on ``huey``, registered there the first time."""
        if self._bound is None or self._bound[0] is not huey:
            if self.periodic is None:
                wrapper = huey.task(**self.options)(self.fn)
            else:
                wrapper = huey.periodic_task(self.periodic, **self.options)(self.fn)
            self._bound = (huey, wrapper)
        return self._bound[1]


_jobs: dict[str, Job] = {}
_current: list[Huey] = []
_settings: list[Settings] = []
_installers: list[Callable[[Huey], None]] = []


def configure(settings: Settings) -> None:
    """The settings of this process's queue and jobs (the worker's composition root sets them)."""
    _settings[:] = [settings]


def job_settings() -> Settings:
    """The settings jobs run with: those configured by the composition root (the worker's, the
    app's, a CLI command's)."""
    if not _settings:
        raise RuntimeError("no settings: the composition root calls queue.configure(settings)")
    return _settings[0]


def _declare(fn: Callable[..., Any], periodic: Any, options: dict[str, Any]) -> Job:
    declared = _jobs[f"{fn.__module__}.{fn.__name__}"] = Job(fn, periodic, options)
    if _current:
        declared.on(_current[0])
    return declared


def job(**options: Any) -> Callable[[Callable[..., Any]], Job]:
    """Declare a job (huey's task options: ``retries``, ``retry_delay`` …)."""
    return lambda fn: _declare(fn, None, options)


def periodic_job(schedule: Any, **options: Any) -> Callable[[Callable[..., Any]], Job]:
    """Declare a job the consumer runs on a schedule (a ``huey.crontab``)."""
    return lambda fn: _declare(fn, schedule, options)


def make_huey(url: str) -> Huey:
    if url.startswith("redis://"):
        return RedisHuey("ruxue", url=url)
    path = Path(url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("ruxue", filename=str(path))


def use(huey: Huey) -> Huey:
    """Make ``huey`` the queue of this process and register every declared job with it."""
    _current[:] = [huey]
    for declared in _jobs.values():
        declared.on(huey)
    for install in _installers:
        install(huey)
    return huey


def on_use(install: Callable[[Huey], None]) -> None:
    """Hand ``install`` this process's queue, now and whenever another is put in place (a
    composition root's signal handlers: the operators' metrics and traces)."""
    if install not in _installers:
        _installers.append(install)
    if _current:
        install(_current[0])


def queue() -> Huey:
    """The queue of this process, built from the settings on first use."""
    if not _current:
        use(make_huey(job_settings().resolved_queue_url()))
    return _current[0]


def run_in_worker(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run a job's coroutine on its worker thread's own event loop and database engine, both kept
    for the thread's life. Measured here, a fresh loop and engine per job (``asyncio.run``) cost
    ~5 ms on SQLite, more on PostgreSQL where each job also opened its connections; kept, ~1 ms.
    Jobs read the app's clock (``now_of``) as the web app does: the demo's fixed time, not the
    real one, in the events, dashboard figures and deadlines they write."""
    if getattr(_thread, "loop", None) is None:
        settings = job_settings()
        _thread.loop = asyncio.new_event_loop()
        _thread.db = Database(settings.resolved_database_url(), clock=settings.clock)
    loop: asyncio.AbstractEventLoop = _thread.loop
    return loop.run_until_complete(work(_thread.db))
