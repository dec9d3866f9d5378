"""The administrators' case search: by case number, the ID number's last four characters or in
full, the child's name; narrowed to what the staff member may see, audited without the terms, and
leading to the case page where a notice is revoked."""

from sqlalchemy import select

from ruxue.kit.db import Database
from ruxue.staff.models import AuditEntry
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in
from tests.support.staff import make_staff, staff_client


async def test_the_city_finds_a_case_by_number_id_tail_or_name_and_reaches_the_revocation(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    no = (await apply(guardian, sandbox, "primary", WANG_CHILD, LIU))["case_no"]
    admin = await staff_client(web, "city-s", await make_staff(db, "city-s", "admin"))
    assert 'id="search-link"' in (await admin.get("/staff")).text
    for terms in (
        {"case_no": no.lower()},
        {"id_part": WANG_CHILD[-4:]},
        {"id_part": WANG_CHILD},
        {"name": "王小明"},
        {"name": "王小明", "id_part": WANG_CHILD[-4:]},
    ):
        found = await admin.post("/staff/search", data=terms)
        assert found.status_code == 200 and f'id="open-{no}"' in found.text, terms
        assert WANG_CHILD not in found.text.replace(f'value="{WANG_CHILD}"', "")  # masked
    assert (
        f'id="open-{no}"' not in (await admin.post("/staff/search", data={"name": "王大明"})).text
    )
    empty = await admin.post("/staff/search", data={})
    assert empty.status_code == 400 and "请至少填写一项" in empty.text
    case_page = (await admin.get(f"/staff/cases/{no}")).text
    assert "revoke-notice" in case_page  # the revocation is on the page the search leads to

    other = await staff_client(
        web, "wz-s", await make_staff(db, "wz-s", "reviewer", district="320506")
    )
    assert f"open-{no}" not in (await other.post("/staff/search", data={"case_no": no})).text
    desk = await staff_client(
        web, "pj-s", await make_staff(db, "pj-s", "desk", school="3205080101")
    )
    assert (await desk.post("/staff/search", data={"case_no": no})).status_code == 403
    async with db.read_session() as session:
        query = select(AuditEntry.detail).where(AuditEntry.action == "case_search")
        details = [str(d) for d in (await session.scalars(query)).all()]
    assert len(details) >= 6 and not any(WANG_CHILD[-4:] in d or "王" in d for d in details)
    for client in (guardian, admin, other, desk):
        await client.aclose()
