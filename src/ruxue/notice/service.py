"""The notice of a case, and the public check of a notice's verification code."""

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.enrollment.explain import SEGMENTS, category_label
from ruxue.enrollment.models import Case
from ruxue.enrollment.policy import CHINA
from ruxue.enrollment.repository import read_facts
from ruxue.kit.errors import NotFound
from ruxue.notice.issuers import issuer_of
from ruxue.notice.render import NoticeData, render_notice
from ruxue.person.rules import mask_id_number
from ruxue.schools.repository import get_school


async def notice_data(session: AsyncSession, case: Case, base_url: str) -> NoticeData:
    if case.outcome != "notice_issued" or not case.notice_no or not case.school_code:
        raise NotFound("该办件尚未发放学位告知书")
    facts = read_facts(case)
    school = await get_school(session, case.school_code)
    issued = (case.notice_issued_at or dt.datetime.now(dt.UTC)).astimezone(CHINA).date()
    return NoticeData(
        notice_no=case.notice_no, child_name=facts.child.name, child_id_masked=mask_id_number(facts.child.id_number),
        segment=SEGMENTS[case.segment], school_name=school.name if school else case.school_code,
        category=category_label(case.category), issuer=issuer_of(case.district_code),
        issued_on=issued, verify_url=f"{base_url}/verify/{case.verify_code}", channel=case.channel,
    )  # fmt: skip


async def notice_pdf(session: AsyncSession, case: Case, base_url: str) -> bytes:
    return render_notice(await notice_data(session, case, base_url))
