"""The public verification page of a seat notice (valid or not, no personal data), and the
guardian's accessible HTML view of their notice."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ruxue.enrollment import service
from ruxue.enrollment.explain import SEGMENTS
from ruxue.enrollment.pages import render, signed_in
from ruxue.enrollment.policy import CHINA
from ruxue.enrollment.repository import case_by_verify_code
from ruxue.identity.service import Guardian
from ruxue.notice.issuers import issuer_of
from ruxue.notice.render import NOTE, opening_lines, rows, title
from ruxue.notice.service import notice_data
from ruxue.schools.repository import get_school

router = APIRouter(include_in_schema=False)


@router.get("/verify/{code}", response_class=HTMLResponse)
async def verify(request: Request, code: str) -> Response:
    async with request.app.state.db.read_session() as session:
        case = await case_by_verify_code(session, code)
        valid = case is not None and case.outcome == "notice_issued"
        school = (
            await get_school(session, case.school_code)
            if valid and case and case.school_code
            else None
        )
    notice = None
    if valid and case is not None:
        issued = case.notice_issued_at.astimezone(CHINA) if case.notice_issued_at else None
        notice = {"no": case.notice_no, "school": school.name if school else "", "segment": SEGMENTS[case.segment],
                  "issuer": issuer_of(case.district_code), "issued": f"{issued:%Y年%m月%d日}" if issued else ""}  # fmt: skip
    return render(
        request, "verify.html", status_code=200 if valid else 404, valid=valid, notice=notice
    )


@router.get("/cases/{case_no}/notice.html", response_class=HTMLResponse)
async def notice_page(
    request: Request, case_no: str, guardian: Guardian = Depends(signed_in)
) -> Response:
    """The notice as an accessible page: the PDF's text, for a screen reader or large type."""
    async with request.app.state.db.read_session() as session:
        case, _ = await service.load(session, guardian, case_no)
        data = await notice_data(session, case, request.app.state.settings.public_url)
    opening = "".join(opening_lines(data))
    return render(
        request,
        "notice.html",
        case=case,
        data=data,
        title=title(data),
        opening=opening,
        rows=rows(data),
        note=NOTE,
    )
