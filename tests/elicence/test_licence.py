"""The notice as an electronic licence: filed in the sandbox's e-licence library after the deciding
commit with an SM2-signed PDF (checked here with gmalg, an independent implementation), shown as
有效 on the verify and status pages, revoked when an admin reverses the decision, and looked up by
a school's desk with the holder's consent."""

import base64
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from ruxue.elicence import tasks
from ruxue.elicence.models import Licence
from ruxue.kit.db import Database
from ruxue.settings import Settings
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.licence import PINGJIANG, gmalg_verifies, published_key
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.roots import from_environment
from tests.support.session import logged_in
from tests.support.staff import make_staff, staff_client
from tests.support.tools import checked_pdf_text


@pytest.fixture
def worker_env(
    cli_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    """The jobs read the settings of the environment, as the worker does (the seal is the app's)."""
    monkeypatch.setenv("RUXUE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("RUXUE_SEAL_KEY_PATH", str(settings.seal_key_file))
    monkeypatch.setenv("RUXUE_NOW", "2026-06-15T10:00:00+08:00")
    from_environment()


async def _licence(db: Database) -> Licence:
    async with db.read_session() as session:
        return (await session.scalars(select(Licence).order_by(Licence.id.desc()))).first()  # type: ignore[return-value]


@pytest.mark.slow
async def test_licence_filed_signed_looked_up_and_revoked(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, worker_env: None
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    case = await apply(guardian, sandbox, "primary", WANG_CHILD, LIU)
    no, notice_no = case["case_no"], case["notice_no"]
    code = case["verify_url"].split("/verify/")[1]
    pending = await _licence(db)
    assert (pending.licence_no, pending.status) == (
        notice_no,
        "pending",
    )  # not filed in the request

    assert await tasks.register_licence(db, pending.id) == "registered"
    assert await tasks.register_licence(db, pending.id) == "skipped"  # a second run files nothing
    filed = await _licence(db)
    assert filed.status == "registered" and len(filed.pdf_sm3) == 64

    desk = await staff_client(
        web, "desk-pj", await make_staff(db, "desk-pj", "desk", school=PINGJIANG)
    )
    refused = await desk.post(
        "/api/v1/staff/licences/lookup", json={"licence_no": notice_no, "consent": False}
    )
    assert refused.status_code == 400 and "同意" in refused.json()["message"]
    found = await desk.post(
        "/api/v1/staff/licences/lookup",
        json={
            "licence_no": notice_no,
            "consent": True,
            "consent_note": "家长出示手机告知书并口头同意",
        },
    )
    assert found.status_code == 200, found.text
    shown = found.json()
    assert (shown["status"], shown["valid"], shown["signature_valid"]) == ("有效", True, True)
    assert WANG_CHILD not in found.text and shown["holder_id_number"].startswith("320508")
    missing = await desk.post(
        "/api/v1/staff/licences/lookup", json={"licence_no": "NO-SUCH", "consent": True}
    )
    assert missing.status_code == 404

    library = sandbox.server.config.app.state.sandbox.store.licences[notice_no]
    pdf, signature = (
        base64.b64decode(library["pdf_base64"]),
        bytes.fromhex(library["signature_hex"]),
    )
    assert notice_no in checked_pdf_text(pdf)
    public = await published_key(guardian, library["key_id"])
    assert gmalg_verifies(public, pdf, signature)
    assert not gmalg_verifies(public, pdf + b"%", signature)
    assert signature.hex() == filed.signature_hex

    verify = await guardian.get(f"/verify/{code}")
    assert verify.status_code == 200 and "电子证照状态" in verify.text and ">有效<" in verify.text
    status = await guardian.get(f"/cases/{no}")
    assert 'id="licence-status"' in status.text and ">有效<" in status.text

    reviewer = await staff_client(
        web, "rev", await make_staff(db, "rev", "reviewer", district="320508")
    )
    denied = await reviewer.post(f"/api/v1/staff/cases/{no}/revoke-notice", json={"reason": "x"})
    assert denied.status_code == 403
    admin = await staff_client(web, "adm", await make_staff(db, "adm", "admin"))
    blank = await admin.post(f"/api/v1/staff/cases/{no}/revoke-notice", json={"reason": " "})
    assert blank.status_code == 400
    revoked = await admin.post(
        f"/api/v1/staff/cases/{no}/revoke-notice", json={"reason": "房产信息经核实与实际居住不符"}
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "manual_review"
    again = await admin.post(f"/api/v1/staff/cases/{no}/revoke-notice", json={"reason": "再次"})
    assert again.status_code == 409
    assert (await guardian.get(f"/api/v1/cases/{no}/notice.pdf")).status_code == 404

    verify = await guardian.get(f"/verify/{code}")
    assert verify.status_code == 404 and "已撤销" in verify.text and notice_no in verify.text
    assert library["status"] == "valid"  # the library hears of it from the job, after the commit
    assert await tasks.revoke_licence(db, filed.id) == "revoked"
    assert library["status"] == "revoked" and "房产" in library["revoked_reason"]
    assert (await _licence(db)).status == "revoked"
    status = await guardian.get(f"/cases/{no}")
    assert "已撤销" in status.text and "notice.pdf" not in status.text
    gone = await desk.post(
        "/api/v1/staff/licences/lookup", json={"licence_no": notice_no, "consent": True}
    )
    assert gone.json()["status"] == "已撤销" and gone.json()["valid"] is False
    for client in (guardian, desk, reviewer, admin):
        await client.aclose()


async def test_registration_retries_while_the_library_is_down(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, worker_env: None, faults
) -> None:  # type: ignore[no-untyped-def]
    guardian = await logged_in(web, sandbox, WANG)
    await apply(guardian, sandbox, "primary", WANG_CHILD, LIU)
    licence = await _licence(db)
    await faults.put("/_sandbox/faults/elicence", json={"outage": True})
    with pytest.raises(tasks.LibraryDown):
        await tasks.register_licence(db, licence.id)  # huey retries a raised job
    assert (await _licence(db)).status == "pending"
    await faults.delete("/_sandbox/faults")
    assert await tasks.register_licence(db, licence.id) == "registered"
    await guardian.aclose()


async def test_the_sweep_files_what_a_lost_job_left_pending(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, worker_env: None
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    await apply(guardian, sandbox, "primary", WANG_CHILD, LIU)  # its job is never run: lost
    licence = await _licence(db)
    assert await tasks.sweep_licences(db) == []  # within the grace the job may still come
    assert await tasks.sweep_licences(db, dt.timedelta(0)) == [f"{licence.id}:registered"]
    assert (await _licence(db)).status == "registered"
    assert await tasks.sweep_licences(db, dt.timedelta(0)) == []
    await guardian.aclose()


async def test_a_notice_issued_again_after_a_revocation_is_a_new_licence_number(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, worker_env: None
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    case = await apply(guardian, sandbox, "primary", WANG_CHILD, LIU)
    no, first_no = case["case_no"], case["notice_no"]
    first = await _licence(db)
    assert await tasks.register_licence(db, first.id) == "registered"
    admin = await staff_client(web, "adm2", await make_staff(db, "adm2", "admin"))
    revoked = await admin.post(f"/api/v1/staff/cases/{no}/revoke-notice", json={"reason": "核实"})
    assert revoked.status_code == 200
    assert await tasks.revoke_licence(db, first.id) == "revoked"
    reviewer = await staff_client(
        web, "rev2", await make_staff(db, "rev2", "reviewer", district="320508")
    )
    body = {"school_code": PINGJIANG, "category": "A"}
    approved = await reviewer.post(f"/api/v1/review/cases/{no}/approve", json=body)
    assert approved.status_code == 200 and approved.json()["status"] == "notice_issued"
    second = await _licence(db)
    second_no = (await guardian.get(f"/api/v1/cases/{no}")).json()["notice_no"]
    assert second.id != first.id and second.licence_no == second_no
    assert second_no not in (first_no, "") and second_no.startswith(first_no)
    assert await tasks.register_licence(db, second.id) == "registered"
    library = sandbox.server.config.app.state.sandbox.store.licences
    assert (library[first_no]["status"], library[second_no]["status"]) == ("revoked", "valid")
    for client in (guardian, admin, reviewer):
        await client.aclose()
