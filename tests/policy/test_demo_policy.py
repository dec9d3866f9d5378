"""The demo's allocation district: 姑苏区 on ``allocation`` with a publication date and 苏州市平江实验学校
cut to 2 seats (its 3 demo families oversubscribe it); a second start changes nothing."""

import datetime as dt

from sqlalchemy import func, select

from ruxue.cli.policy import DEMO_DISTRICT, DEMO_SCHOOL, seed_demo_policy
from ruxue.kit.db import Database
from ruxue.policy.models import PolicyVersion
from ruxue.policy.service import cohort_policy
from ruxue.reference.models import School
from ruxue.staff.models import AuditEntry


async def test_the_demo_district_allocates_and_a_second_start_changes_nothing(
    db: Database, schools: None
) -> None:
    said = await seed_demo_policy(db, 2026)
    assert said == "姑苏区集中分配学位：苏州市平江实验学校仅 2 个学位"
    assert await seed_demo_policy(db, 2026) == said
    async with db.read_session() as session:
        policy = await cohort_policy(session, DEMO_DISTRICT, 2026)
        school = await session.get(School, DEMO_SCHOOL)
        versions = await session.scalar(select(func.count()).select_from(PolicyVersion))
        audited = await session.scalar(select(func.count()).select_from(AuditEntry))
        others = await cohort_policy(session, "320506", 2026)
    assert (policy.placement, policy.date("publish_on")) == ("allocation", dt.date(2026, 7, 10))
    assert school is not None and school.capacity == 2
    assert (versions, audited) == (1, 1)
    assert others.placement == "at_submission"
