"""Guardianship requests: filed by someone who is not a parent, the parents told, a district
reviewer decides. Services flush; the request boundary commits."""

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.enrollment.gather import fetch_birth, person_asks, read_record
from ruxue.exchange.client import CallContext, ExchangeClient
from ruxue.exchange.records import BirthCertificate, Booklet, Person
from ruxue.exchange.service import envelope_consent, grant_consent
from ruxue.guardianship import repository as repo
from ruxue.guardianship.models import GuardianshipRequest
from ruxue.guardianship.records import on_record
from ruxue.identity.repository import take_send
from ruxue.identity.service import Guardian, message_person
from ruxue.kit import pii
from ruxue.kit.clock import now_of, utcnow
from ruxue.kit.db import Database
from ruxue.kit.errors import NotFound, RuxueError
from ruxue.kit.ratelimit import Limit, take
from ruxue.notify.service import queue_text
from ruxue.person.rules import mask_id_number, mask_name, parse_id_number
from ruxue.policy.explain import GUARDIANSHIP_BASES
from ruxue.policy.facts import BASES as FACT_BASES
from ruxue.policy.rules import parents_of
from ruxue.reference.districts import ISSUERS, district_label
from ruxue.reference.sites import site_of
from ruxue.settings import Settings
from ruxue.staff.auth import Staff, require
from ruxue.staff.service import audit

RELATIONSHIPS = {
    "grandparent": "祖父母",
    "maternal_grandparent": "外祖父母",
    "court_appointed": "法院指定的监护人",
    "other": "其他",
}
STATUSES = {"pending": "待审核", "approved": "已通过", "rejected": "未通过"}
BASES = GUARDIANSHIP_BASES  # what a reviewer may record on approval
assert set(BASES) == FACT_BASES


@dataclass(frozen=True)
class Filing:
    request: GuardianshipRequest
    parents: list[str]  # the child's parents on record, to be told


def actor(guardian: Guardian) -> str:
    return "guardian:" + pii.blind_index(guardian.id_number)[:16]


PER_APPLICANT = Limit("guardianship-applicant", 3, dt.timedelta(days=1))


async def file_request(
    db: Database,
    client: ExchangeClient,
    guardian: Guardian,
    *,
    child_id: str,
    relationship: str,
    note: str,
) -> Filing:
    """Asks the police (and the birth record) who the child's parents are and which district
    decides; none of it is shown to the applicant. Read, ask, write."""
    child = parse_id_number(child_id).value
    if child == guardian.id_number:
        raise RuxueError("学生身份证号码不能与申请人相同。")
    if relationship not in RELATIONSHIPS:
        raise RuxueError("请选择与学生的关系。")
    await take(db, PER_APPLICANT, guardian.id_number, utcnow())  # each request texts parents
    async with db.read_session() as session:
        if await repo.open_request(session, guardian.id_number, child):
            raise RuxueError("您已为该学生提交过监护关系核验申请（审核中或已通过），请勿重复提交。")
    request_no = f"GR{utcnow():%Y}{secrets.token_hex(5).upper()}"
    async with db.write_session() as session:
        consent = await grant_consent(
            session,
            grantor=guardian.id_number,
            subjects=[guardian.id_number, child],
            departments=["police", "health"],
            fields=["hukou", "birth_certificate"],
            purpose="ENROLLMENT",
            case_no=request_no,
        )
    ctx = CallContext(request_no, guardian.id_number, (envelope_consent(consent),))
    person, booklet, birth = await _on_record(client, ctx, child)
    parents = parents_of(person, birth)
    if guardian.id_number in parents:
        raise RuxueError("您是该学生的父亲或母亲，可直接报名，无需提交监护关系核验申请。")
    async with db.write_session() as session:
        await take_send(session, [f"guardianship:{pii.blind_index(child)}"], "监护关系核验申请")
        request = GuardianshipRequest(
            request_no=request_no,
            applicant_index=pii.blind_index(guardian.id_number),
            applicant_enc=pii.encrypt(guardian.id_number),
            applicant_name_masked=mask_name(guardian.name),
            phone_enc=pii.encrypt(guardian.phone),
            child_index=pii.blind_index(child),
            child_enc=pii.encrypt(child),
            child_name_masked=mask_name(person.name),
            district_code=booklet.district_code,
            relationship=relationship,
            note=note.strip()[:500],
            consent_id=consent.id,
            created_at=now_of(session),  # the app's clock, as the reviewers' lists show
        )
        session.add(request)
        await session.flush()
        await repo.add_event(session, request, actor(guardian), "filed", relationship=relationship)
        summary = on_record(guardian.id_number, person, booklet, birth)
        await repo.add_event(session, request, "system", "records", **summary)
    return Filing(request, sorted(parents))


