"""The notice of a case, and the public check of a notice's verification code.

The final documents are made once, off the request path: the seat notice sealed by the licence's
filing job (``elicence.tasks.register``), the 不予通过告知书 rendered and kept by
``notice.tasks.keep``. A reader who comes before the job (``made_document``) is told "being
prepared", and makes the document itself only when the job is late by
``Settings.notice_render_after_s`` (the worker is down or far behind), so nobody waits forever."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.status import Status
from ruxue.elicence import repository as licences
from ruxue.elicence.models import REVOKED, REVOKING, Licence
from ruxue.kit.clock import now_of, utcnow
from ruxue.kit.crypto import sm3_hex
from ruxue.kit.errors import NotFound
from ruxue.kit.sm2 import SealKey
from ruxue.notice.models import RejectionLetter
from ruxue.notice.rejection import Appeal, RejectionData, render_rejection
from ruxue.notice.render import NoticeData, render_notice
from ruxue.person.rules import mask_id_number
from ruxue.policy.explain import SEGMENTS, category_label, rejection_reasons
from ruxue.policy.facts import read_facts
from ruxue.policy.loader import CHINA, Policy, load_policy
from ruxue.reference.districts import issuer_of, review_body_of
from ruxue.reference.repository import get_school


async def notice_data(session: AsyncSession, case: Case, base_url: str) -> NoticeData:
    if case.outcome != Status.NOTICE_ISSUED or not case.notice_no or not case.school_code:
        raise NotFound("该办件尚未发放学位告知书")
    facts = read_facts(case)
    school = await get_school(session, case.school_code)
    issued = (case.notice_issued_at or utcnow()).astimezone(CHINA).date()
    return NoticeData(
        notice_no=case.notice_no, child_name=facts.child.name, child_id_masked=mask_id_number(facts.child.id_number),
        segment=SEGMENTS[case.segment], school_name=school.name if school else case.school_code,
        category=category_label(case.category), issuer=issuer_of(case.district_code),
        issued_on=issued, verify_url=f"{base_url}/verify/{case.verify_code}", channel=case.channel,
        placement=case.placement,
    )  # fmt: skip


async def notice_pdf(session: AsyncSession, case: Case, base_url: str) -> bytes:
    return render_notice(await notice_data(session, case, base_url))


RETRY_AFTER_S = 2  # what a reader told "being prepared" first waits before asking again
RETRY_AFTER_MAX_S = 30


def retry_after_s(age_s: float) -> int:
    """How long a reader told "being prepared" waits before asking again: as long as the document
    has already waited, from ``RETRY_AFTER_S`` to ``RETRY_AFTER_MAX_S`` — the polls of one family
    grow as 2, 2, 4, 8, 16 … s, so a backlog of the niced workers on the peak morning costs the app
    a few requests per family, not one every 2 s (round 2 of issue 24 measured 9 a family)."""
    return max(RETRY_AFTER_S, min(RETRY_AFTER_MAX_S, int(age_s)))


def age_s(since: dt.datetime) -> float:
    """Seconds since the document's job was queued (wall clock, as ``overdue``)."""
    return (utcnow() - since).total_seconds()


def overdue(since: dt.datetime, after_s: float) -> bool:
    """Whether the job that makes a document queued at ``since`` is late by ``after_s`` seconds,
    so that a reader makes it instead. Wall clock, as leases are (``kit.clock``): a demo's fixed
    app clock would otherwise never let the bound pass."""
    return utcnow() - since >= dt.timedelta(seconds=after_s)


async def issued_licence(session: AsyncSession, case: Case, lock: bool = False) -> Licence:
    """The licence of the case's notice in force, sealed or not yet; NotFound if there is none
    (not issued, or revoked)."""
    licence = await licences.by_case(session, case.id, lock=lock)
    if (
        case.outcome != Status.NOTICE_ISSUED
        or licence is None
        or licence.licence_no != case.notice_no
        or licence.status in (REVOKING, REVOKED)
    ):
        raise NotFound("该办件尚未发放学位告知书")
    return licence


async def sealed_notice(
    session: AsyncSession, case: Case, seal: Path | SealKey, base_url: str
) -> Licence:
    """The notice's licence with its signed bytes, sealed once: the first to need them (the
    filing job, or a reader once the job is late) renders and signs them in its write
    transaction; every later reader gets the same bytes, so the signature the library holds
    verifies on what is served."""
    licence = await issued_licence(session, case, lock=True)
    if not licence.pdf:
        key = seal if isinstance(seal, SealKey) else SealKey.load_or_create(seal)
        pdf = await notice_pdf(session, case, base_url)
        licence.pdf, licence.pdf_sm3, licence.signed_at = pdf, sm3_hex(pdf), now_of(session)
        licence.signature_hex, licence.key_id = key.sign(pdf).hex(), key.key_id()
        await session.flush()
    return licence


