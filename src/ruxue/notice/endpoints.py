"""The public verification page of a notice (a seat notice or a 不予通过告知书): valid or not, and
no personal data; and the guardian's own notice, as a PDF (API) and as an accessible HTML page."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.repository import case_by_verify_code
from ruxue.cases.status import Status
from ruxue.elicence.repository import by_verify_code as licence_by_code
from ruxue.elicence.rules import view
from ruxue.enrollment import service
from ruxue.kit.errors import NotFound
from ruxue.notice.rejection import TITLE, intro, review_rights
from ruxue.notice.render import NOTE, opening_lines, rows, title
from ruxue.notice.service import (
    RETRY_AFTER_S,
    Made,
    age_s,
    final_document,
    made_document,
    notice_data,
    overdue,
    rejection_data,
    retry_after_s,
)
from ruxue.policy.explain import SEGMENTS
from ruxue.policy.loader import CHINA
from ruxue.reference.districts import issuer_of
from ruxue.reference.repository import get_school
from ruxue.web.auth import CurrentGuardian, PageGuardian
from ruxue.web.deps import DatabaseDep, SettingsDep
from ruxue.web.render import render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/cases", tags=["enrollment"])


@router.get("/verify/{code}", response_class=HTMLResponse)
async def verify(
    request: Request,
    db: DatabaseDep,
    code: str,
) -> Response:
    async with db.read_session() as session:
        case = await case_by_verify_code(session, code)
        valid = case is not None and (
            case.outcome == Status.NOTICE_ISSUED or bool(case.rejection_no)
        )
        licence = view(await licence_by_code(session, code))
        school = (
            await get_school(session, case.school_code)
            if valid and case and case.school_code
            else None
        )
    notice = _shown(case, school.name if school else "") if valid and case is not None else None
    if licence is not None and not licence["valid"]:
        valid, notice = False, None  # a revoked notice is not valid, whatever the case says now
    return render(
        request,
        "verify.html",
        status_code=200 if valid else 404,
        valid=valid,
        notice=notice,
        licence=licence,
    )


def _shown(case: Case, school: str) -> dict[str, str]:
    """What the page shows of a notice: its kind, number, school (a seat notice), segment, issuer
    and date; never the child."""
    rejected = case.outcome == Status.REJECTED
    at = case.rejected_at if rejected else case.notice_issued_at
    issued = f"{at.astimezone(CHINA):%Y年%m月%d日}" if at else ""
    return {
        "kind": "不予通过告知书" if rejected else "公办地段学位告知书",
        "no": (case.rejection_no if rejected else case.notice_no) or "",
        "school": "" if rejected else school,
        "segment": SEGMENTS[case.segment],
        "issuer": issuer_of(case.district_code),
        "issued": issued,
    }


@router.get("/cases/{case_no}/notice.html", response_class=HTMLResponse)
async def notice_page(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    case_no: str,
    guardian: PageGuardian,
) -> Response:
    """The decision's notice as an accessible page: the PDF's text, for a screen reader or large
    type (the seat notice, or the 不予通过告知书 of a rejected case)."""
    public_url = settings.public_url
    async with db.read_session() as session:
        case, _ = await service.load_readable(session, guardian, case_no)
        document = await _document(session, case, public_url)
        try:
            made: Made | None = await made_document(session, case)
        except NotFound:  # no licence (a case seeded in bulk): the link answers for itself
            made = None
    # the PDF's link, or (before its job made it) a line that says so and looks again by itself
    after = settings.notice_render_after_s
    ready = made is None or made.pdf is not None or overdue(made.since, after)
    return render(
        request,
        "notice.html",
        case=case,
        doc=document,
        title=document["title"],
        ready=ready,
        retry_after=RETRY_AFTER_S if made is None else retry_after_s(age_s(made.since)),
    )


async def _document(session: AsyncSession, case: Case, public_url: str) -> dict[str, object]:
    """The notice's text in the order the PDF shows it."""
    if case.outcome == Status.REJECTED:
        rejected = rejection_data(case, public_url)
        return {
            "title": f"{TITLE} {rejected.rejection_no}",
            "heading": TITLE,
            "no": rejected.rejection_no,
            "child_name": rejected.child_name,
            "opening": intro(rejected),
            "reasons": rejected.reasons,
            "rows": [],
            "closing": review_rights(rejected.issuer, rejected.appeal),
            "issuer": rejected.issuer,
            "issued_on": rejected.issued_on,
            "verify_url": rejected.verify_url,
            "pdf": f"/api/v1/cases/{case.case_no}/rejection.pdf",
        }
    data = await notice_data(session, case, public_url)
    return {
        "title": title(data),
        "heading": "公办地段学位告知书",
        "no": data.notice_no,
        "child_name": data.child_name,
        "opening": "".join(opening_lines(data)),
        "reasons": [],
        "rows": rows(data),
        "closing": [NOTE.replace("扫描左下角二维码可核验真伪。", "")],
        "issuer": data.issuer,
        "issued_on": data.issued_on,
        "verify_url": data.verify_url,
        "pdf": f"/api/v1/cases/{case.case_no}/notice.pdf",
    }


