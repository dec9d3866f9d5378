"""The dashboard the worker refreshes is stamped with the app's clock (the demo's fixed time), as
the pages beside it are, not with the real one."""

import datetime as dt
import threading

import pytest

from ruxue.dashboard.models import Refresh
from ruxue.dashboard.tasks import refresh_all
from ruxue.kit.db import Database
from ruxue.kit.queue import run_in_worker
from ruxue.settings import get_settings
from tests.support.roots import from_environment

DEMO_NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)


async def test_the_workers_refresh_reads_the_app_clock(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUXUE_DATABASE_URL", db.url)
    monkeypatch.setenv("RUXUE_NOW", DEMO_NOW.isoformat())
    from_environment()
    try:
        worker = threading.Thread(target=run_in_worker, args=(refresh_all,))  # a fresh thread
        worker.start()
        worker.join(timeout=60)
    finally:
        get_settings.cache_clear()
    async with db.read_session() as session:
        head = await session.get(Refresh, 1)
    assert head is not None and head.at == DEMO_NOW
