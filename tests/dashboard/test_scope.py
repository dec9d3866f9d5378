"""A district reviewer's dashboard: a school of their district is shown under its name, a school
of another district is refused (page and API), not an empty dashboard under its code."""

from ruxue.kit.db import Database
from tests.support.helpers import ServerThread
from tests.support.staff import make_staff, staff_client

GUSU_SCHOOL, WUZHONG_SCHOOL = "3205080101", "3205060101"


async def test_a_reviewer_is_refused_another_districts_school(
    web: ServerThread, db: Database, schools: None
) -> None:
    reviewer = await staff_client(
        web, "gs-rev", await make_staff(db, "gs-rev", "reviewer", district="320508")
    )
    own = await reviewer.get(f"/staff/dashboard?school={GUSU_SCHOOL}")
    assert own.status_code == 200 and "苏州市平江实验学校" in own.text
    summary = await reviewer.get(f"/api/v1/dashboard/summary?school={GUSU_SCHOOL}")
    assert summary.json()["scope"]["label"] == "苏州市平江实验学校"
    other = await reviewer.get(f"/staff/dashboard?school={WUZHONG_SCHOOL}")
    assert other.status_code == 403 and other.headers["content-type"].startswith("text/html")
    assert "本区" in other.text and WUZHONG_SCHOOL not in other.text
    api = await reviewer.get(f"/api/v1/dashboard/summary?school={WUZHONG_SCHOOL}")
    assert api.status_code == 403
    unknown = await reviewer.get("/api/v1/dashboard/tables/schools.csv?school=9999999999")
    assert unknown.status_code == 403
    admin = await staff_client(web, "city", await make_staff(db, "city", "admin"))
    city = await admin.get(f"/staff/dashboard?school={WUZHONG_SCHOOL}")
    assert city.status_code == 200
    for client in (reviewer, admin):
        await client.aclose()
