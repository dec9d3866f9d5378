"""The public verification page of a seat notice: valid or not, and no personal data."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ruxue.enrollment.explain import SEGMENTS
from ruxue.enrollment.pages import render
from ruxue.enrollment.policy import CHINA
from ruxue.enrollment.repository import case_by_verify_code
from ruxue.notice.issuers import issuer_of
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
