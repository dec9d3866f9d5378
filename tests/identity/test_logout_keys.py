"""A provider's logout ends a session kept under the previous blind-index key while that key is
still configured (between the key change and the end of ``ruxue keys rotate``)."""

import datetime as dt

import pytest
from sqlalchemy import select

from ruxue.kit import pii
from ruxue.kit.db import Database
from ruxue.kit.sessions import WebSession, idp_key, idp_keys, revoke_idp
from ruxue.settings import get_settings
from tests.support.keys import change_keys

ISSUER, SID = "https://idp.example", "sid-42"


async def test_logout_finds_a_session_under_the_old_index_key(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    get_settings.cache_clear()
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    async with db.write_session() as session:
        for n in (1, 2):
            row = WebSession(id=f"t{n}", data_enc=pii.encrypt("{}"), expires_at=expires)
            row.idp_sid = idp_key(ISSUER, f"{SID}-{n}")
            session.add(row)
    change_keys(monkeypatch, keep_old=True)
    try:
        assert idp_keys(ISSUER, "") == []
        async with db.write_session() as session:
            assert await revoke_idp(session, idp_keys(ISSUER, f"{SID}-1"), []) == 1
        change_keys(monkeypatch, keep_old=False)
        async with db.write_session() as session:
            assert await revoke_idp(session, idp_keys(ISSUER, f"{SID}-2"), []) == 0
            assert (await session.scalars(select(WebSession.id))).all() == ["t2"]
    finally:
        get_settings.cache_clear()
