"""The archive library's JSON API: staff consult the packages of their own applicants; every
consultation is logged (who, when, which package, why) and the archivist sees the log."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ruxue.archive import repository, service
from ruxue.staff.auth import require
from ruxue.web.auth import CurrentStaff
from ruxue.web.deps import DatabaseDep, LibraryDep

router = APIRouter(prefix="/api/v1/archive", tags=["archive"])


@router.get("/packages/{archive_no}")
async def consult(
    db: DatabaseDep,
    library: LibraryDep,
    archive_no: str,
    why: str,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, object]:
    """Read-only view: metadata, trace, the list of documents, every check run."""
    view = await service.consult(db, library, staff, archive_no, why)
    p = view.package
    return {"archive_no": p.archive_no, "built_at": p.built_at, "digest": p.digest,
            "documents": [f"content/{name}" for name, _ in view.documents], "trace": view.trace,
            "checks": [{"at": r.at, "stage": r.stage, "passed": r.passed} for r in view.checks]}  # fmt: skip


@router.get("/packages/{archive_no}/files/{name}")
async def download(
    db: DatabaseDep,
    library: LibraryDep,
    archive_no: str,
    name: str,
    why: str,
    request: Request,
    staff: CurrentStaff,
) -> Response:
    content, media = await service.document(db, library, staff, archive_no, name, why)
    return Response(content, media_type=media)


@router.get("/consultations")
async def consultations(
    request: Request,
    db: DatabaseDep,
    staff: CurrentStaff,
) -> list[dict[str, object]]:
    require(staff, "archivist", "admin")
    async with db.read_session() as session:
        rows = await repository.consultations(session)
    return [{"at": r.at, "username": r.username, "archive_no": r.target, "why": r.detail.get("why"),
             "file": r.detail.get("file")} for r in rows]  # fmt: skip
