"""The desk ticks an original, the rules send the case to the district's review (an upload still
to check): the case stays on the desk's page and on its school's list, with its status."""

from sqlalchemy import func, select

from ruxue.kit.db import Database
from ruxue.staff.models import AuditEntry
from tests.support.helpers import ServerThread
from tests.support.review import PINGJIANG, SUN, SUN_CHILD, WU, sun_needs_materials, upload
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


async def count_audit(db: Database, action: str) -> int:
    async with db.read_session() as session:
        query = select(func.count()).where(AuditEntry.action == action)
        return int(await session.scalar(query.select_from(AuditEntry)) or 0)


async def test_the_desk_unmasks_what_it_checks_and_every_view_is_audited(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    desk = await staff_client(web, "pj-u", await make_staff(db, "pj-u", "desk", school=PINGJIANG))
    masked = (await desk.get(f"/staff/cases/{no}")).text
    assert SUN_CHILD not in masked and SUN not in masked and 'id="unmask"' in masked
    full = await desk.post(f"/staff/cases/{no}/unmask")
    assert full.status_code == 200 and 'id="unmasked"' in full.text
    assert SUN_CHILD in full.text and SUN in full.text and WU in full.text
    assert "记入审计日志" in full.text
    assert await count_audit(db, "case_unmask") == 1
    assert SUN_CHILD not in (await desk.get(f"/staff/cases/{no}")).text  # masked again
    archivist = await staff_client(web, "arc-u", await make_staff(db, "arc-u", "archivist"))
    assert (await archivist.post(f"/staff/cases/{no}/unmask")).status_code in (403, 404)
    assert await count_audit(db, "case_unmask") == 1
    for client in (guardian, desk, archivist):
        await client.aclose()
