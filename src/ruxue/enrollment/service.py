"""The guardian's application, step by step. Services flush; the request boundary commits."""

import datetime as dt
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from ruxue.cases import lifecycle
from ruxue.cases.models import Case
from ruxue.cases.repository import add_event
from ruxue.cases.status import Status
from ruxue.cohort import gather as cohort_gather
from ruxue.county.routing import refuse_elsewhere, routing_of
from ruxue.enrollment import repository as repo
from ruxue.enrollment.applicant import ONLINE, NotParent, check_applicant
from ruxue.enrollment.decision import TraceEvent, record_decision
from ruxue.enrollment.gather import (
    NOT_OTHER_PARENT,
    StepError,
    apply_birth,
    apply_marriage,
    apply_others,
    birth_ask,
    check_spouse,
    fetch_birth,
    fetch_housing_proof,
    fetch_person,
    marriage_ask,
    other_asks,
    person_asks,
    read_person,
    read_record,
)
from ruxue.exchange.client import CallContext, ExchangeClient
from ruxue.exchange.envelope import DEPARTMENTS
from ruxue.exchange.models import Consent
from ruxue.exchange.records import Booklet, Person
from ruxue.exchange.repository import consents_in_order
from ruxue.exchange.service import envelope_consent, grant_consent
from ruxue.guardianship.repository import approval
from ruxue.identity.repository import take_send
from ruxue.identity.service import Guardian, request_person_otp
from ruxue.kit import pii
from ruxue.kit.clock import now_of, utcnow
from ruxue.kit.db import Database
from ruxue.kit.errors import Conflict, NotFound, RuxueError
from ruxue.kit.ratelimit import Limit, take
from ruxue.person.rules import mask_name, parse_id_number
from ruxue.policy.explain import SEGMENTS, STATUSES
from ruxue.policy.facts import MARRIAGE, Facts, read_facts, write_facts
from ruxue.policy.loader import CHINA, Policy, load_policy
from ruxue.policy.rules import (
    acts_for_parents,
    best_residence,
    decide,
    married_other_parent,
    parents_of,
    rejections,
)
from ruxue.policy.service import Checked
from ruxue.reference.districts import issuer_of
from ruxue.reference.repository import school_refs
from ruxue.settings import Settings

FIELDS = [
    "hukou",
    "property",
    "marriage",
    "birth_certificate",
    "student_status",
    "social_insurance",
    "residence_permit",
    "points",
]


class DuplicateCase(RuxueError):
    status_code = 409
    code = "duplicate_case"

    def __init__(self, message: str, case_no: str | None = None) -> None:
        if case_no:
            super().__init__(message, case_no=case_no)
        else:
            super().__init__(message)
        self.case_no = case_no


class WindowClosed(Conflict):
    code = "window_closed"


class StepOrder(Conflict):
    code = "step_order"


DEADLOCK = "40P01"  # PostgreSQL's SQLSTATE


class CaseChanged(Conflict):
    code = "case_changed"


def actor(guardian: Guardian) -> str:
    return "guardian:" + pii.blind_index(guardian.id_number)[:16]


def check_window(policy: Policy, segment: str, now: dt.datetime) -> None:
    opens, closes = policy.windows[segment].bounds(policy.year)  # type: ignore[index]
    span = f"{opens:%Y年%m月%d日 %H:%M}至{closes:%m月%d日 %H:%M}"
    if now < opens:
        raise WindowClosed(f"本区{SEGMENTS[segment]}报名尚未开始，报名时间为{span}，届时再来办理。")
    if now > closes:
        raise WindowClosed(
            f"本区{SEGMENTS[segment]}报名已于{closes:%m月%d日 %H:%M}结束（报名时间{span}）。如有特殊情况请联系学校或区教育局。"
        )


def new_case_no(year: int, segment: str) -> str:
    return f"RX{year}{'P' if segment == 'primary' else 'J'}{secrets.token_hex(5).upper()}"


def call_context(case: Case, consents: list[Consent], operator: str) -> CallContext:
    """What the departments are told of the case: refused if a consent was withdrawn or expired."""
    return CallContext(
        case_no=case.case_no,
        operator=operator,
        consents=tuple(envelope_consent(c) for c in consents),
    )


