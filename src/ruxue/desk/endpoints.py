"""School desk API: find a child, register offline, print the notice, the school's list."""

import io
from typing import Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from openpyxl import Workbook
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.repository import add_event, staff_case
from ruxue.cases.status import Status
from ruxue.desk import service
from ruxue.desk.schemas import case_summary
from ruxue.kit.cells import safe_cell
from ruxue.kit.clock import utcnow
from ruxue.kit.errors import NotFound, RuxueError
from ruxue.materials.rules import UploadLimits
from ruxue.materials.service import store_upload
from ruxue.notice.service import keep_rejection, sealed_notice
from ruxue.policy.explain import labels
from ruxue.reference.repository import get_school
from ruxue.review.service import school_list
from ruxue.review.unmask import applicant
from ruxue.staff.auth import Staff, require
from ruxue.staff.service import audit
from ruxue.web.auth import CurrentStaff
from ruxue.web.deps import DatabaseDep, ExchangeDep, NowDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


class OfflineRegistration(BaseModel):
    segment: str = Field(pattern="^(primary|junior)$")
    guardian_id_number: str
    child_id_number: str
    spouse_id_number: str | None = None
    consent_signed: bool
    originals_seen: list[str] = []
    property_cert: str | None = None
    phone: str = Field(default="", pattern=r"^(1\d{10})?$")
    keyed_in: dict[str, str] = Field(
        default={}, description="numbers keyed in from the originals seen"
    )

    def application(self) -> service.OfflineApplication:
        return service.OfflineApplication(
            segment=self.segment,
            guardian_id=self.guardian_id_number,
            child_id=self.child_id_number,
            spouse_id=self.spouse_id_number,
            consent_signed=self.consent_signed,
            originals_seen=self.originals_seen,
            property_cert=self.property_cert,
            phone=self.phone,
            keyed_in=self.keyed_in,
        )


HEADER = [
    "办件编号",
    "学生",
    "监护人",
    "监护人手机",
    "学段",
    "渠道",
    "状态",
    "入学顺位",
    "告知书编号",
]


def _row(case: Case) -> list[object]:
    """A line of the school list: the names and the contact in full (the school's staff call the
    families), the Chinese words, not the codes."""
    words, who = labels(case), applicant(case)
    return [
        case.case_no,
        who.child,
        who.guardian,
        who.phone,
        words["segment_label"],
        words["channel_label"],
        who.status,
        words["category_label"] or "",
        case.notice_no or "",
    ]


class ChildLookup(BaseModel):
    child_id_number: str
    segment: Literal["primary", "junior"] = "primary"


@router.post("/children/lookup")
async def find_child(
    db: DatabaseDep,
    now: NowDep,
    body: ChildLookup,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, object]:
    """Whether a child has a case; the ID number in the body, never in a URL; 20 per 10 minutes."""
    year = now.year
    await service.throttle_lookup(db, staff, utcnow())
    found = await service.find_child(db, staff, year, body.segment, body.child_id_number)
    return {"case": found}


@router.post("/offline-cases", status_code=201)
async def register(
    db: DatabaseDep,
    exchange: ExchangeDep,
    settings: SettingsDep,
    body: OfflineRegistration,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, object]:
    case = await service.register_offline(db, exchange, settings, staff, body.application())
    return case_summary(case)


@router.get("/cases/{case_no}")
async def get_case(case_no: str, staff: CurrentStaff, session: SessionDep) -> dict[str, object]:
    case = await staff_case(session, staff, case_no)
    if case is None:
        raise NotFound("办件不存在或无权查看")
    await audit(session, staff, "case_view", target=case_no)
    return case_summary(case)


@router.post("/cases/{case_no}/materials", status_code=201)
async def scan_upload(
    db: DatabaseDep,
    settings: SettingsDep,
    case_no: str,
    request: Request,
    staff: CurrentStaff,
    kind: str = Form(...),
    file: UploadFile = File(...),
) -> dict[str, object]:
    """A scan of an original the desk has seen, filed with the case."""
    require(staff, "desk")
    if kind not in service.SCANS:
        raise RuxueError("材料类型不正确")
    data = await file.read(settings.upload_max_bytes + 1)
    async with db.write_session() as session:
        case = await staff_case(session, staff, case_no)
        if case is None:
            raise NotFound("办件不存在或无权查看")
        material = await store_upload(session, settings.upload_dir, UploadLimits.of(settings), case, kind,
                                      file.filename or "", data)  # fmt: skip
        material.source = "desk"
        await add_event(session, case, staff.actor, "desk_scan", kind=kind, sha256=material.sha256)
        await audit(session, staff, "desk_scan", target=case_no, kind=kind)
    return {
        "kind": kind,
        "sha256": material.sha256,
        "size": material.size,
        "content_type": material.content_type,
    }