async def _on_record(
    client: ExchangeClient, ctx: CallContext, child: str
) -> tuple[Person, Booklet, BirthCertificate | None]:
    """The child's police record and hukou (for the district) and birth certificate."""
    answers = await client.ask_all(ctx, person_asks(child))
    person = read_record(answers[0], Person, "学生")
    booklet = read_record(answers[1], Booklet, "学生")
    return person, booklet, await fetch_birth(client, ctx, child)


def parent_text(request: GuardianshipRequest, child_id: str, signature: str) -> str:
    """The parents' text: who asks, for what, who decides, how to object or check; signed, no link
    (a link in such a text reads as a scam), no code to pass on."""
    bureau = ISSUERS.get(request.district_code, f"{district_label(request.district_code)}教育局")
    return (
        f"【{signature}】{bureau}告知：{request.applicant_name_masked}"
        f"（自述为学生的{RELATIONSHIPS[request.relationship]}）申请为您的子女"
        f"（身份证号{mask_id_number(child_id)}）办理义务教育入学，已提交监护关系核验申请，"
        f"编号{request.request_no}。{bureau}核实前，申请人不能为该学生报名。"
        f"如您不同意或有疑问，请联系{bureau}或拨打12345，报上述编号；也可自行登录"
        f"“{signature}”查询。本短信不含链接，工作人员不会向您索要验证码。"
    )


async def tell_parents(db: Database, settings: Settings, filing: Filing) -> list[dict[str, object]]:
    """Each parent on record is texted by the identity platform at the phone it verified; the app
    knows no parent's phone. What was sent, and what could not be, goes into the history."""
    request = filing.request
    text = parent_text(request, pii.decrypt(request.child_enc), site_of(settings).sms_signature)
    told: list[dict[str, object]] = []
    for parent in filing.parents:
        try:
            sent, why = await message_person(settings, parent, text), "no_account"
        except Exception as exc:  # the platform is down: the reviewer sees it was not sent
            sent, why = False, f"unavailable: {type(exc).__name__}"
        told.append(
            {"parent": mask_id_number(parent), "sent": sent, **({} if sent else {"why": why})}
        )
    async with db.write_session() as session:
        fresh = await repo.by_no(session, request.request_no)
        await repo.add_event(
            session,
            fresh,
            "system",
            "parents_told",
            parents=told,
            no_parent_on_record=not filing.parents,
        )
    return told


async def decide(
    session: AsyncSession,
    staff: Staff,
    request_no: str,
    *,
    approve: bool,
    reason: str,
    basis: str = "",
) -> GuardianshipRequest:
    """Approve with the basis the documents show (the applicant may then apply for the child, alone
    or with a parent's authorisation, ``policy.facts.BASES``) or reject with a reason."""
    require(staff, "reviewer", "admin")
    request = await repo.staff_request(session, staff, request_no)
    if request is None:
        raise NotFound("申请不存在或不在您的辖区")
    if request.status != "pending":
        raise RuxueError("该申请已审核，不能再次处理。")
    if not approve and not reason.strip():
        raise RuxueError("请填写不予通过的理由。")
    if approve and basis not in BASES:
        raise RuxueError(
            "请根据申请材料选择监护依据（法院指定、父母双亡、父母均无监护能力或父母委托）。"
        )
    request.status, request.reason = ("approved" if approve else "rejected"), reason.strip()
    request.basis = basis if approve else ""
    request.decided_at = now_of(session)
    action = "guardianship_approve" if approve else "guardianship_reject"
    await repo.add_event(
        session, request, staff.actor, action, reason=request.reason, basis=request.basis
    )
    await audit(session, staff, action, target=request_no, reason=request.reason, basis=basis)
    await queue_text(session, request_no, request.phone_enc, decision_text(request))
    return request


def decision_text(request: GuardianshipRequest) -> str:
    if request.status == "approved" and request.basis == "entrusted":
        return (
            f"您的监护关系核验申请（{request.request_no}）已通过（父母委托），可登录为学生办理入学报名，"
            "报名时需由学生的父亲或母亲本人授权。"
        )
    if request.status == "approved":
        return f"您的监护关系核验申请（{request.request_no}）已通过，可登录为学生办理入学报名。"
    return f"您的监护关系核验申请（{request.request_no}）未通过：{request.reason[:40]}"
