"""The archive library's pages: the catalogue a staff member may consult, the consultation form
(a reason is required), the read-only package view with downloads, and for the archivist the
consultation log."""

import datetime as dt
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ruxue.archive import repository, service
from ruxue.archive.failures import MAX_ATTEMPTS
from ruxue.kit.errors import RuxueError
from ruxue.policy.explain import GUARDIANSHIP_BASES
from ruxue.web.auth import PageStaff
from ruxue.web.deps import DatabaseDep, LibraryDep
from ruxue.web.render import render

router = APIRouter(include_in_schema=False)
STAGES = {"GD": "归档检测", "LTP": "定期检测", "TR": "移交检测"}


@router.get("/staff/archive", response_class=HTMLResponse)
async def catalogue(
    request: Request,
    db: DatabaseDep,
    staff: PageStaff,
    q: str = "",
) -> Response:
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    async with db.read_session() as session:
        rows = await repository.catalogue(session, staff, q)
        checks = await repository.latest_checks(session, [p.archive_no for p, _ in rows])
        keeper = staff.role in ("archivist", "admin")
        log = await repository.consultations(session, 100) if keeper else None
        failures = await repository.failed_checks(session) if keeper else None
        unfiled = await repository.filing_failures(session) if keeper else None
    return render(request, "archive_list.html", staff=staff, rows=rows, q=q, log=log, failures=failures,
                  STAGES=STAGES, checks=checks, unfiled=unfiled, MAX_ATTEMPTS=MAX_ATTEMPTS)  # fmt: skip


@router.get("/staff/archive/{archive_no}", response_class=HTMLResponse)
async def package_address(archive_no: str) -> Response:
    """A package is consulted with a reason, sent in a form's body (never in the address, where
    it would stay in the history and the logs): the address leads to the catalogue's form."""
    return RedirectResponse(f"/staff/archive?{urlencode({'q': archive_no})}", status_code=303)


@router.post("/staff/archive/{archive_no}", response_class=HTMLResponse)
async def package_page(
    request: Request,
    db: DatabaseDep,
    library: LibraryDep,
    archive_no: str,
    staff: PageStaff,
    why: str = Form(""),
) -> Response:
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    try:
        view = await service.consult(db, library, staff, archive_no, why)
    except RuxueError as exc:
        async with db.read_session() as session:
            rows = await repository.catalogue(session, staff, archive_no)
        return render(request, "archive_list.html", status_code=exc.status_code, staff=staff, rows=rows,
                      q=archive_no, log=None, failures=None, unfiled=None, checks={}, error=exc.message)  # fmt: skip
    for event in view.trace:
        event["at"] = dt.datetime.fromisoformat(str(event["at"]))
    return render(
        request,
        "archive_package.html",
        staff=staff,
        view=view,
        why=why.strip(),
        STAGES=STAGES,
        BASES=GUARDIANSHIP_BASES,
    )


@router.post("/staff/archive/{archive_no}/files/{name:path}")
async def download(
    request: Request,
    db: DatabaseDep,
    library: LibraryDep,
    archive_no: str,
    name: str,
    staff: PageStaff,
    why: str = Form(""),
) -> Response:
    """A file of the package, the reason in the form's body; audited as the API's download."""
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    content, media = await service.document(db, library, staff, archive_no, name, why)
    disposition = f"attachment; filename*=UTF-8''{quote(name.rsplit('/', 1)[-1])}"
    return Response(content, media_type=media, headers={"content-disposition": disposition})
