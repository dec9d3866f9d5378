"""A desk looks a child up by POST (no ID number in any URL), at most 20 times in ten minutes."""

from ruxue.kit.db import Database
from tests.support.helpers import ServerThread
from tests.support.personas import WANG_CHILD
from tests.support.staff import make_staff, staff_client


async def test_the_21st_lookup_gets_429(web: ServerThread, db: Database) -> None:
    secret = await make_staff(db, "desk-l", "desk", school="3205080101")
    http = await staff_client(web, "desk-l", secret)
    try:
        assert (await http.get(f"/api/v1/staff/children/{WANG_CHILD}")).status_code in (404, 405)
        body = {"child_id_number": WANG_CHILD}
        answers = [await http.post("/api/v1/staff/children/lookup", json=body) for _ in range(20)]
        assert {a.status_code for a in answers} == {200}
        assert answers[0].json() == {"case": None}
        limited = await http.post("/api/v1/staff/children/lookup", json=body)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
        page = await http.post("/staff/desk/find", data={"child": WANG_CHILD})
        assert page.status_code == 429 and "操作过于频繁" in page.text
    finally:
        await http.aclose()
