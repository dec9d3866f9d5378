"""The notice of a case, and the public check of a notice's verification code."""

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.status import Status
from ruxue.kit.clock import utcnow
from ruxue.kit.errors import NotFound
from ruxue.notice.rejection import RejectionData, render_rejection
from ruxue.notice.render import NoticeData, render_notice
from ruxue.person.rules import mask_id_number
from ruxue.policy.explain import SEGMENTS, category_label, rejection_reasons
from ruxue.policy.facts import read_facts
from ruxue.policy.loader import CHINA, load_policy
from ruxue.reference.districts import issuer_of
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
    )  # fmt: skip


async def notice_pdf(session: AsyncSession, case: Case, base_url: str) -> bytes:
    return render_notice(await notice_data(session, case, base_url))


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
    )


def rejection_pdf(case: Case, base_url: str) -> bytes:
    return render_rejection(rejection_data(case, base_url))


async def decision_document(session: AsyncSession, case: Case, base_url: str) -> tuple[str, bytes]:
    """The final document of a decided case, with its title: the seat notice or the rejection."""
    if case.outcome == Status.REJECTED:
        return "不予通过告知书", rejection_pdf(case, base_url)
    return "公办地段学位告知书", await notice_pdf(session, case, base_url)
