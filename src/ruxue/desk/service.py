"""The offline channel at the school desk (plan §三(二)): the same rules, the same notice."""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.repository import add_event, staff_case
from ruxue.cohort import gather as cohort_gather
from ruxue.county.repository import reported_cases
from ruxue.county.routing import routing_of
from ruxue.county.rules import Routing
from ruxue.enrollment import repository as repo
from ruxue.enrollment.applicant import DESK, check_applicant
from ruxue.enrollment.decision import TraceEvent, record_decision
from ruxue.enrollment.gather import gather_facts, person_asks, read_record
from ruxue.enrollment.service import (
    DUPLICATE,
    DuplicateCase,
    check_window,
    duplicate_message,
    first_write,
    new_case,
    new_case_no,
)
from ruxue.exchange.client import CallContext, ExchangeClient
from ruxue.exchange.envelope import DEPARTMENTS
from ruxue.exchange.models import Consent
from ruxue.exchange.records import Person
from ruxue.exchange.service import envelope_consent, grant_consent
from ruxue.guardianship.repository import approval
from ruxue.kit import pii
from ruxue.kit.db import Database
from ruxue.kit.errors import NotFound, RuxueError
from ruxue.kit.ratelimit import Limit, take
from ruxue.materials.supplement import AlreadyHandled, redecide
from ruxue.notify.rules import whole_sentences
from ruxue.notify.service import queue_sms
from ruxue.person.rules import IdNumberError, parse_id_number
from ruxue.policy.explain import MATERIALS, STATUSES
from ruxue.policy.facts import Facts, read_facts, write_facts
from ruxue.policy.loader import load_policy
from ruxue.policy.rules import NEEDS_MATERIALS, best_residence, decide, missing_materials
from ruxue.reference.repository import school_refs
from ruxue.settings import Settings
from ruxue.staff.auth import Staff, require
from ruxue.staff.service import audit

ORIGINALS = {
    "HUKOU_BOOKLET": "户口簿",
    "PROPERTY_CERTIFICATE": "房产证",
    "MARRIAGE_CERTIFICATE": "结婚证",
    "BIRTH_CERTIFICATE": "出生医学证明",
}


SCANS = {**ORIGINALS, "DESK_CONSENT": "书面授权书（签字页）"}  # what a desk may scan and file


ID_FIELDS = {
    "guardian_id": "监护人身份证号码",
    "child_id": "学生身份证号码",
    "spouse_id": "配偶身份证号码",
}


def _id_number(field: str, value: str) -> str:
    """An ID number of the desk's form; an error names the field it came from."""
    try:
        return parse_id_number(value).value
    except IdNumberError as exc:
        raise RuxueError(f"{ID_FIELDS[field]}：{exc.message}", field=field) from None


LOOKUP_LIMIT = Limit("child-lookup", 20, dt.timedelta(minutes=10))


async def throttle_lookup(db: Database, staff: Staff, now: dt.datetime) -> None:
    """Look-ups of a child are limited per staff member (the 21st in ten minutes gets 429)."""
    await take(db, LOOKUP_LIMIT, f"staff:{staff.id}", now)


async def find_child(
    db: Database, staff: Staff, year: int, segment: str, child_id: str
) -> dict[str, object] | None:
    """An existing case of any channel; details only when this desk may see it."""
    require(staff, "desk", "admin")
    child = parse_id_number(child_id).value
    async with db.write_session() as session:
        case = await repo.case_for_child(session, year, segment, child)
        await audit(session, staff, "desk_search", target=pii.blind_index(child)[:16])
        if case is None:
            return await _at_county(session, child)
        if await staff_case(session, staff, case.case_no) is None:
            return {"visible": False, "message": DUPLICATE}  # another school's case stays unsaid
    return {"case_no": case.case_no, "status": case.status, "channel": case.channel, "visible": True,
            "message": duplicate_message(case)}  # fmt: skip


async def _at_county(session: AsyncSession, child: str) -> dict[str, object] | None:
    """A case the child's county system runs, as it reported it: the desk sends the family
    there, since one district's applications go to one system."""
    reported = await reported_cases(session, child=child)
    if not reported:
        return None
    k = reported[0]
    message = (
        f"该学生已在{k.system}报名（办件编号 {k.case_no}，{k.progress}，{k.district_label}），"
        "请家长到该系统查询或办理，本校不能重复受理。"
    )
    return {"visible": False, "case_no": k.case_no, "message": message}


