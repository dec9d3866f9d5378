"""Accounts keyed by (issuer, subject) under concurrent first logins."""

import asyncio

from sqlalchemy import func, select

from ruxue.identity.client import Login
from ruxue.identity.models import Account
from ruxue.identity.service import bind_account
from ruxue.kit.db import Database

GUARDIAN = "320506198506160017"


async def test_first_logins_at_once_make_one_account(db: Database) -> None:
    """A parent of twins logging in twice at the same moment: both logins get the same account
    (a select-then-insert lost the race with a unique violation, a 500, on PostgreSQL)."""
    login = Login(issuer="https://idp.example", claims={"sub": "s-1"}, id_token="")

    async def first_login() -> int:
        async with db.write_session() as session:
            return (await bind_account(session, login, GUARDIAN)).id

    ids = await asyncio.gather(*(first_login() for _ in range(8)))
    assert len(set(ids)) == 1
    async with db.read_session() as session:
        assert await session.scalar(select(func.count()).select_from(Account)) == 1
