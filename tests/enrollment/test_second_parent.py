"""Issue 23: the parent who authorised step 3 (刘芳, for 王建国's application) sees the case and
its notice, never changes it, and can end their own consent: a draft loses their data and goes
back to step 3; a decided case keeps its decision and no department is asked about them again."""

from sqlalchemy import select

from ruxue.exchange.models import Consent
from ruxue.kit import pii
from ruxue.kit.db import Database
from ruxue.settings import Settings
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.notice import downloaded
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import last_sms_code, logged_in


async def _liu_consents(db: Database) -> list[Consent]:
    async with db.read_session() as session:
        query = select(Consent).where(Consent.grantor_index.in_(pii.blind_indexes(LIU)))
        return list((await session.scalars(query)).all())


async def test_the_second_parent_sees_the_notice_and_ends_their_consent(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings
) -> None:
    wang = await logged_in(web, sandbox, WANG)
    case = await apply(wang, sandbox, "primary", WANG_CHILD, LIU)
    no = case["case_no"]
    assert case["status"] == "notice_issued"
    liu = await logged_in(web, sandbox, LIU)
    mine = await liu.get("/apply")
    assert 'id="authorised"' in mine.text and no in mine.text
    page = await liu.get(f"/cases/{no}/authorised")
    assert page.status_code == 200 and 'id="notice"' in page.text
    notice = await downloaded(liu, db, settings, f"/api/v1/cases/{no}/notice.pdf")
    assert notice.content.startswith(b"%PDF")
    assert (await liu.get(f"/cases/{no}/step/3")).status_code == 404  # reads, never changes
    ended = await liu.post(f"/cases/{no}/authorised/withdraw")
    assert ended.status_code == 303
    assert all(c.withdrawn_at is not None for c in await _liu_consents(db))
    assert (await wang.get(f"/api/v1/cases/{no}")).json()["status"] == "notice_issued"
    for client in (wang, liu):
        await client.aclose()


async def test_a_draft_goes_back_to_step_three_when_the_second_parent_ends_consent(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    wang = await logged_in(web, sandbox, WANG)
    body = {"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}
    no = (await wang.post("/api/v1/cases", json=body)).json()["case_no"]
    sent = await wang.post(f"/api/v1/cases/{no}/spouse/code", json={"spouse_id_number": LIU})
    code = await last_sms_code(sandbox)
    done = await wang.post(f"/api/v1/cases/{no}/spouse",
                           json={"spouse_id_number": LIU, "txn": sent.json()["txn"], "code": code})  # fmt: skip
    assert done.status_code == 200 and done.json()["step"] == 4
    liu = await logged_in(web, sandbox, LIU)
    assert (await liu.post(f"/cases/{no}/authorised/withdraw")).status_code == 303
    after = (await wang.get(f"/api/v1/cases/{no}")).json()
    assert after["step"] == 3 and not any(f["label"] == "配偶" for f in after["fetched"])
    assert all(c.withdrawn_at is not None for c in await _liu_consents(db))
    on = await wang.post(f"/api/v1/cases/{no}/single-parent", params={"contested": True})
    assert on.status_code == 200, on.text  # the applicant goes on, without 刘芳's consent
    for client in (wang, liu):
        await client.aclose()
