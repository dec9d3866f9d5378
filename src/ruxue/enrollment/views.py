"""What the guardian is shown of a case: fetched facts masked, with the department they came from."""

from typing import Any

from ruxue.cases.models import Case
from ruxue.cases.status import Status
from ruxue.enrollment import service
from ruxue.enrollment.schemas import CaseView, Fetched, MaterialState
from ruxue.exchange.records import Property
from ruxue.kit.db import Database
from ruxue.materials import supplement
from ruxue.person.rules import mask_id_number, mask_name, mask_person
from ruxue.policy.explain import GUARDIANSHIP_BASES, labels, reason_text
from ruxue.policy.facts import Facts
from ruxue.policy.loader import CHINA, load_policy
from ruxue.policy.rules import (
    apart_from_child,
    booklet_summary,
    graduates_this_year,
    household_size,
    rejections,
    same_booklet,
    school_for,
)
from ruxue.reference.repository import school_refs
from ruxue.settings import Settings

POLICE, PROPERTY, XUEJI, CIVIL, HEALTH = (
    "公安（户籍）",
    "资规（不动产登记）",
    "省学籍系统",
    "民政（婚姻登记）",
    "卫健（出生医学证明）",
)


def mask_address(address: str) -> str:
    """Keep the street, hide the house number and room."""
    for mark in ("号", "幢"):
        if mark in address:
            head = address.split(mark)[0]
            return head.rstrip("0123456789") + "**" + mark + "…"
    return address[:8] + "…"


def fetched(facts: Facts, own: bool = False) -> list[Fetched]:
    """``own``: shown to the family itself on its own phone: its addresses in full (a kiosk,
    staff and the API keep them masked)."""
    address = (lambda a: a) if own else mask_address
    out = [
        Fetched(
            label="学生",
            value=mask_person(facts.child.name, facts.child.id_number),
            source=POLICE,
        )
    ]
    booklet = facts.booklets.get(facts.child.booklet_no)
    if booklet:
        out.append(Fetched(label="学生户籍地址", value=address(booklet.address), source=POLICE))
    out.append(
        Fetched(
            label="监护人",
            value=mask_person(facts.guardian.name, facts.guardian.id_number),
            source=POLICE,
        )
    )
    if facts.guardianship_request:
        out.append(guardianship_row(facts))
    if facts.spouse:
        out.append(
            Fetched(
                label="家长（授权人）" if facts.entrusted else "配偶",
                value=mask_person(facts.spouse.name, facts.spouse.id_number),
                source=POLICE,
            )
        )
        out.append(Fetched(label="是否同一户口簿", value=booklet_summary(facts), source=POLICE))
    for status in facts.student_status:
        out.append(
            Fetched(
                label="学籍",
                value=f"{status.school_name}，{status.graduation_year}年毕业",
                source=XUEJI,
            )
        )
    chosen = next((p for p in facts.residences if p.cert_no == facts.chosen_cert), None)
    if chosen:
        per = chosen.building_area_m2 / household_size(facts)
        out.append(
            Fetched(
                label="入学房产",
                value=f"{address(chosen.address)} {chosen.building_area_m2:g}㎡，人均{per:.1f}㎡",
                source=PROPERTY,
            )
        )
    if facts.birth_certificate:
        out.append(
            Fetched(
                label="出生医学证明",
                value=f"编号 {facts.birth_certificate.cert_no[:3]}****",
                source=HEALTH,
            )
        )
    for m in facts.marriages:
        if m.status == "married":
            out.append(Fetched(label="结婚登记", value=f"{m.registered_on:%Y年}登记", source=CIVIL))
    return out


def guardianship_row(facts: Facts) -> Fetched:
    """The approved guardianship request the guardian acts by, and its basis."""
    basis = GUARDIANSHIP_BASES.get(facts.guardianship_basis or "", "依据未登记")
    return Fetched(
        label="监护关系核验",
        value=f"已通过（{facts.guardianship_request}），依据：{basis}",
        source="区教育局审核",
    )


def case_view(case: Case, facts: Facts, base_url: str, school_name: str | None) -> CaseView:
    notice_url = f"/api/v1/cases/{case.case_no}/notice.pdf" if case.notice_no else None
    verify_url = f"{base_url}/verify/{case.verify_code}" if case.verify_code else None
    return CaseView(
        case_no=case.case_no,
        year=case.year,
        segment=case.segment,
        channel=case.channel,
        status=case.status,
        step=case.step,
        outcome=case.outcome,
        school_code=case.school_code,
        school_name=school_name,
        category=case.category,
        placement=case.placement,
        reasons=case.reasons,
        missing=case.missing,
        explanation=case.explanation,
        notice_no=case.notice_no,
        notice_url=notice_url,
        verify_url=verify_url,
        fetched=fetched(facts),
        created_at=case.created_at.astimezone(CHINA),
        **labels(case),
        **_materials(case, facts),
        **rejection_links(case),
    )


def _materials(case: Case, facts: Facts) -> dict[str, object]:
    if case.status != Status.NEEDS_MATERIALS:
        return {}
    states = [MaterialState(**row) for row in supplement.states(case, facts)]
    return {"materials": states, "materials_deadline": supplement.deadline(case)}


def rejection_links(case: Case) -> dict[str, str | None]:
    url = f"/api/v1/cases/{case.case_no}/rejection.pdf" if case.rejection_no else None
    return {"rejection_no": case.rejection_no, "rejection_url": url}


async def step_context(
    db: Database, settings: Settings, case: Case, facts: Facts, step: int, own: bool = False
) -> dict[str, Any]:
    """A draft's step page: what it shows beyond the case and its facts (guardian and kiosk)."""
    policy = load_policy(case.year, case.district_code or "")
    ctx: dict[str, Any] = {
        "fetched": fetched(facts, own),
        "mask_id": mask_id_number,
        "mask_name": mask_name,
    }
    if step == 4:
        ctx["checked"] = case.step >= 5
        ctx["rejected"] = (
            [reason_text(r, policy) for r in rejections(policy, facts)] if case.step >= 5 else []
        )
        ctx["suggest_junior"] = case.segment == "primary" and graduates_this_year(facts)
    if step == 5:
        async with db.read_session() as session:
            suggested = await service.suggested_residence(session, case, facts)
            schools = await school_refs(session)
        size = household_size(facts)
        ctx["homes"] = [home(p, size, own) for p in facts.residences]
        for row, prop in zip(ctx["homes"], facts.residences, strict=True):
            school = school_for(prop.compound_code, schools, case.segment)
            row["school"] = school.name if school else ""
            row["small"] = row["per_person"] < policy.area_threshold_m2
        ctx["unique"] = len(facts.residences) == 1
        ctx.update(
            suggested=facts.chosen_cert or suggested,
            household=size,
            threshold=policy.area_threshold_m2,
        )
    if step == 6:
        ctx["same_booklet"] = same_booklet(facts)
        ctx["apart"] = apart_from_child(facts)
        ctx["missing"] = supplement.states(case, facts)
        ctx["max_mb"] = settings.upload_max_bytes // (1024 * 1024)
    return ctx


def home(residence: Property, household: int, own: bool = False) -> dict[str, Any]:
    """One residence of step 5: the address (masked but for the family's own phone), the area
    per person of the household."""
    area = residence.building_area_m2
    return {
        "cert_no": residence.cert_no,
        "address": residence.address if own else mask_address(residence.address),
        "area": area,
        "per_person": area / household,
    }