def rejection_data(case: Case, base_url: str) -> RejectionData:
    if case.outcome != Status.REJECTED or not case.rejection_no:
        raise NotFound("该办件没有不予通过告知书")
    facts = read_facts(case)
    policy = load_policy(case.year, case.district_code or "")
    issued = (case.rejected_at or utcnow()).astimezone(CHINA).date()
    return RejectionData(
        rejection_no=case.rejection_no,
        case_no=case.case_no,
        child_name=facts.child.name,
        child_id_masked=mask_id_number(facts.child.id_number),
        segment=SEGMENTS[case.segment],
        year=case.year,
        reasons=rejection_reasons(policy, case.reasons, case.explanation),
        issuer=issuer_of(case.district_code),
        issued_on=issued,
        verify_url=f"{base_url}/verify/{case.verify_code}",
        channel=case.channel,
        appeal=appeal_of(policy, case.district_code),
    )


def appeal_of(policy: Policy, district_code: str | None) -> Appeal:
    """The district's 复核 contact and period (its policy) and its 行政复议机关."""
    contact = policy.contact
    return Appeal(
        office=contact.office,
        phone=contact.phone,
        channel=contact.channel,
        review_days=contact.review_days,
        review_body=review_body_of(district_code),
    )


def rejection_pdf(case: Case, base_url: str) -> bytes:
    return render_rejection(rejection_data(case, base_url))


async def kept_rejection(session: AsyncSession, case: Case) -> bytes | None:
    """The 不予通过告知书 as it was rendered and kept, None until then; NotFound if the case has
    none (a case is rejected once: ``cases.status``)."""
    if case.outcome != Status.REJECTED or not case.rejection_no:
        raise NotFound("该办件没有不予通过告知书")
    query = select(RejectionLetter.pdf).where(RejectionLetter.case_id == case.id)
    pdf: bytes | None = await session.scalar(query)
    return pdf


async def keep_rejection(session: AsyncSession, case: Case, base_url: str) -> bytes:
    """The 不予通过告知书, rendered and kept by the first to need it (the job, or a reader once the
    job is late). Two first writers at once both render; the second's row is dropped (ON CONFLICT
    DO NOTHING) and both serve the kept bytes."""
    kept = await kept_rejection(session, case)
    if kept is not None:
        return kept
    pdf = rejection_pdf(case, base_url)
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = (pg_insert if postgres else sqlite_insert)(RejectionLetter).values(
        case_id=case.id,
        rejection_no=case.rejection_no,
        pdf=pdf,
        pdf_sm3=sm3_hex(pdf),
        rendered_at=now_of(session),
    )
    await session.execute(insert.on_conflict_do_nothing(index_elements=["case_id"]))
    return await kept_rejection(session, case) or pdf


async def final_document(
    session: AsyncSession, case: Case, seal: Path | SealKey, base_url: str
) -> None:
    """Make the decided case's document now if its job has not (the archive's build, a print at
    the kiosk once the job is late): the notice sealed, the rejection kept."""
    if case.outcome == Status.REJECTED:
        await keep_rejection(session, case, base_url)
    elif case.outcome == Status.NOTICE_ISSUED:
        await sealed_notice(session, case, seal, base_url)


@dataclass(frozen=True)
class Made:
    """A decided case's document as its job left it."""

    title: str
    pdf: bytes | None  # None: not made yet
    since: dt.datetime  # when its job was queued (wall clock: ``overdue``)


async def made_document(session: AsyncSession, case: Case) -> Made:
    """The final document of a decided case if its job made it; NotFound if it has none."""
    if case.outcome == Status.REJECTED:
        return Made("不予通过告知书", await kept_rejection(session, case), case.updated_at)
    licence = await issued_licence(session, case)
    return Made("公办地段学位告知书", licence.pdf or None, licence.issued_at)


async def decision_document(session: AsyncSession, case: Case, base_url: str) -> tuple[str, bytes]:
    """The final document of a decided case, with its title: the rejection as it was kept, or the
    seat notice as it was sealed (its signed bytes); rendered here only if neither was made."""
    if case.outcome == Status.REJECTED:
        kept = await kept_rejection(session, case)
        return "不予通过告知书", kept if kept is not None else rejection_pdf(case, base_url)
    licence = await licences.by_case(session, case.id)
    if licence is not None and licence.pdf and licence.licence_no == case.notice_no:
        return "公办地段学位告知书", licence.pdf
    return "公办地段学位告知书", await notice_pdf(session, case, base_url)