NO_CASE = "没有找到该办件，请从“我的办理”进入查看您的办件。"


async def load(session: AsyncSession, guardian: Guardian, case_no: str) -> tuple[Case, Facts]:
    case = await repo.case_of(session, guardian.id_number, case_no)
    if case is None:
        raise NotFound(NO_CASE)
    return case, read_facts(case)


@dataclass(frozen=True)
class Draft:
    """A draft read for a step, with its consents (``call_context``) and the version of the
    cohort policy in force for its district and year (``policy.service.Checked``)."""

    case: Case
    facts: Facts
    consents: list[Consent]
    policy: Checked

    def context(self, operator: str) -> CallContext:
        return call_context(self.case, self.consents, operator)


async def load_draft(session: AsyncSession, guardian: Guardian, case_no: str) -> Draft:
    """A draft to go on with, in one statement (``repository.case_with_consents``)."""
    found = await repo.case_with_consents(session, guardian.id_number, case_no)
    if found is None:
        raise NotFound(NO_CASE)
    case, consents, checked = found
    _editable(case)
    return Draft(case, read_facts(case), consents, checked)


async def load_readable(
    session: AsyncSession, person: Guardian, case_no: str
) -> tuple[Case, Facts]:
    """A case to read (its status and documents): the applicant's own, or one the other parent
    authorised. Never for a step: only the applicant changes a case."""
    case = await readable_case(session, person, case_no)
    return case, read_facts(case)


async def readable_case(session: AsyncSession, person: Guardian, case_no: str) -> Case:
    """``load_readable`` without decrypting the facts (a download needs only the case's row)."""
    case = await repo.case_of(session, person.id_number, case_no)
    case = case or await repo.case_authorised_by(session, person.id_number, case_no)
    if case is None:
        raise NotFound(NO_CASE)
    return case


async def end_parent_consent(session: AsyncSession, parent: Guardian, case_no: str) -> Case:
    """The other parent ends their own consent: no department is asked about them again. A draft
    loses their data and goes back to step 3; a submitted case keeps the decision made."""
    case = await repo.case_authorised_by(session, parent.id_number, case_no)
    if case is None:
        raise NotFound("没有找到您授权的办件。")
    mine, ended = set(pii.blind_indexes(parent.id_number)), set()
    for consent in await consents_in_order(session, case.consent_ids):
        if consent.grantor_index in mine:
            consent.withdrawn_at = consent.withdrawn_at or now_of(session)
            ended.add(consent.id)
    if case.status == Status.DRAFT:  # the draft goes on without them (the trace keeps the ids)
        case.consent_ids = [c for c in case.consent_ids if c not in ended]
        facts = read_facts(case)
        facts.spouse = None
        _reset_after(case, facts, 3)
        case.step, case.spouse_index, case.single_parent = 3, None, None
        write_facts(case, facts)
    await add_event(session, case, actor(parent), "spouse_consent_withdrawn")
    await session.flush()
    return case


SUBMITTED = "该办件已提交，不能修改。"


def _editable(case: Case) -> None:
    if case.status != Status.DRAFT:
        raise StepOrder(SUBMITTED)


@asynccontextmanager
async def rewrite(db: Database, case: Case) -> AsyncIterator[AsyncSession]:
    """A write of a case read earlier in a read session: the UPDATE carries the version that was
    read (``version_id_col``), so a change another request made meanwhile refuses this write
    (409 ``case_changed``) instead of being overwritten — and nothing is read again while this
    process holds the write turn (peak day: the turn is held only for the writes)."""
    case_id = case.id  # the rollback expires the instance
    try:
        async with db.write_session() as session:
            session.add(case)
            yield session
    except (StaleDataError, DBAPIError) as exc:
        # PostgreSQL may settle two writers of one case as a deadlock rather than a stale
        # version (each waiting on the other's rows: the case, a notice's unique numbers)
        if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) != DEADLOCK:
            raise
        async with db.read_session() as session:
            status = await session.scalar(select(Case.status).where(Case.id == case_id))
        if status == Status.WITHDRAWN:  # in another tab meanwhile
            raise StepOrder("该办件已撤回，不能修改。") from None
        if status != Status.DRAFT:
            raise StepOrder(SUBMITTED) from None
        raise CaseChanged("办件已在其他页面更新，请刷新后重试。") from None


