"""Staff accounts: create, log in (password + TOTP, throttled), audit."""

import datetime as dt
from typing import Protocol

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.kit import pii
from ruxue.kit.db import now_of
from ruxue.kit.errors import RuxueError, Unauthorized
from ruxue.staff.models import AuditEntry, StaffUser
from ruxue.staff.rules import lockout_after_failure, scope_problem

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


async def authenticate(
    session: AsyncSession, username: str, password: str, code: str, now: dt.datetime
) -> StaffUser | StaffLoginError:
    """The account, or the error to show. Returned, not raised: a failure must be counted and
    audited, so the caller commits before it reports it."""
    user = (
        await session.scalars(select(StaffUser).where(StaffUser.username == username))
    ).one_or_none()
    if user is None or not user.active:
        HASHER.hash(password)  # spend the same time as for a real account
        return StaffLoginError(FAILED)
    if user.locked_until and user.locked_until > now:
        await audit(session, user, "login_locked")
        until = user.locked_until.astimezone(dt.timezone(dt.timedelta(hours=8)))
        return StaffLoginError(f"登录失败次数过多，账号已暂时锁定，请于{until:%H:%M}后再试")
    try:
        HASHER.verify(user.password_hash, password)
        ok = pyotp.TOTP(pii.decrypt(user.totp_enc)).verify(code, for_time=now, valid_window=1)
    except VerificationError:
        ok = False
    if not ok:
        user.failed_logins += 1
        user.locked_until = lockout_after_failure(user.failed_logins, now)
        await audit(session, user, "login_failed")
        return StaffLoginError(FAILED)
    user.failed_logins, user.locked_until = 0, None
    await audit(session, user, "login")
    return user


class Actor(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def username(self) -> str: ...


async def audit(
    session: AsyncSession, who: Actor | None, action: str, target: str = "", **detail: object
) -> None:
    session.add(AuditEntry(at=now_of(session), staff_id=who.id if who else None, username=who.username if who else "system",
                           action=action, target=target, detail=detail))  # fmt: skip
    await session.flush()
