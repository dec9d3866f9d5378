"""The data tracker as a page for the guardian: who asked which department about them, when, why."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ruxue.enrollment.pages import render, signed_in
from ruxue.exchange.endpoints import tracked_calls
from ruxue.identity.service import Guardian

router = APIRouter(include_in_schema=False)
OUTCOMES = {"ok": "已返回", "no_record": "无记录"}


@router.get("/me/data-tracker", response_class=HTMLResponse)
async def data_tracker_page(request: Request, guardian: Guardian = Depends(signed_in)) -> Response:
    async with request.app.state.db.read_session() as session:
        calls = await tracked_calls(session, guardian)
    return render(request, "data_tracker.html", calls=calls, OUTCOMES=OUTCOMES)