# A registered child of another family and an unknown number get one answer (no oracle of which
# numbers are real children), and an applicant gets only so many of them a day.
START_REFUSALS = Limit("case-start-refused", 10, dt.timedelta(days=1))


async def start_case(
    db: Database,
    client: ExchangeClient,
    settings: Settings,
    guardian: Guardian,
    *,
    year: int,
    segment: str,
    child_id: str,
    channel: str = "online",
) -> Case:
    """Step 2 (online and at a kiosk): the child's number and the guardian's consent; who may act
    for the child is settled first (``applicant.check_applicant``), then the child's hukou is
    fetched; a child whose district applies in another system (``county.routing``) is sent there,
    with no case.

    Two transactions: the checks and the consent (committed before any department is asked), the
    case (written after the answers). No transaction stays open while departments answer."""
    child = parse_id_number(child_id).value
    if child == guardian.id_number:
        raise RuxueError("学生身份证号码不能与监护人相同。")
    now = settings.clock()
    async with db.write_session() as session:
        existing = await repo.case_for_child(session, year, segment, child)
        if existing is not None and _own_draft(existing, guardian):
            return existing  # nothing written
        approved = await approval(session, guardian.id_number, child)
        routing = await routing_of(session, settings)
        case_no = new_case_no(year, segment)
        consent = await _grant(session, case_no, guardian.id_number, [guardian.id_number, child])
    ctx = CallContext(
        case_no=case_no, operator=guardian.id_number, consents=(envelope_consent(consent),)
    )
    async with client.one_log_write():  # two rounds of calls, one call-log write
        asks = person_asks(child)[:1] + person_asks(guardian.id_number)
        answers = await client.ask_all(ctx, asks)
        guardian_p, guardian_b = read_person(answers[1:], "监护人")
        try:
            child_p = read_record(answers[0], Person, "学生")
            request_no = approved[0] if approved else None
            birth = await check_applicant(client, ctx, guardian.id_number, child_p, request_no)
        except (StepError, NotParent):
            await take(db, START_REFUSALS, guardian.id_number, now)  # 429 once over the limit
            raise NotParent(ONLINE, guardianship_url="/guardianship") from None
        if existing is not None:
            raise duplicate(existing, guardian)
        child_b = read_record(await client.ask(ctx, person_asks(child)[1]), Booklet, "学生")
    refuse_elsewhere(routing, child_b.district_code)
    check_window(load_policy(year, child_b.district_code), segment, now)
    facts = Facts(
        year=year,
        segment=segment,
        guardian=guardian_p,
        child=child_p,
        booklets={child_b.booklet_no: child_b, guardian_b.booklet_no: guardian_b},
        birth_certificate=birth,
        guardianship_request=request_no,
        guardianship_basis=approved[1] if approved else None,
    )
    case = new_case(
        facts,
        case_no=case_no,
        channel=channel,
        step=4 if facts.stands_in else 3,  # in the parents' place: no parent is asked
        guardian_id=guardian.id_number,
        child_id=child,
        phone=guardian.phone,
        district_code=child_b.district_code,
        consents=[consent],
        now=now,
    )
    services = ["police.person", "police.hukou"]
    services += ["health.birth_certificate"] if birth else []
    granted = {
        "consent_id": consent.id,
        "departments": list(DEPARTMENTS),
        "guardianship_request": request_no,
        "guardianship_basis": facts.guardianship_basis,
    }
    async with first_write(db, case) as session:
        await lifecycle.start(
            session,
            case,
            now,
            TraceEvent(actor(guardian), "consent", granted),
            TraceEvent("system", "fetch", {"step": 2, "services": services}),
        )
    return case


async def _grant(session: AsyncSession, case_no: str, grantor: str, subjects: list[str]) -> Consent:
    """An online consent of ``grantor`` for ``subjects``, in a write committed before any
    department is asked."""
    return await grant_consent(
        session,
        grantor=grantor,
        subjects=subjects,
        departments=list(DEPARTMENTS),
        fields=FIELDS,
        purpose="ENROLLMENT",
        case_no=case_no,
    )


