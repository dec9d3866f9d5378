"""The case page as staff see it, shared by the desk's, the review's and the e-licence's pages
(which show it again with an error or a notice)."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from ruxue.cases.repository import staff_case
from ruxue.desk.service import ORIGINALS, SCANS
from ruxue.kit.db import Database
from ruxue.kit.errors import NotFound
from ruxue.policy.explain import MATERIALS
from ruxue.policy.facts import read_facts
from ruxue.reference.models import School
from ruxue.reference.repository import all_schools
from ruxue.review.unmask import MAY_UNMASK, unmasked
from ruxue.review.views import case_context
from ruxue.staff.auth import Staff, require
from ruxue.staff.service import audit
from ruxue.web.render import render


async def staff_case_page(
    request: Request,
    db: Database,
    staff: Staff,
    case_no: str,
    status_code: int = 200,
    unmask: bool = False,
    **extra: Any,
) -> Response:
    """A case as staff see it (audited); ``extra`` adds an error or a notice and the form values;
    ``unmask``: the records in full for checking originals (its own audit entry)."""
    async with db.write_session() as session:
        case = await staff_case(session, staff, case_no)
        if case is None:
            raise NotFound("办件不存在或不在您的权限范围内。")
        await audit(session, staff, "case_view", target=case_no)
        ctx = await case_context(session, case)
        ctx["may_unmask"] = staff.role in MAY_UNMASK
        if unmask:
            require(staff, *MAY_UNMASK)
            await audit(session, staff, "case_unmask", target=case_no)
            ctx["full"] = unmasked(read_facts(case), case.phone_enc)
        schools = await all_schools(session) if staff.role in ("reviewer", "admin") else []
    ctx["schools"] = [s for s in schools if s.segment == case.segment and _ours(staff, s)]
    ctx.update(form={}, staff=staff, case=case, originals=ORIGINALS, scans=SCANS,
               all_materials=MATERIALS)  # fmt: skip
    ctx.update(extra)
    return render(request, "staff_case.html", status_code=status_code, **ctx)


def _ours(staff: Staff, school: School) -> bool:
    return staff.role == "admin" or school.district_code == staff.district_code
