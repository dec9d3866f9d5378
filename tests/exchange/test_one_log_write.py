"""Rounds of calls in one ``one_log_write`` block end in the call log in one transaction, and
are logged even when the block fails."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from ruxue.exchange.client import Ask, ExchangeClient
from ruxue.exchange.models import CallLogEntry
from ruxue.exchange.repository import verify_chains
from ruxue.kit.db import Database
from ruxue.settings import Settings
from tests.support.exchange import CHILD, GUARDIAN, _ctx
from tests.support.helpers import ServerThread

PERSON = Ask("police.person", {"id_number": CHILD}, ("name", "booklet_no"))
HOMES = Ask("property.residences", {"id_number": GUARDIAN})


@pytest.fixture
async def client(
    settings: Settings, db: Database, sandbox: ServerThread
) -> AsyncIterator[ExchangeClient]:
    exchange = ExchangeClient(settings, db)
    yield exchange
    await exchange.aclose()


async def _entries(db: Database) -> int:
    async with db.read_session() as session:
        assert await verify_chains(session) == []
        return int(await session.scalar(select(func.count()).select_from(CallLogEntry)) or 0)


async def test_rounds_in_a_block_are_one_append(client: ExchangeClient, db: Database) -> None:
    ctx = await _ctx(db)
    appends: list[int] = []
    append = client.log.append

    async def counted(chain: int, rows: list[dict[str, object]]) -> None:
        appends.append(len(rows))
        await append(chain, rows)

    client.log.append = counted  # type: ignore[method-assign]
    async with client.one_log_write():
        await client.ask_all(ctx, [PERSON, HOMES])
        assert await _entries(db) == 0  # held until the block ends
        await client.ask(ctx, PERSON)
    assert appends == [3] and await _entries(db) == 3
    await client.ask(ctx, HOMES)  # outside a block: at once, as before
    assert appends == [3, 1] and await _entries(db) == 4


async def test_a_failing_block_still_logs_its_calls(client: ExchangeClient, db: Database) -> None:
    ctx = await _ctx(db)
    with pytest.raises(RuntimeError):
        async with client.one_log_write():
            await client.ask(ctx, PERSON)
            raise RuntimeError("a refusal after the call")
    assert await _entries(db) == 1