def new_case(
    facts: Facts,
    *,
    case_no: str,
    channel: str,
    step: int,
    guardian_id: str,
    child_id: str,
    phone: str,
    district_code: str,
    consents: list[Consent],
    now: dt.datetime,
) -> Case:
    """A new case as every channel builds it: the family's ID numbers encrypted, with the blind
    indexes the look-ups use, the child's masked name, the consents and the facts fetched so far."""
    case = Case(
        case_no=case_no,
        year=facts.year,
        segment=facts.segment,
        channel=channel,
        step=step,
        district_code=district_code,
        guardian_index=pii.blind_index(guardian_id),
        guardian_enc=pii.encrypt(guardian_id),
        child_index=pii.blind_index(child_id),
        child_enc=pii.encrypt(child_id),
        child_name_masked=mask_name(facts.child.name),
        consent_ids=[c.id for c in consents],
        phone_enc=pii.encrypt(phone),
        created_at=now,
    )
    write_facts(case, facts)
    return case


@asynccontextmanager
async def first_write(db: Database, case: Case) -> AsyncIterator[AsyncSession]:
    """The write that inserts a new case (any channel). The one live case per child
    (``uq_case_child``) refuses a child another channel registered meanwhile: 409 duplicate."""
    try:
        async with db.write_session() as session:
            session.add(case)
            yield session
    except IntegrityError:
        raise DuplicateCase(DUPLICATE) from None


def _own_draft(case: Case, guardian: Guardian) -> bool:
    return (
        case.guardian_index in pii.blind_indexes(guardian.id_number) and case.status == Status.DRAFT
    )


DUPLICATE = "该学生本年度已有报名办件，不能重复报名。如有疑问请联系户籍所在区教育局或学校。"


def duplicate(case: Case, guardian: Guardian) -> DuplicateCase:
    """The refusal of a second case: another person's case number and status stay unsaid."""
    if case.guardian_index not in pii.blind_indexes(guardian.id_number):
        return DuplicateCase(DUPLICATE)
    return DuplicateCase(duplicate_message(case), case.case_no)


def duplicate_message(case: Case) -> str:
    """The full message, for the case's own applicant or a desk that may see the case."""
    channel = {
        "online": "网上",
        "offline": "学校现场",
        "county": "县级系统",
        "kiosk": "自助终端",
    }.get(case.channel, case.channel)
    return (f"该学生本年度{SEGMENTS[case.segment]}已有报名办件（编号 {case.case_no}，{channel}办理，"
            f"状态：{STATUSES.get(case.status, case.status)}），不能重复报名。")  # fmt: skip


async def send_spouse_code(
    db: Database,
    client: ExchangeClient,
    settings: Settings,
    guardian: Guardian,
    case_no: str,
    spouse_id: str,
) -> dict[str, str]:
    """Step 3's authorisation code goes only to the child's other parent (police record or birth
    certificate), and not too often for one case or one person (``identity.rules.send_wait``)."""
    spouse = parse_id_number(spouse_id).value
    async with db.read_session() as session:
        draft = await load_draft(session, guardian, case_no)
    case, facts = draft.case, draft.facts
    ctx = draft.context(guardian.id_number)
    asks_a_parent(facts)
    if spouse in (guardian.id_number, facts.child.id_number):
        raise RuxueError("配偶身份证号码不能与监护人或学生相同。")
    birth = facts.birth_certificate
    if spouse not in parents_of(facts.child, birth) and birth is None:
        birth = await fetch_birth(client, ctx, facts.child.id_number)
    if spouse not in parents_of(facts.child, birth):
        raise StepError(NOT_OTHER_PARENT)
    async with db.write_session() as session:
        keys = [f"case:{case.case_no}", f"person:{pii.blind_index(spouse)}"]
        await take_send(session, keys, "授权验证码")
    reason = authorise_reason(guardian, facts)
    return await request_person_otp(settings, spouse, reason)


