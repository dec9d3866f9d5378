"""The administrator's page of the cohort policy (``/staff/policy``): the version in force per
district and year and every earlier one. Read-only: a version is imported with ``ruxue policy
import`` (``docs/policy.md``)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ruxue.kit.errors import Forbidden
from ruxue.policy import repository
from ruxue.policy.cohort_labels import LABELS, PLACEMENTS, meaning, set_keys
from ruxue.policy.service import stored_policy
from ruxue.reference.districts import district_label
from ruxue.staff.service import audit
from ruxue.web.auth import PageStaff
from ruxue.web.deps import SessionDep
from ruxue.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/staff/policy", response_class=HTMLResponse)
async def policy_page(request: Request, session: SessionDep, staff: PageStaff) -> Response:
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    if staff.role != "admin":
        raise Forbidden("只有市级管理员可以查看招生政策版本。")
    versions = await repository.history(session)
    await audit(session, staff, "policy_view", versions=len(versions))
    rows = [(row, stored_policy(row)) for row in versions]
    current = {id(row) for row in repository.in_force(versions)}
    return render(
        request,
        "staff_policy.html",
        staff=staff,
        in_force=[(row, policy) for row, policy in rows if id(row) in current],
        history=rows,
        district=district_label,
        LABELS=LABELS,
        PLACEMENTS=PLACEMENTS,
        meaning=meaning,
        set_keys=set_keys,
    )
