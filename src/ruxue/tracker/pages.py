"""The data tracker as a page for the guardian: who asked which department about them, when, why."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ruxue.tracker.endpoints import tracked_calls
from ruxue.tracker.views import tracker_of
from ruxue.web.auth import PageGuardian
from ruxue.web.deps import DatabaseDep
from ruxue.web.render import render

router = APIRouter(include_in_schema=False)
OUTCOMES = {"ok": "已返回", "no_record": "无记录"}


@router.get("/me/data-tracker", response_class=HTMLResponse)
async def data_tracker_page(
    request: Request,
    db: DatabaseDep,
    guardian: PageGuardian,
) -> Response:
    async with db.read_session() as session:
        tracker = await tracker_of(session, guardian, await tracked_calls(session, guardian))
    return render(request, "data_tracker.html", tracker=tracker, OUTCOMES=OUTCOMES)