# what a download answers before the document's job made it (``_preparing``), in the OpenAPI
NOT_YET: dict[int | str, dict[str, Any]] = {
    202: {
        "description": "正在生成：按 Retry-After（秒）后再取",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {
            "application/json": {
                "example": {"status": "preparing", "message": "学位告知书正在生成，请稍候"}
            }
        },
    }
}


@api.get("/{case_no}/notice.pdf", responses=NOT_YET)
async def notice(
    settings: SettingsDep,
    db: DatabaseDep,
    case_no: str,
    request: Request,
    guardian: CurrentGuardian,
) -> Response:
    """The seat notice as it was sealed; 202 while its filing job has still to seal it."""
    return await _download(request, db, settings, guardian, case_no, Status.NOTICE_ISSUED)


@api.get("/{case_no}/rejection.pdf", responses=NOT_YET)
async def rejection(
    settings: SettingsDep,
    db: DatabaseDep,
    case_no: str,
    request: Request,
    guardian: CurrentGuardian,
) -> Response:
    """The 不予通过告知书 of a rejected case, as it was rendered once; 202 until then."""
    return await _download(request, db, settings, guardian, case_no, Status.REJECTED)


async def _download(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    guardian: CurrentGuardian,
    case_no: str,
    outcome: Status,
) -> Response:
    """The document its job made (``notice.service``), read in one read transaction. Before the job
    did: 202 with ``Retry-After`` (a browser's page view goes to the notice's page, which says so
    and looks again by itself); once the job is late by ``notice_render_after_s``, made here."""
    async with db.read_session() as session:
        case = await service.readable_case(session, guardian, case_no)
        if case.outcome != outcome:  # the other document's address
            raise NotFound(MISSING[outcome])
        made = await made_document(session, case)
    pdf = made.pdf
    if pdf is None and not overdue(made.since, settings.notice_render_after_s):
        return _preparing(request, case_no, outcome, retry_after_s(age_s(made.since)))
    if pdf is None:  # the job is late (the worker is down): made here, once
        async with db.write_session() as session:
            mine = await session.get(Case, case.id)
            assert mine is not None
            await final_document(session, mine, settings.seal_key_file, settings.public_url)
            pdf = (await made_document(session, mine)).pdf or b""
    number = case.notice_no if outcome == Status.NOTICE_ISSUED else case.rejection_no
    name = "notice" if outcome == Status.NOTICE_ISSUED else "rejection"
    disposition = f'inline; filename="{name}-{number}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"content-disposition": disposition})


MISSING = {
    Status.NOTICE_ISSUED: "该办件尚未发放学位告知书",
    Status.REJECTED: "该办件没有不予通过告知书",
}
PREPARING = {
    Status.NOTICE_ISSUED: "学位告知书正在生成，请稍候",
    Status.REJECTED: "不予通过告知书正在生成，请稍候",
}


def _preparing(request: Request, case_no: str, outcome: Status, retry_after: int) -> Response:
    """The answer "being prepared": for a browser opening the link, the notice's page (it says so
    and looks again by itself); for an API client, 202 and when to ask again (``retry_after_s``:
    later the longer the document has waited)."""
    retry = {"retry-after": str(retry_after), "cache-control": "no-store"}
    if "text/html" in request.headers.get("accept", ""):
        return RedirectResponse(f"/cases/{case_no}/notice.html", status_code=303, headers=retry)
    body = {"status": "preparing", "message": PREPARING[outcome]}
    return JSONResponse(body, status_code=202, headers=retry)
