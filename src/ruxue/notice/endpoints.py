"""The public verification page of a notice (a seat notice or a 不予通过告知书): valid or not, and
no personal data."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ruxue.elicence.repository import by_verify_code as licence_by_code
from ruxue.elicence.rules import view
from ruxue.enrollment.explain import SEGMENTS
from ruxue.enrollment.models import Case
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
        valid = case is not None and (case.outcome == "notice_issued" or bool(case.rejection_no))
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
    rejected = case.outcome == "rejected"
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