def asks_a_parent(facts: Facts) -> None:
    """A guardian in the parents' place applies alone: no parent is asked to authorise."""
    if facts.stands_in:
        raise StepOrder("您经区教育局核验作为学生的监护人单独办理，无需父母授权，请继续下一步。")


def authorise_reason(guardian: Guardian, facts: Facts) -> str:
    """Why step 3's code is sent: a parent for their child, or a relative the parents entrust."""
    if acts_for_parents(facts):
        return (f"{mask_name(guardian.name)}受托为您的子女{mask_name(facts.child.name)}办理入学“一件事”"
                "（监护关系已经区教育局核验），需您本人授权查询您的户籍、房产信息，")  # fmt: skip
    return f"{mask_name(guardian.name)}为子女办理入学“一件事”，申请查询您的户籍、房产和婚姻信息，"


async def set_spouse(
    db: Database,
    client: ExchangeClient,
    guardian: Guardian,
    case_no: str,
    spouse_id: str,
    verified_id: str,
) -> Case:
    """Step 3: the spouse authorised with the code the identity platform sent them. The draft is
    read and the spouse's consent written in one transaction, committed before the departments
    are asked about them; the case read here is the one written later (no second read: its
    version guards the write)."""
    spouse = parse_id_number(spouse_id).value
    if spouse != verified_id:
        raise RuxueError("授权验证码不属于该身份证号码。")
    async with db.write_session() as session:
        draft = await load_draft(session, guardian, case_no)
        case, facts = draft.case, draft.facts
        if spouse in (guardian.id_number, facts.child.id_number):
            raise RuxueError("配偶身份证号码不能与监护人或学生相同。")
        ctx = draft.context(guardian.id_number)
        consent = await _grant(session, case.case_no, spouse, [spouse])
    return await _attach(db, client, guardian, (case, facts, ctx), spouse, consent)


async def attach_spouse(
    db: Database,
    client: ExchangeClient,
    guardian: Guardian,
    case_no: str,
    spouse: str,
    consent: Consent,
) -> Case:
    """Step 3 once the spouse's own consent is recorded (by code, or by the spouse's own login):
    the police are asked about the spouse, who must be the child's other parent."""
    async with db.read_session() as session:
        draft = await load_draft(session, guardian, case_no)
    case, facts = draft.case, draft.facts
    ctx = draft.context(guardian.id_number)
    asks_a_parent(facts)
    return await _attach(db, client, guardian, (case, facts, ctx), spouse, consent)


async def _attach(
    db: Database,
    client: ExchangeClient,
    guardian: Guardian,
    read: tuple[Case, Facts, CallContext],
    spouse: str,
    consent: Consent,
) -> Case:
    case, facts, ctx = read
    ctx = CallContext(
        case_no=ctx.case_no,
        operator=ctx.operator,
        consents=(*ctx.consents, envelope_consent(consent)),
    )
    spouse_p, spouse_b = await fetch_person(client, ctx, spouse, "配偶")
    if (
        spouse not in (facts.child.father_id_number, facts.child.mother_id_number)
        and facts.birth_certificate is None
    ):
        apply_birth(facts, await client.ask(ctx, birth_ask(facts.child.id_number)))
    check_spouse(spouse_p, facts.child, facts.birth_certificate)
    async with rewrite(db, case) as session:
        facts.spouse, facts.booklets[spouse_b.booklet_no] = spouse_p, spouse_b
        _reset_after(case, facts, 4)
        case.consent_ids = [*case.consent_ids, consent.id]
        case.spouse_index, case.single_parent = pii.blind_index(spouse), False
        write_facts(case, facts)
        await add_event(session, case, actor(guardian), "spouse_consent", consent_id=consent.id)
        await add_event(
            session, case, "system", "fetch", step=3, services=["police.person", "police.hukou"]
        )
    return case


def not_withdrawable(case: Case) -> str:
    """Why a submitted case cannot be withdrawn online, and whom to contact instead."""
    policy = load_policy(case.year, case.district_code or "")
    contact, issuer = policy.contact, issuer_of(case.district_code)
    return (
        f"该办件已提交（当前状态：{STATUSES.get(case.status, case.status)}），提交后由{issuer}处理，"
        "网上不能撤回。如需放弃学位、更正信息或撤回申请，"
        f"请联系{issuer}（{contact.office}，电话 {contact.phone}），并说明办件编号 {case.case_no}。"
    )


