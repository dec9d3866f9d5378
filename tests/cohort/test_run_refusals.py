"""Found walking the demo: the run refuses a district not on ``allocation`` and a segment the
cohort has not (page and ``ruxue allocate``, nothing written), and after publication the
administrator's page shows what was published, never a success dressed as an error nor a dry
run over the seats the publication took."""

import asyncio

from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from ruxue.cli.main import app
from ruxue.cohort.models import CohortRun
from ruxue.kit.db import Database
from tests.support.cohort import DISTRICT, YEAR, four_children, qualify_all
from tests.support.helpers import ServerThread
from tests.support.staff import make_staff, staff_client

SEED = "0a1b2c3d4e5f"
AT_SUBMISSION = "320506"  # 吴中区: no cohort policy, every notice at submission
ASKED = {"district": DISTRICT, "segment": "primary", "year": str(YEAR), "seed": SEED}


async def cli(*args: str, answer: str | None = None) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), input=answer)


async def runs(db: Database) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(CohortRun)) or 0)


async def test_after_publishing_the_page_shows_the_published_lines_and_no_error(
    web: ServerThread, db: Database, district: None
) -> None:
    await qualify_all(db, four_children())
    secret = await make_staff(db, "walk-admin", "admin", district=DISTRICT)
    admin = await staff_client(web, "walk-admin", secret)
    done = await admin.post("/staff/cohort/publish", data={**ASKED, "confirmed": "1"})
    assert done.status_code == 303, done.text
    page = await admin.get(done.headers["location"])
    assert page.status_code == 200
    assert 'id="published-lines"' in page.text and "A类 2018-06-01" in page.text
    assert 'id="page-error"' not in page.text and 'id="cohort-error"' not in page.text
    assert 'id="report"' not in page.text and "资格审核通过 0 人" not in page.text
    assert "告知书已发放" in page.text and "不能再次发布" in page.text
    await admin.aclose()


async def test_a_district_not_on_allocation_is_refused_on_the_page(
    web: ServerThread, db: Database, district: None
) -> None:
    secret = await make_staff(db, "walk-city", "admin")  # the city's: any district
    admin = await staff_client(web, "walk-city", secret)
    asked = {**ASKED, "district": AT_SUBMISSION}
    dry = await admin.get("/staff/cohort", params=asked)
    assert dry.status_code == 400 and "未实行集中分配学位" in dry.text
    assert 'id="report"' not in dry.text
    sent = await admin.post("/staff/cohort/publish", data={**asked, "confirmed": "1"})
    assert sent.status_code == 400 and "未实行集中分配学位" in sent.text
    assert await runs(db) == 0
    await admin.aclose()


async def test_allocate_refuses_a_bad_segment_and_a_district_not_on_allocation(
    db: Database, district: None, cli_env: None
) -> None:
    base = ["allocate", "--year", str(YEAR), "--seed", SEED]
    senior = await cli(*base, "--district", DISTRICT, "--segment", "senior")
    assert senior.exit_code != 0 and "学段应为 primary" in senior.output
    published = await cli(
        *base, "--district", DISTRICT, "--segment", "senior", "--publish", "--yes"
    )
    assert published.exit_code != 0 and "学段应为 primary" in published.output
    assert await runs(db) == 0


async def test_the_city_administrator_chooses_among_the_districts_on_allocation(
    web: ServerThread, db: Database, district: None
) -> None:
    secret = await make_staff(db, "walk-chooser", "admin")  # the city's: no district of its own
    admin = await staff_client(web, "walk-chooser", secret)
    page = await admin.get("/staff/cohort")
    assert page.status_code == 200 and '<select name="district" id="district">' in page.text
    assert f'<option value="{DISTRICT}">姑苏区（{DISTRICT}）</option>' in page.text
    assert f'value="{AT_SUBMISSION}"' not in page.text
    await admin.aclose()


async def test_the_confirmation_warns_when_publishing_before_the_date_families_were_told(
    web: ServerThread, db: Database, district: None
) -> None:
    secret = await make_staff(db, "walk-early", "admin", district=DISTRICT)
    admin = await staff_client(web, "walk-early", secret)
    confirm = await admin.post("/staff/cohort/publish", data=ASKED)  # the clock: 2026-06-15
    assert confirm.status_code == 200 and 'id="confirm-publish"' in confirm.text
    assert 'id="early"' in confirm.text and "2026年7月10日" in confirm.text
    assert f"姑苏区（{DISTRICT}）" in confirm.text  # the district by its name
    await admin.aclose()
