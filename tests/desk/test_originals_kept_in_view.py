"""The desk ticks an original, the rules send the case to the district's review (an upload still
to check): the case stays on the desk's page and on its school's list, with its status."""

from ruxue.kit.db import Database
from tests.support.helpers import ServerThread
from tests.support.review import PINGJIANG, sun_needs_materials, upload
from tests.support.staff import make_staff, staff_client


async def test_the_desk_still_sees_a_case_its_originals_sent_to_review(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    assert (await upload(guardian, no, "MARRIAGE_CERTIFICATE")).status_code == 200
    desk = await staff_client(web, "pj-o", await make_staff(db, "pj-o", "desk", school=PINGJIANG))
    ticked = await desk.post(
        f"/staff/cases/{no}/originals",
        data={"seen_BIRTH_CERTIFICATE": "on", "no_BIRTH_CERTIFICATE": "P320000999"},
    )
    assert ticked.status_code == 303 and ticked.headers["location"] == f"/staff/cases/{no}"
    page = await desk.get(ticked.headers["location"])
    assert page.status_code == 200, page.text[:300]
    assert "人工审核中" in page.text
    home = (await desk.get("/staff")).text
    assert no in home
    for client in (guardian, desk):
        await client.aclose()
