"""Over HTTP: a family applies and is qualified; the administrator runs the dry run, publishes after
the confirmation step (a second publication refused with a clear message); the family's API and
status page say where it was placed and why; the public list shows the lines and the seed and
no personal data."""

import httpx
from sqlalchemy import select

from ruxue.archive import tasks
from ruxue.cases.models import Case
from ruxue.cohort import publication as service
from ruxue.cohort.publication import RunKey
from ruxue.kit.db import Database
from tests.support.cohort import (
    DISTRICT,
    NORTH,
    NOW,
    SOUTH,
    YEAR,
    four_children,
    qualify_all,
    wang_qualified,
)
from tests.support.helpers import ServerThread
from tests.support.personas import WANG_CHILD
from tests.support.staff import make_staff, staff_client

SEED = "0a1b2c3d4e5f"
ASKED = {"district": DISTRICT, "segment": "primary", "year": str(YEAR), "seed": SEED}


async def test_the_administrator_publishes_and_the_family_reads_where_and_why(
    web: ServerThread, sandbox: ServerThread, db: Database, district: None
) -> None:
    others = [c for c in four_children() if c.case_id != "case-0003"]
    await qualify_all(db, others)
    guardian, no = await wang_qualified(web, sandbox, db)
    secret = await make_staff(db, "cohort-admin", "admin", district=DISTRICT)
    admin = await staff_client(web, "cohort-admin", secret)

    dry = await admin.get("/staff/cohort", params=ASKED)
    assert dry.status_code == 200 and 'id="report"' in dry.text
    assert "A类 2018-06-01" in dry.text and "资格审核通过 4 人" in dry.text
    confirm = await admin.post("/staff/cohort/publish", data=ASKED)
    assert confirm.status_code == 200 and 'id="confirm-publish"' in confirm.text
    async with db.read_session() as session:  # the API's "qualified" is the deciding branch's
        assert await session.scalar(select(Case.status).where(Case.case_no == no)) == "qualified"

    done = await admin.post("/staff/cohort/publish", data={**ASKED, "confirmed": "1"})
    assert done.status_code == 303, done.text
    again = await admin.post("/staff/cohort/publish", data={**ASKED, "confirmed": "1"})
    assert again.status_code == 409 and "已经发布，不能再次发布" in again.text

    view = (await guardian.get(f"/api/v1/cases/{no}")).json()
    assert (view["status"], view["school_code"], view["placement"]) == (
        "notice_issued", SOUTH.code, "overflow"
    )  # fmt: skip
    assert view["category"] == "B" and view["notice_no"]
    assert "统筹" in view["explanation"] and "A类 2018-06-01" in view["explanation"]
    page = await guardian.get(f"/cases/{no}")
    assert "区教育局统筹安排（统筹学位）" in page.text
    notice = await guardian.get(f"/cases/{no}/notice.html")
    assert "区教育局统筹安排（施教区学校学位已满）" in notice.text

    async with httpx.AsyncClient(base_url=web.url) as public:  # no login
        lines = await public.get("/cohort/lines")
    assert lines.status_code == 200 and SEED in lines.text
    assert NORTH.code in lines.text and "A类 2018-06-01" in lines.text
    assert no not in lines.text and WANG_CHILD not in lines.text and "王" not in lines.text
    await guardian.aclose()
    await admin.aclose()


async def test_another_districts_administrator_may_not_run_it(
    web: ServerThread, db: Database, district: None
) -> None:
    secret = await make_staff(db, "other-admin", "admin", district="320506")
    admin = await staff_client(web, "other-admin", secret)
    refused = await admin.get("/staff/cohort", params=ASKED)
    assert refused.status_code == 403
    await admin.aclose()


async def test_a_placed_case_is_filed_in_the_archive_with_the_placement_as_its_decision(
    web: ServerThread, sandbox: ServerThread, db: Database, district: None, archive_env: None
) -> None:
    guardian, no = await wang_qualified(web, sandbox, db)
    await guardian.aclose()
    await service.publish(db, RunKey(DISTRICT, "primary", YEAR), SEED, "cli:test", NOW, _quiet)
    number = await tasks.build_case(db, no)  # raises FilingFailed when a 四性 item fails
    assert number is not None and number.startswith("DA2026320508")


def _quiet(done: int, total: int) -> None:
    return None
