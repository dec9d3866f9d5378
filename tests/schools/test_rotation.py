"""``ruxue keys rotate`` moves the bureau's seat history and priority list to the current keys:
after the old keys are gone, the cohort's reads still find every row."""

import asyncio
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select
from typer.testing import CliRunner

from ruxue.cli.main import app
from ruxue.dataset.service import load_dataset, parse_dataset
from ruxue.kit import pii
from ruxue.kit.db import Database
from ruxue.reference.models import PriorityChild, SeatHistory
from ruxue.reference.repository import priorities_of, seat_uses
from ruxue.schools.service import import_schools
from ruxue.settings import get_settings
from tests.support.dataset import EXAMPLE, NEW_CITIZENS, example_v2
from tests.support.keys import change_keys

CERT = "苏(2020)苏州市不动产权第0000001号"


@pytest.fixture
def keys(cli_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    get_settings.cache_clear()


async def test_rotation_moves_seats_and_priorities(db: Database, keys: pytest.MonkeyPatch) -> None:
    async with db.write_session() as session:
        await import_schools(session, parse_dataset(json.dumps(example_v2()).encode()))
    try:
        change_keys(keys, keep_old=True)
        done = await asyncio.to_thread(CliRunner().invoke, app, ["keys", "rotate"])
        assert done.exit_code == 0, done.output
        change_keys(keys, keep_old=False)
        async with db.read_session() as session:
            assert [u.child_id_number for u in await seat_uses(session, CERT, "primary")] == [
                "320508201610150211"
            ]
            assert [p.group for p in await priorities_of(session, NEW_CITIZENS[2])] == ["talent"]
            tokens = (await session.scalars(select(SeatHistory.cert_enc))).all()
            assert tokens and all(pii.key_id_of(t) == "k2" for t in tokens)
    finally:
        async with db.write_session() as session:
            await session.execute(delete(SeatHistory))
            await session.execute(delete(PriorityChild))
            await import_schools(session, load_dataset(EXAMPLE))