class OriginalsSeen(BaseModel):
    materials: list[str] = Field(description="missing materials whose originals staff have seen")
    keyed_in: dict[str, str] = Field(default={}, description="numbers keyed in from them")


@router.post("/cases/{case_no}/originals")
async def originals_seen(
    db: DatabaseDep,
    now: NowDep,
    case_no: str,
    body: OriginalsSeen,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, object]:
    """Originals of missing materials seen at the desk; the case is decided again when complete."""
    async with db.write_session() as session:
        case = await service.see_originals(
            session, staff, now, case_no, body.materials, body.keyed_in
        )
        result = case_summary(case)
    return result


async def _printed(session: AsyncSession, staff: Staff, case_no: str, action: str) -> Case:
    """A case this staff member may see, its printing audited."""
    case = await staff_case(session, staff, case_no)
    if case is None:
        raise NotFound("办件不存在或无权查看")
    await audit(session, staff, action, target=case_no)
    return case


@router.get("/cases/{case_no}/notice.pdf")
async def print_notice(
    db: DatabaseDep,
    settings: SettingsDep,
    case_no: str,
    request: Request,
    staff: CurrentStaff,
) -> Response:
    """The seat notice as sealed, for a family at the desk: sealed now if the filing job has not
    yet (the family is at the counter; the guardians' downloads wait for the job instead)."""
    async with db.write_session() as session:
        case = await _printed(session, staff, case_no, "notice_print")
        sealed = await sealed_notice(session, case, settings.seal_key_file, settings.public_url)
        pdf = sealed.pdf or b""
    return Response(pdf, media_type="application/pdf")


@router.get("/cases/{case_no}/rejection.pdf")
async def print_rejection(
    db: DatabaseDep,
    settings: SettingsDep,
    case_no: str,
    request: Request,
    staff: CurrentStaff,
) -> Response:
    """The 不予通过告知书, for a family at the desk: as it was kept, rendered and kept now if its
    job has not yet (the family is at the counter)."""
    async with db.write_session() as session:
        case = await _printed(session, staff, case_no, "rejection_print")
        pdf = await keep_rejection(session, case, settings.public_url)
    return Response(pdf, media_type="application/pdf")


async def _filters(
    segment: str = "", category: str = "", channel: str = "", status: str = ""
) -> dict[str, str]:
    return {"segment": segment, "category": category, "channel": channel, "status": status}


@router.get("/schools/{school_code}/applicants")
async def applicants(
    db: DatabaseDep,
    school_code: str,
    request: Request,
    staff: CurrentStaff,
    filters: dict[str, str] = Depends(_filters),
) -> dict[str, object]:
    """A school's applicants with filters, and its capacity beside the count of seats given."""
    async with db.write_session() as session:
        cases = await school_list(session, staff, school_code, filters)
        school = await get_school(session, school_code)
        await audit(session, staff, "school_list_view", target=school_code, filters=filters)
    seats = sum(1 for c in cases if c.status == Status.NOTICE_ISSUED)
    return {"school_code": school_code, "capacity": school.capacity if school else None, "notices": seats,
            "applicants": [case_summary(c) for c in cases]}  # fmt: skip


@router.get("/schools/{school_code}/applicants.xlsx")
async def export(
    db: DatabaseDep,
    school_code: str,
    request: Request,
    staff: CurrentStaff,
    filters: dict[str, str] = Depends(_filters),
) -> Response:
    async with db.write_session() as session:
        cases = await school_list(session, staff, school_code, filters)
        await audit(
            session,
            staff,
            "school_list_export",
            target=school_code,
            rows=len(cases),
            filters=filters,
        )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "报名名单"
    sheet.append(HEADER)
    for c in cases:
        sheet.append([safe_cell(v) for v in _row(c)])
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": f'attachment; filename="{school_code}.xlsx"'})  # fmt: skip
