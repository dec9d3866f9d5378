"""The times of the data tracker (the call log) and of the archive page (filing, checks) are the
app's clock, as the case's trace beside them, not the machine's."""

from pathlib import Path

from sqlalchemy import select

from ruxue.archive.models import ArchivePackage, CheckRun
from ruxue.exchange.models import CallLogEntry
from ruxue.kit.db import Database
from ruxue.settings import Settings


async def test_call_log_and_archive_times_are_the_apps(
    package: Path, db: Database, settings: Settings
) -> None:
    async with db.read_session() as session:
        calls = set((await session.scalars(select(CallLogEntry.at))).all())
        built = set((await session.scalars(select(ArchivePackage.built_at))).all())
        checked = set((await session.scalars(select(CheckRun.at))).all())
    assert calls == built == checked == {settings.now}