WITHDRAWABLE = (Status.DRAFT, Status.QUALIFIED)  # a qualified case waits for the allocation run


async def withdraw(session: AsyncSession, guardian: Guardian, case_no: str) -> Case:
    """Before submission, or while a qualified case waits for the allocation run, the guardian may
    withdraw: every consent of the case ends now, no department is asked again for it, and the
    child may be registered afresh. Any other submitted case is the district's to change: the
    refusal says so and whom to contact."""
    case, _ = await load(session, guardian, case_no)
    if case.status not in WITHDRAWABLE:
        raise StepOrder(not_withdrawable(case))
    for consent in await consents_in_order(session, case.consent_ids):
        if consent.withdrawn_at is None:
            consent.withdrawn_at = utcnow()
    await lifecycle.withdraw(session, case, actor(guardian), now_of(session))
    return case


async def single_parent_records(
    db: Database, client: ExchangeClient, guardian: Guardian, case_no: str
) -> tuple[Case, Facts]:
    """What the civil registry (and the birth certificate) say before step 3 is skipped. Read,
    ask, no write."""
    async with db.read_session() as session:
        draft = await load_draft(session, guardian, case_no)
    case, facts = draft.case, draft.facts
    ctx = draft.context(guardian.id_number)
    asks = [marriage_ask(guardian.id_number)]
    if facts.birth_certificate is None:
        asks.append(birth_ask(facts.child.id_number))
    for answer in await client.ask_all(ctx, asks):
        (apply_marriage if answer.ask.service == "civil.marriage" else apply_birth)(facts, answer)
    return case, facts


NOT_SINGLE_PARENT = (
    "您经区教育局核验为学生的监护人（父母委托），须由学生的父亲或母亲本人授权，不能跳过此步。"
)


def married_message(other_parent: str) -> str:
    return (
        f"婚姻登记记录显示您与孩子的另一方父母（身份证尾号{pii.last_four(other_parent)}）"
        "为已婚状态，不能按单亲家庭跳过此步，请填写配偶信息并由其授权。"
        "如您认为记录有误，可申明记录有误，办件将连同您上传的材料转人工审核。"
    )


async def set_single_parent(
    db: Database, client: ExchangeClient, guardian: Guardian, case_no: str, contested: bool = False
) -> Case:
    """Step 3 skipped (domain.md "Single parent"): refused where the records show the applicant
    married to the child's other parent, unless the applicant says the records are wrong; then
    the decision goes to review (``rules.review_reasons``)."""
    case, facts = await single_parent_records(db, client, guardian, case_no)
    asks_a_parent(facts)
    if acts_for_parents(facts):
        raise RuxueError(NOT_SINGLE_PARENT)
    other = married_other_parent(facts)
    if other and not contested:
        raise RuxueError(married_message(other))
    marriages, unavailable = facts.marriages, facts.unavailable & {MARRIAGE}
    async with rewrite(db, case) as session:
        facts.spouse = None
        _reset_after(case, facts, 4)
        facts.marriages, facts.unavailable = marriages, facts.unavailable | unavailable
        case.spouse_index, case.single_parent = None, True
        write_facts(case, facts)
        await add_event(
            session, case, actor(guardian), "single_parent", contested=other is not None
        )
    return case


def _reset_after(case: Case, facts: Facts, step: int) -> None:
    """A change at an earlier step invalidates what later steps fetched."""
    if step <= 4:
        facts.residences, facts.chosen_cert, facts.housing_proof = [], None, None
        facts.marriages, facts.unavailable = [], set()
    case.step = min(case.step, step) if case.step > step else step


STEP_4 = [
    "xueji.student_status",
    "property.residences",
    "civil.marriage",
    "health.birth_certificate",
]


