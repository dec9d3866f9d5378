"""A grandparent with an approved guardianship request gets honestly to a notice (issue 23): the
request's basis decides whether 孙建华 stands in the parents' place (applies alone, his own
records count) or fills in for parents who authorise (the father authorises; the parents'
records count; his own flat only because his granddaughter's hukou is in his booklet there)."""

from pathlib import Path

import httpx
from sqlalchemy import select

from ruxue.archive.build import build_package
from ruxue.archive.storage import LocalLibrary
from ruxue.cases.models import Case
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.notify.gateway import SmsGateway
from ruxue.notify.tasks import send_pending
from ruxue.settings import Settings
from tests.support.grandparent import (
    CHILD,
    FATHER,
    GRANDPA,
    GRANDPA_FLAT,
    GRANDPA_OTHER_FLAT,
    PARENTS_FLAT,
    family_servers,
)
from tests.support.helpers import ServerThread
from tests.support.session import last_sms_code, logged_in
from tests.support.sms import sms_to
from tests.support.staff import make_staff, staff_client

START = {"segment": "primary", "child_id_number": CHILD, "consent": True}
FILE = {"child_id_number": CHILD, "relationship": "grandparent", "note": "父母在昆山工作"}


async def _approved(
    web: ServerThread, sandbox: ServerThread, db: Database, basis: str
) -> tuple[httpx.AsyncClient, httpx.AsyncClient, str]:
    grandpa = await logged_in(web, sandbox, GRANDPA)
    filed = await grandpa.post("/api/v1/guardianship", json=FILE)
    assert filed.status_code == 201, filed.text
    no = filed.json()["request_no"]
    reviewer = await staff_client(
        web, "rev-gp", await make_staff(db, "rev-gp", "reviewer", district="320508")
    )
    url = f"/api/v1/review/guardianship/{no}/approve"
    bare = await reviewer.post(url, json={"reason": "材料属实"})
    assert bare.status_code == 400 and "监护依据" in bare.json()["message"]  # the basis is recorded
    done = await reviewer.post(url, json={"reason": "材料属实", "basis": basis})
    assert done.status_code == 200 and done.json()["basis"] == basis, done.text
    return grandpa, reviewer, no


async def _finish(grandpa: httpx.AsyncClient, no: str, cert: str) -> dict:  # type: ignore[type-arg]
    assert (await grandpa.post(f"/api/v1/cases/{no}/checks")).status_code == 200
    homes = (await grandpa.get(f"/api/v1/cases/{no}/residences")).json()
    listed = {h["cert_no"] for h in homes["residences"]}
    chosen = await grandpa.post(f"/api/v1/cases/{no}/residence", json={"cert_no": cert})
    assert chosen.status_code == 200, chosen.text
    assert (await grandpa.post(f"/api/v1/cases/{no}/materials/done")).status_code == 200
    submitted = await grandpa.post(f"/api/v1/cases/{no}/submit")
    assert submitted.status_code == 200, submitted.text
    return {**submitted.json(), "listed": listed}


