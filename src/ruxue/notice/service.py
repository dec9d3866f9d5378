"""The notice of a case, and the public check of a notice's verification code."""

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.status import Status
from ruxue.elicence import repository as licences
from ruxue.elicence.models import REVOKED, REVOKING, Licence
from ruxue.kit.clock import now_of, utcnow
from ruxue.kit.crypto import sm3_hex
from ruxue.kit.errors import NotFound
from ruxue.kit.sm2 import SealKey
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


async def sealed_notice(
    session: AsyncSession, case: Case, seal: Path | SealKey, base_url: str
) -> Licence:
    """The notice's licence with its signed bytes, sealed once: the first to need them (the
    filing job or a download) renders and signs them in its write transaction; every later
    reader gets the same bytes, so the signature the library holds verifies on what is served."""
    licence = await licences.by_case(session, case.id, lock=True)
    if (
        case.outcome != Status.NOTICE_ISSUED
        or licence is None
        or licence.licence_no != case.notice_no
        or licence.status in (REVOKING, REVOKED)
    ):
        raise NotFound("该办件尚未发放学位告知书")
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


async def decision_document(session: AsyncSession, case: Case, base_url: str) -> tuple[str, bytes]:
    """The final document of a decided case, with its title: the rejection, or the seat notice as
    it was sealed (its signed bytes) once it has been, rendered until then."""
    if case.outcome == Status.REJECTED:
        return "不予通过告知书", rejection_pdf(case, base_url)
    licence = await licences.by_case(session, case.id)
    if licence is not None and licence.pdf and licence.licence_no == case.notice_no:
        return "公办地段学位告知书", licence.pdf
    return "公办地段学位告知书", await notice_pdf(session, case, base_url)