def _keyed(keyed_in: dict[str, str] | None, kinds: list[str]) -> dict[str, str]:
    """The numbers keyed in from the originals ticked as seen."""
    return {k: v.strip() for k, v in (keyed_in or {}).items() if k in kinds and v.strip()}


def _masked(keyed: dict[str, str]) -> dict[str, str]:
    """The trace (and the archive package built from it) keeps the last four characters; the
    full numbers stay in the case's encrypted facts."""
    return {k: pii.last_four(v) for k, v in keyed.items()}


@dataclass(frozen=True)
class OfflineApplication:
    """The desk's form: the family's ID numbers, the paper consent, the originals seen (and the
    numbers keyed in from them), the home chosen (or the rules' best) and a phone for the SMS."""

    segment: str
    guardian_id: str
    child_id: str
    spouse_id: str | None
    consent_signed: bool
    originals_seen: list[str] = field(default_factory=list)
    property_cert: str | None = None
    phone: str = ""
    keyed_in: dict[str, str] = field(default_factory=dict)


async def register_offline(
    db: Database,
    client: ExchangeClient,
    settings: Settings,
    staff: Staff,
    application: OfflineApplication,
) -> Case:
    """Department data pre-filled with the guardian's signed consent, originals ticked as seen,
    decided by the same rules (``record_decision``). The staff member is in the trace. As online,
    who may act for the child (a parent, or an approved guardianship request) is settled before
    anything else, and a child whose district applies in another system is sent there
    (``county.routing``)."""
    require(staff, "desk")
    now = settings.clock()
    ids = _checked(application)
    async with db.read_session() as session:
        approved = await approval(session, ids.guardian, ids.child)
        routing = await routing_of(session, settings)
        schools = await school_refs(session)
    case_no = new_case_no(now.year, application.segment)
    consents = await _paper_consents(db, case_no, ids)
    ctx = CallContext(
        case_no=case_no, operator=staff.actor, consents=tuple(envelope_consent(c) for c in consents)
    )
    child = read_record(await client.ask(ctx, person_asks(ids.child)[0]), Person, "学生")
    request_no = approved[0] if approved else None
    await check_applicant(client, ctx, ids.guardian, child, request_no, DESK)
    existing = await find_child(db, staff, now.year, application.segment, ids.child)
    if existing is not None:  # it already carries the message (and the number, if visible)
        raise DuplicateCase(str(existing["message"]), str(existing.get("case_no") or ""))
    facts = await _desk_facts(client, ctx, now.year, application, ids, routing)
    facts.guardianship_request = request_no
    facts.guardianship_basis = approved[1] if approved else None
    district = facts.booklets[facts.child.booklet_no].district_code
    async with db.read_session() as session:
        want = await cohort_gather.wanted(session, district, now.year, facts)
    await cohort_gather.fetch_cohort(client, ctx, facts, want)
    policy = load_policy(now.year, district)
    check_window(policy, application.segment, now)
    if application.property_cert is None:
        facts.chosen_cert = best_residence(policy, facts, schools)
    decision = decide(policy, facts, schools)
    case = _desk_case(staff, application, facts, ids, case_no, district, consents, now)
    async with first_write(db, case) as session:
        await record_decision(
            session, case, facts, decision, now, *_desk_events(staff, case, application, facts)
        )
        await audit(session, staff, "desk_register", target=case_no)
        if application.phone:
            text = f"学生{case.child_name_masked}已在学校现场报名（{case_no}），"
            told = whole_sentences(decision.explanation, 80) or "请登录查看。"
            await queue_sms(session, case, f"{text}结果：{told}")
    return case


class FamilyIds(NamedTuple):
    guardian: str
    child: str
    spouse: str | None


def _checked(application: OfflineApplication) -> FamilyIds:
    """The form's ID numbers (the spouse's if given), once the form is whole."""
    ids = FamilyIds(
        _id_number("guardian_id", application.guardian_id),
        _id_number("child_id", application.child_id),
        _id_number("spouse_id", application.spouse_id) if application.spouse_id else None,
    )
    if application.phone and not re.fullmatch(r"1\d{10}", application.phone):
        raise RuxueError("监护人手机号码应为以 1 开头的 11 位数字。", field="phone")
    if not application.consent_signed:
        raise RuxueError("请先由监护人（及配偶）签署书面授权书。", field="consent_signed")
    unknown = set(application.originals_seen) - set(ORIGINALS)
    if unknown:
        raise RuxueError(f"未知的原件类型：{', '.join(sorted(unknown))}")
    return ids


