"""City administrators: staff accounts and the schools' data. Every change is audited."""

import datetime as dt

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.kit.errors import NotFound, RuxueError
from ruxue.kit.sessions import revoke_staff, sessions_of
from ruxue.reference.models import School
from ruxue.staff.auth import require
from ruxue.staff.models import StaffUser
from ruxue.staff.service import audit, create_staff
from ruxue.web.auth import CurrentStaff
from ruxue.web.deps import DatabaseDep

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class NewStaff(BaseModel):
    username: str = Field(min_length=3, max_length=60)
    name: str
    role: str
    password: str
    school_code: str | None = None
    district_code: str | None = None


class SchoolChange(BaseModel):
    name: str | None = None
    capacity: int | None = Field(default=None, ge=0, le=100000)
    compound_codes: list[str] | None = None


@router.post("/staff", status_code=201)
async def add_staff(
    db: DatabaseDep,
    body: NewStaff,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, str]:
    require(staff, "admin")
    async with db.write_session() as session:
        user, secret = await create_staff(session, username=body.username, name=body.name, role=body.role,
                                          password=body.password, school_code=body.school_code,
                                          district_code=body.district_code)  # fmt: skip
        await audit(session, staff, "staff_create", target=user.username, role=user.role)
    return {"username": user.username, "totp_secret": secret}


@router.post("/staff/{username}/deactivate")
async def deactivate(
    db: DatabaseDep,
    username: str,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, str]:
    require(staff, "admin")
    if username == staff.username:
        raise RuxueError("不能停用自己的账号")
    async with db.write_session() as session:
        user = (
            await session.scalars(select(StaffUser).where(StaffUser.username == username))
        ).one_or_none()
        if user is None:
            raise NotFound("账号不存在")
        user.active = False
        ended = await revoke_staff(session, user.id)
        await audit(session, staff, "staff_deactivate", target=username, sessions_ended=ended)
    return {"username": username, "status": "inactive"}


class SessionView(BaseModel):
    created_at: dt.datetime
    expires_at: dt.datetime


@router.get("/staff/{username}/sessions")
async def staff_sessions(
    db: DatabaseDep,
    username: str,
    request: Request,
    staff: CurrentStaff,
) -> list[SessionView]:
    """The live sessions of a staff member (when each began and ends; never the token)."""
    require(staff, "admin")
    async with db.write_session() as session:
        user = await _user(session, username)
        rows = await sessions_of(session, user.id)
        await audit(session, staff, "staff_sessions_view", target=username)
    return [SessionView(created_at=r.created_at, expires_at=r.expires_at) for r in rows]


@router.post("/staff/{username}/sessions/revoke")
async def revoke_sessions(
    db: DatabaseDep,
    username: str,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, int]:
    require(staff, "admin")
    async with db.write_session() as session:
        user = await _user(session, username)
        ended = await revoke_staff(session, user.id)
        await audit(session, staff, "staff_sessions_revoke", target=username, ended=ended)
    return {"ended": ended}


async def _user(session: AsyncSession, username: str) -> StaffUser:
    user = await session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None:
        raise NotFound("账号不存在")
    return user


@router.patch("/schools/{code}")
async def edit_school(
    db: DatabaseDep,
    code: str,
    body: SchoolChange,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, object]:
    require(staff, "admin")
    async with db.write_session() as session:
        school = await session.get(School, code)
        if school is None:
            raise NotFound("学校不存在")
        changes = body.model_dump(exclude_none=True)
        before = {k: getattr(school, k) for k in changes}
        for key, value in changes.items():
            setattr(school, key, value)
        await audit(session, staff, "school_edit", target=code, before=before, after=changes)
        return {
            "code": school.code,
            "name": school.name,
            "capacity": school.capacity,
            "compound_codes": school.compound_codes,
        }
