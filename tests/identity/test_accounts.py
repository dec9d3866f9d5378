"""Accounts keyed by (issuer, subject) under concurrent first logins."""

import asyncio

import pytest
from sqlalchemy import func, select

from ruxue.identity.client import Login, LoginFailed
from ruxue.identity.models import Account
from ruxue.identity.service import bind_account
from ruxue.kit import pii
from ruxue.kit.db import Database

GUARDIAN = "320506198506160017"
OTHER = "320508198801010110"


async def test_first_logins_at_once_make_one_account(db: Database) -> None:
    """A parent of twins logging in twice at the same moment: both logins get the same account
    (a select-then-insert lost the race with a unique violation, a 500, on PostgreSQL)."""
    login = Login(issuer="https://idp.example", claims={"sub": "s-1"}, id_token="")

    async def first_login() -> int:
        async with db.write_session() as session:
            return await bind_account(session, login, GUARDIAN)

    ids = await asyncio.gather(*(first_login() for _ in range(8)))
    assert len(set(ids)) == 1
    async with db.read_session() as session:
        assert await session.scalar(select(func.count()).select_from(Account)) == 1


async def test_a_subject_that_now_names_another_person_is_refused(db: Database) -> None:
    """The provider's subject stays one person: a login whose verified ID number differs from
    the first one's is refused, and the account keeps the first."""
    login = Login(issuer="https://idp.example", claims={"sub": "s-2"}, id_token="")
    async with db.write_session() as session:
        first = await bind_account(session, login, GUARDIAN)
    with pytest.raises(LoginFailed):
        async with db.write_session() as session:
            await bind_account(session, login, OTHER)
    async with db.write_session() as session:
        assert await bind_account(session, login, GUARDIAN) == first
        account = await session.get(Account, first)
        assert account is not None and account.id_index == pii.blind_index(GUARDIAN)
        assert account.last_login_at >= account.first_login_at