async def fetch_rest(
    db: Database, client: ExchangeClient, guardian: Guardian, case_no: str
) -> tuple[Case, Facts, list[str]]:
    """Step 4: student status, and (at once, to save the guardian's time) residences and records.
    Returns the rejection reasons that already apply, to tell the guardian now. Read, ask, write:
    no transaction is open while the departments answer."""
    async with db.read_session() as session:
        draft = await load_draft(session, guardian, case_no)
        case, facts = draft.case, draft.facts
        if case.single_parent is None and not facts.stands_in:
            raise StepOrder("请先完成第3步（配偶信息）。")
        ctx = draft.context(guardian.id_number)
        district = case.district_code or ""
        want = await cohort_gather.wanted(session, district, case.year, facts, draft.policy)
    asks, extra = other_asks(facts), cohort_gather.cohort_asks(facts, want, ctx)
    answers = await client.ask_all(ctx, asks + extra)
    apply_others(facts, answers[: len(asks)])
    if extra:
        cohort_gather.apply_cohort(facts, answers[len(asks) :])
    services = STEP_4 + sorted({a.service for a in extra} - set(STEP_4))
    async with rewrite(db, case) as session:
        case.step = max(case.step, 5)
        write_facts(case, facts)
        unavailable = sorted(facts.unavailable)
        await add_event(
            session, case, "system", "fetch", step=4, services=services, unavailable=unavailable
        )
    policy = load_policy(case.year, case.district_code or "")
    return case, facts, rejections(policy, facts)


async def suggested_residence(
    session: AsyncSession, case: repo.DraftRow, facts: Facts
) -> str | None:
    policy = load_policy(case.year, case.district_code or "")
    return best_residence(policy, facts, await school_refs(session))


async def choose_residence(
    db: Database, client: ExchangeClient, guardian: Guardian, case_no: str, cert_no: str | None,
) -> Case:  # fmt: skip
    """Step 5: the residence used for enrollment (or none); the registry's housing proof. The case
    changes only after the departments answered, in a transaction of its own."""
    async with db.read_session() as session:
        draft = await load_draft(session, guardian, case_no)
    case, facts = draft.case, draft.facts
    if case.step < 5:
        raise StepOrder("请先完成第4步（学籍核验）。")
    if cert_no and cert_no not in {p.cert_no for p in facts.residences}:
        raise RuxueError("所选房产不在家庭名下的住宅中，请重新选择。")
    ctx = draft.context(guardian.id_number)
    facts.chosen_cert = cert_no or None
    await fetch_housing_proof(client, ctx, facts)
    async with rewrite(db, case) as session:
        case.chosen_cert = facts.chosen_cert
        case.step = max(case.step, 6)
        write_facts(case, facts)
        await add_event(
            session,
            case,
            actor(guardian),
            "choose_residence",
            cert_no=pii.last_four(cert_no) if cert_no else None,
        )
    return case


async def confirm_materials(db: Database, guardian: Guardian, case_no: str) -> Case:
    """Step 6 done. Nothing is asked of anyone: the draft is read in the write transaction that
    moves it on (one transaction, not two), locked on PostgreSQL against another tab's step."""
    async with db.write_session() as session:
        case = await repo.case_of(session, guardian.id_number, case_no, lock=True)
        if case is None:
            raise NotFound(NO_CASE)
        _editable(case)
        if case.step < 6:
            raise StepOrder("请先完成第5步（房产信息）。")
        case.step = 7
    return case


async def submit(db: Database, now: dt.datetime, guardian: Guardian, case_no: str) -> Case:
    """Step 7: decide (outside the write), and issue the seat notice when the rules say so."""
    async with db.read_session() as session:
        draft = await load_draft(session, guardian, case_no)
        schools = await school_refs(session)
    case, facts = draft.case, draft.facts
    if case.step < 7:
        raise StepOrder(f"请先完成第{case.step}步。")
    policy = load_policy(case.year, case.district_code or "")
    check_window(policy, case.segment, now)
    decision = decide(policy, facts, schools)
    async with rewrite(db, case) as session:
        submitted = TraceEvent(actor(guardian), "submit")
        await record_decision(session, case, facts, decision, now, submitted, checked=draft.policy)
    return case


def local_date(value: dt.datetime | None) -> str:
    return f"{value.astimezone(CHINA):%Y年%m月%d日}" if value else ""
