"""The archive library: staff consult the packages of their own applicants; every consultation is
logged (who, when, which package, why) and the archivist sees the log."""

import json
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Select, false, select

from ruxue.archive.models import ArchivePackage, CheckRun
from ruxue.kit.errors import NotFound, RuxueError
from ruxue.staff.auth import Staff, current_staff, require
from ruxue.staff.models import AuditEntry
from ruxue.staff.service import audit

router = APIRouter(prefix="/api/v1/archive", tags=["archive"])


def visible_packages(staff: Staff) -> Select[ArchivePackage]:
    """The one place that narrows the library: a desk its school, a reviewer its district."""
    query = select(ArchivePackage)
    if staff.role in ("archivist", "admin"):
        return query
    if staff.role == "reviewer":
        return query.where(ArchivePackage.district_code == staff.district_code)
    if staff.role == "desk":
        return query.where(ArchivePackage.school_code == staff.school_code)
    return query.where(false())


async def _package(request: Request, staff: Staff, archive_no: str, why: str) -> ArchivePackage:
    if len(why.strip()) < 2:
        raise RuxueError("请填写调阅事由")
    async with request.app.state.db.write_session() as session:
        package = (
            await session.scalars(
                visible_packages(staff).where(ArchivePackage.archive_no == archive_no)
            )
        ).one_or_none()
        if package is None:
            raise NotFound("档案不存在或无权调阅")
        await audit(session, staff, "archive_consult", target=archive_no, why=why)
    return package


@router.get("/packages/{archive_no}")
async def consult(
    archive_no: str, why: str, request: Request, staff: Staff = Depends(current_staff)
) -> dict[str, object]:
    """Read-only view: metadata, trace, the list of documents."""
    package = await _package(request, staff, archive_no, why)
    data = Path(package.location) / "data"
    trace = [
        json.loads(line) for line in (data / "trace" / "events.jsonl").read_text().splitlines()
    ]
    files = sorted(str(p.relative_to(data)) for p in (data / "content").iterdir())
    async with request.app.state.db.read_session() as session:
        runs = (
            await session.scalars(
                select(CheckRun).where(CheckRun.archive_no == archive_no).order_by(CheckRun.at)
            )
        ).all()
    return {"archive_no": archive_no, "built_at": package.built_at, "digest": package.digest, "documents": files,
            "trace": trace, "checks": [{"at": r.at, "stage": r.stage, "passed": r.passed} for r in runs]}  # fmt: skip


@router.get("/packages/{archive_no}/files/{name}")
async def download(
    archive_no: str, name: str, why: str, request: Request, staff: Staff = Depends(current_staff)
) -> Response:
    await _package(request, staff, archive_no, why)
    with request.app.state.library.open(archive_no) as path:
        target = path / "data" / "content" / Path(name).name
        if not target.is_file():
            raise NotFound("文件不存在")
        content = target.read_bytes()
    media = "application/pdf" if target.suffix == ".pdf" else "application/octet-stream"
    return Response(content, media_type=media)


@router.get("/consultations")
async def consultations(
    request: Request, staff: Staff = Depends(current_staff)
) -> list[dict[str, object]]:
    require(staff, "archivist", "admin")
    async with request.app.state.db.read_session() as session:
        rows = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "archive_consult")
                                      .order_by(AuditEntry.at.desc()).limit(500))).all()  # fmt: skip
    return [
        {"at": r.at, "username": r.username, "archive_no": r.target, "why": r.detail.get("why")}
        for r in rows
    ]