async def _paper_consents(db: Database, case_no: str, ids: FamilyIds) -> list[Consent]:
    """The paper consent: the guardian for themselves and the child, the spouse for themselves."""
    grants = [(ids.guardian, [ids.guardian, ids.child])]
    grants += [(ids.spouse, [ids.spouse])] if ids.spouse else []
    async with db.write_session() as session:
        return [
            await grant_consent(
                session,
                grantor=grantor,
                subjects=subjects,
                departments=list(DEPARTMENTS),
                fields=["all"],
                purpose="ENROLLMENT",
                case_no=case_no,
                channel="offline",
            )
            for grantor, subjects in grants
        ]


async def _desk_facts(
    client: ExchangeClient,
    ctx: CallContext,
    year: int,
    application: OfflineApplication,
    ids: FamilyIds,
    routing: Routing,
) -> Facts:
    """Every department at once, with the originals the desk saw and the numbers keyed in."""
    facts = await gather_facts(
        client,
        ctx,
        year=year,
        segment=application.segment,
        guardian_id=ids.guardian,
        child_id=ids.child,
        spouse_id=ids.spouse,
        chosen_cert=application.property_cert,
        routing=routing,
    )
    facts.keyed_in = _keyed(
        application.keyed_in, application.originals_seen
    )  # in full only in the encrypted facts
    seen = application.originals_seen
    facts.provided = {m for m in seen if m in ("BIRTH_CERTIFICATE", "MARRIAGE_CERTIFICATE")}
    return facts


def _desk_case(
    staff: Staff,
    application: OfflineApplication,
    facts: Facts,
    ids: FamilyIds,
    case_no: str,
    district: str,
    consents: list[Consent],
    now: dt.datetime,
) -> Case:
    """``new_case`` with what the desk knows at once: its school, the spouse, the home."""
    case = new_case(
        facts,
        case_no=case_no,
        channel="offline",
        step=7,
        guardian_id=ids.guardian,
        child_id=ids.child,
        phone=application.phone,
        district_code=district,
        consents=consents,
        now=now,
    )
    case.desk_school = staff.school_code
    case.spouse_index = pii.blind_index(ids.spouse) if ids.spouse else None
    case.single_parent = application.spouse_id is None
    case.chosen_cert = facts.chosen_cert
    return case


def _desk_events(
    staff: Staff, case: Case, application: OfflineApplication, facts: Facts
) -> list[TraceEvent]:
    """What the desk adds to the trace before the rules' decision: the paper consent, the
    originals seen (with the numbers keyed in from them, masked)."""
    originals = [ORIGINALS[o] for o in application.originals_seen]
    keyed = _masked(facts.keyed_in)
    return [
        TraceEvent(staff.actor, "desk_consent", {"consent_ids": case.consent_ids}),
        TraceEvent(staff.actor, "originals_seen", {"originals": originals, "keyed_in": keyed}),
    ]


async def see_originals(
    session: AsyncSession,
    staff: Staff,
    now: dt.datetime,
    case_no: str,
    kinds: list[str],
    keyed_in: dict[str, str] | None = None,
) -> Case:
    """Staff saw originals of missing materials: each is given (trace with the staff member,
    audited). When nothing required is missing the same rules decide the case again."""
    require(staff, "desk", "reviewer", "admin")
    case = await staff_case(session, staff, case_no, lock=True)
    if case is None:
        raise NotFound("办件不存在或无权查看")
    if case.status != NEEDS_MATERIALS:
        raise AlreadyHandled(
            f"已处理：该办件当前不需要补充材料（{STATUSES.get(case.status, case.status)}）。"
        )
    if not kinds or set(kinds) - set(MATERIALS):
        raise RuxueError("请勾选已核验原件的材料。", field="seen")
    facts = read_facts(case)
    needed = [k for k in kinds if k in missing_materials(facts)]
    if not needed:
        raise AlreadyHandled("已处理：勾选的原件已核验过，无需重复操作。")
    facts.provided |= set(needed)
    facts.bring -= set(needed)
    facts.uploaded -= set(needed)  # the original seen supersedes the copy
    keyed = _keyed(keyed_in, needed)
    facts.keyed_in |= keyed
    write_facts(case, facts)
    case.desk_school = case.desk_school or staff.school_code  # the desk keeps the case it handled
    names = [MATERIALS[k]["name"] for k in needed]
    await add_event(
        session, case, staff.actor, "originals_seen", originals=names, keyed_in=_masked(keyed)
    )
    await audit(session, staff, "originals_seen", target=case_no, kinds=needed)
    if not missing_materials(facts):
        await redecide(session, now, case, facts)
    return case