async def test_a_guardian_in_the_parents_place_applies_alone_to_a_notice(
    settings: Settings, schools: None, db: Database, tmp_path: Path
) -> None:
    with family_servers(settings) as (web, sandbox):
        grandpa, reviewer, request_no = await _approved(web, sandbox, db, "court_order")
        created = await grandpa.post("/api/v1/cases", json=START)
        assert created.status_code == 201, created.text
        no = created.json()["case_no"]
        assert created.json()["step"] == 4  # step 3 skipped: no parent is asked
        page = (await grandpa.get(f"/cases/{no}/step/3")).text
        assert "您的配偶" not in page and "单独办理" in page and "单亲家庭" not in page
        before_father = len(await sms_to(sandbox, FATHER))
        refused = await grandpa.post(f"/api/v1/cases/{no}/spouse/code",
                                     json={"spouse_id_number": FATHER})  # fmt: skip
        assert refused.status_code == 409 and "无需" in refused.json()["message"]
        decided = await _finish(grandpa, no, GRANDPA_FLAT)
        assert {GRANDPA_FLAT, GRANDPA_OTHER_FLAT} <= decided["listed"]  # his own flats count
        assert decided["status"] == "notice_issued", decided
        assert decided["category"] == "A" and "MARRIAGE_CERTIFICATE" not in decided["missing"]
        shown = {f["label"]: f["value"] for f in decided["fetched"]}
        assert "配偶" not in shown and request_no in shown["监护关系核验"]
        assert "法院" in shown["监护关系核验"]
        staff_page = await reviewer.get(f"/staff/cases/{no}")
        assert request_no in staff_page.text and "法院判决或裁定指定监护" in staff_page.text
        await send_pending(db, SmsGateway(f"{sandbox.url}/_sandbox/sms"))
        to_father = await sms_to(sandbox, FATHER)
        assert not any("配偶" in m["text"] for m in to_father), to_father
        assert len(to_father) == before_father  # told when the request was filed, not asked now
        number = await _filed(settings, db, tmp_path, no)
        desk = await staff_client(
            web, "desk-gp", await make_staff(db, "desk-gp", "desk", school="3205080101")
        )
        archive = await desk.post(f"/staff/archive/{number}", data={"why": "新生报到核对"})
        assert archive.status_code == 200 and request_no in archive.text
        assert "法院判决或裁定指定监护" in archive.text
        for client in (grandpa, reviewer, desk):
            await client.aclose()


async def _filed(settings: Settings, db: Database, scratch: Path, case_no: str) -> str:
    """The case's archive package, built as the worker would, in the library the app reads."""
    async with db.read_session() as session:
        case_id = (await session.scalars(select(Case.id).where(Case.case_no == case_no))).one()
    library = LocalLibrary(settings.archive_dir)
    built = await build_package(db, library, scratch, SealKey.generate(), case_id, "http://x")
    return Path(built.location).name


async def test_an_entrusted_grandparent_applies_with_a_parents_authorisation(
    settings: Settings, schools: None, db: Database
) -> None:
    with family_servers(settings) as (web, sandbox):
        grandpa, reviewer, request_no = await _approved(web, sandbox, db, "entrusted")
        created = await grandpa.post("/api/v1/cases", json=START)
        assert created.status_code == 201 and created.json()["step"] == 3, created.text
        no = created.json()["case_no"]
        page = (await grandpa.get(f"/cases/{no}/step/3")).text
        assert "您的配偶" not in page and "学生的父亲或母亲" in page and "单亲家庭" not in page
        skip = await grandpa.post(f"/api/v1/cases/{no}/single-parent")
        assert skip.status_code == 400 and "父亲或母亲本人授权" in skip.json()["message"]
        sent = await grandpa.post(f"/api/v1/cases/{no}/spouse/code",
                                  json={"spouse_id_number": FATHER})  # fmt: skip
        assert sent.status_code == 200, sent.text
        [text] = [m["text"] for m in (await sms_to(sandbox, FATHER))[:1]]
        assert "您的子女" in text and "受托" in text and "为子女办理" not in text, text
        code = await last_sms_code(sandbox)
        body = {"spouse_id_number": FATHER, "txn": sent.json()["txn"], "code": code}
        assert (await grandpa.post(f"/api/v1/cases/{no}/spouse", json=body)).status_code == 200
        decided = await _finish(grandpa, no, GRANDPA_FLAT)
        # the parents' flat counts; of his own, only the one where her hukou is in his booklet
        assert {GRANDPA_FLAT, PARENTS_FLAT} <= decided["listed"], decided["listed"]
        assert GRANDPA_OTHER_FLAT not in decided["listed"]
        assert decided["status"] == "notice_issued", decided
        assert "MARRIAGE_CERTIFICATE" not in decided["missing"]
        shown = {f["label"]: f["value"] for f in decided["fetched"]}
        assert (
            "配偶" not in shown
            and "家长（授权人）" in shown
            and request_no in shown["监护关系核验"]
        )
        withdrawn = await grandpa.post(f"/api/v1/cases/{no}/withdraw")
        assert withdrawn.status_code == 409 and "区教育局" in withdrawn.json()["message"]
        for client in (grandpa, reviewer):
            await client.aclose()
