"""Staff accounts: create, log in (password + TOTP, throttled), audit."""

import datetime as dt
from collections.abc import Iterable
from typing import Any, Protocol

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.kit import pii
from ruxue.kit.chain import GENESIS, chain_problems, entry_hash
from ruxue.kit.clock import now_of
from ruxue.kit.db import locked_row
from ruxue.kit.errors import RuxueError, Unauthorized
from ruxue.kit.sessions import revoke_staff
from ruxue.staff.models import AuditEntry, AuditHead, StaffUser
from ruxue.staff.rules import scope_problem, totp_step

HASHER = PasswordHasher()
FAILED = "用户名、密码或动态口令不正确"


class StaffLoginError(Unauthorized):
    code = "staff_login"


async def create_staff(
    session: AsyncSession, *, username: str, name: str, role: str, password: str,
    school_code: str | None = None, district_code: str | None = None,
) -> tuple[StaffUser, str]:  # fmt: skip
    """Returns the account and its TOTP secret (shown once, for the authenticator app)."""
    problem = scope_problem(role, school_code, district_code)
    if problem:
        raise RuxueError(problem)
    if len(password) < 10:
        raise RuxueError("密码至少10位")
    if await session.scalar(select(StaffUser.id).where(StaffUser.username == username)):
        raise RuxueError("用户名已存在")
    secret = pyotp.random_base32()
    user = StaffUser(username=username, name=name, role=role, school_code=school_code,
                     district_code=district_code or (school_code[:6] if school_code else None),
                     password_hash=HASHER.hash(password), totp_enc=pii.encrypt(secret))  # fmt: skip
    session.add(user)
    await session.flush()
    await audit(session, None, "staff_create", target=username, role=role)
    return user, secret


async def names_of(session: AsyncSession, actors: Iterable[str]) -> dict[str, tuple[str, str]]:
    """The name and role of each staff account among ``actors`` ("staff:<username>"), by username,
    for pages that say who did what (``policy.explain.actor_label``)."""
    usernames = {a.removeprefix("staff:") for a in actors if a.startswith("staff:")}
    if not usernames:
        return {}
    query = select(StaffUser.username, StaffUser.name, StaffUser.role)
    rows = await session.execute(query.where(StaffUser.username.in_(usernames)))
    return {username: (name, role) for username, name, role in rows}


async def authenticate(
    session: AsyncSession, username: str, password: str, code: str, now: dt.datetime
) -> StaffUser | StaffLoginError:
    """The account, or the error to show. Returned, not raised: a failure must be audited, so
    the caller commits before it reports it. Unknown user, wrong password, wrong or reused code
    and deactivated account get the same answer; attempts are limited by the caller (rate
    limits per address and per name), so there is no lock anyone could set on an account."""
    user = (
        await session.scalars(select(StaffUser).where(StaffUser.username == username))
    ).one_or_none()
    if user is None or not user.active:
        HASHER.hash(password)  # spend the same time as for a real account
        return StaffLoginError(FAILED)
    try:
        HASHER.verify(user.password_hash, password)
        step = totp_step(pii.decrypt(user.totp_enc), code, now, user.totp_last_step)
    except VerificationError:
        step = None
    if step is None:
        await audit(session, user, "login_failed")
        return StaffLoginError(FAILED)
    user.totp_last_step = step
    await audit(session, user, "login")
    return user


async def set_password(session: AsyncSession, staff_id: int, current: str, new: str) -> int:
    """Change a password after checking the current one; every session of the account ends.
    Returns how many sessions ended."""
    user = await session.get(StaffUser, staff_id)
    if user is None or not _password_ok(user, current):
        raise RuxueError("当前密码不正确", code="wrong_password")
    if len(new) < 10:
        raise RuxueError("密码至少10位")
    user.password_hash = HASHER.hash(new)
    await audit(session, user, "password_change")
    return await revoke_staff(session, user.id)


def _password_ok(user: StaffUser, password: str) -> bool:
    try:
        return HASHER.verify(user.password_hash, password)
    except VerificationError:
        return False


class Actor(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def username(self) -> str: ...


AUDIT_FIELDS = ("seq", "at", "staff_id", "username", "action", "target", "detail", "prev_hash")


async def audit(
    session: AsyncSession, who: Actor | None, action: str, target: str = "", **detail: object
) -> None:
    """Append one entry to the audit chain, in the caller's transaction (the entry stands or
    falls with the action). The head row's lock orders appends across processes."""
    head = await locked_row(session, AuditHead, {"id": 1}, {"seq": 0, "entry_hash": GENESIS})
    entry: dict[str, Any] = {
        "seq": head.seq + 1,
        "at": now_of(session),
        "staff_id": who.id if who else None,
        "username": who.username if who else "system",
        "action": action,
        "target": target,
        "detail": detail,
        "prev_hash": head.entry_hash,
    }
    entry["entry_hash"] = entry_hash(entry, AUDIT_FIELDS)
    session.add(AuditEntry(**entry))
    head.seq, head.entry_hash = entry["seq"], entry["entry_hash"]
    await session.flush()


async def verify_audit(session: AsyncSession) -> list[str]:
    """Every break of the audit chain, named; empty when intact."""
    head = await session.get(AuditHead, 1)
    rows = await session.stream_scalars(select(AuditEntry).order_by(AuditEntry.seq))
    entries = [{k: getattr(e, k) for k in (*AUDIT_FIELDS, "entry_hash")} async for e in rows]
    mapping = {"seq": head.seq, "entry_hash": head.entry_hash} if head else None
    return chain_problems(entries, mapping, AUDIT_FIELDS, "audit log")
