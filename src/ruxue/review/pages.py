"""The reviewer's actions on the staff case page: approve and reject after a confirmation step (no
script needed), request materials; and the download of a case's uploaded materials (audited)."""

import asyncio
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ruxue.cases.repository import staff_case
from ruxue.desk.views import staff_case_page
from ruxue.kit import pii
from ruxue.kit.db import Database
from ruxue.kit.errors import NotFound, RuxueError
from ruxue.materials.repository import staff_material
from ruxue.materials.service import read_upload, upload_extension
from ruxue.materials.supplement import AlreadyHandled
from ruxue.person.rules import mask_id_number
from ruxue.policy.explain import CATEGORIES, MATERIALS, STATUSES
from ruxue.reference.repository import get_school
from ruxue.review import service
from ruxue.review.search import Terms, search
from ruxue.staff.auth import Staff
from ruxue.staff.service import audit
from ruxue.web.auth import PageStaff
from ruxue.web.deps import DatabaseDep, NowDep
from ruxue.web.render import render

router = APIRouter(include_in_schema=False)
CONFIRM = {"approve": "确认安排学位", "reject": "确认不予通过"}


@router.post("/staff/review/{case_no}", response_class=HTMLResponse)
async def review_action(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    case_no: str,
    staff: PageStaff,
    action: str = Form(...),
    school_code: str = Form(""),
    category: str = Form(""),
    message: str = Form(""),
    internal_note: str = Form(""),
    confirmed: str = Form(""),
) -> Response:
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    form = {k: str(v) for k, v in (await request.form()).items() if isinstance(v, str)}
    if action == "reject" and not message.strip():
        error = "请填写告知监护人的不予通过理由。"
        return await staff_case_page(
            request, db, staff, case_no, 400, error=error, field="message", form=form
        )
    if action in CONFIRM and not confirmed:
        return await _confirm(request, db, staff, case_no, form)
    note = service.Note.of(message, internal_note)
    wanted = [m for m in MATERIALS if form.get(f"need_{m}")]
    try:
        async with db.write_session() as session:
            if action == "approve":
                await service.approve(
                    session, staff, now, case_no, school_code, category or None, note
                )
            elif action == "reject":
                await service.reject(session, staff, now, case_no, note)
            else:
                await service.request_materials(session, staff, now, case_no, wanted, note)
    except AlreadyHandled as exc:
        return await staff_case_page(request, db, staff, case_no, notice=exc.message)
    except RuxueError as exc:
        field = str(exc.details.get("field", ""))
        return await staff_case_page(
            request, db, staff, case_no, 400, error=exc.message, field=field, form=form
        )
    return RedirectResponse(f"/staff/cases/{case_no}", status_code=303)


async def _confirm(
    request: Request, db: Database, staff: Staff, case_no: str, form: dict[str, str]
) -> Response:
    """The confirmation step: what will happen, what the guardian will read, and the internal note."""
    async with db.read_session() as session:
        case = await staff_case(session, staff, case_no)
        school = await get_school(session, form.get("school_code", "")) if case else None
    if case is None:
        raise NotFound("办件不存在或不在您的辖区")
    category = CATEGORIES.get(form.get("category", ""), "统筹安排")
    title = CONFIRM[form["action"]]
    ctx: dict[str, Any] = {"staff": staff, "case": case, "form": form, "school": school}
    return render(request, "staff_confirm.html", title=title, category=category, **ctx)


@router.get("/staff/cases/{case_no}/materials/{material_id}")
async def material_file(
    request: Request,
    db: DatabaseDep,
    case_no: str,
    material_id: int,
    staff: PageStaff,
) -> Response:
    """An uploaded material, for staff who may see the case; every download is audited."""
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    async with db.write_session() as session:
        material = await staff_material(session, staff, case_no, material_id)
        if material is None:
            raise NotFound("材料不存在或无权查看")
        detail = {"kind": material.kind, "file": material.filename, "sha256": material.sha256}
        await audit(session, staff, "material_download", target=case_no, **detail)
    data = await asyncio.to_thread(read_upload, material)  # decrypted only for this reader
    name = f"{material.kind.lower()}-{material.id}{upload_extension(material)}"
    headers = {"content-disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=material.content_type, headers=headers)


@router.get("/staff/search", response_class=HTMLResponse)
async def search_page(request: Request, staff: PageStaff) -> Response:
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    return render(request, "staff_search.html", staff=staff, terms=Terms(), found=None)


@router.post("/staff/search", response_class=HTMLResponse)
async def search_cases(
    request: Request,
    db: DatabaseDep,
    staff: PageStaff,
    case_no: str = Form(""),
    id_part: str = Form(""),
    name: str = Form(""),
) -> Response:
    """Found cases lead to their page, where a notice is revoked (audited: who searched, how)."""
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    terms = Terms(case_no, id_part, name)
    try:
        async with db.write_session() as session:
            cases = await search(session, staff, terms)
            await audit(session, staff, "case_search", by=terms.cleaned().used(), found=len(cases))
            found = [found_row(c) for c in cases]
    except RuxueError as exc:
        page = render(request, "staff_search.html", status_code=exc.status_code, staff=staff,
                      terms=terms, found=None, error=exc.message)  # fmt: skip
        return page
    return render(request, "staff_search.html", staff=staff, terms=terms, found=found)


def found_row(case: Any) -> dict[str, str]:
    return {
        "case_no": case.case_no,
        "child": case.child_name_masked,
        "id": mask_id_number(pii.decrypt(case.child_enc)),
        "status": STATUSES.get(case.status, "办理中"),
        "notice": case.notice_no or "",
    }
