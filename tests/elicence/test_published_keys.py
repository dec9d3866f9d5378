"""Issue 22: a licence is checked only against the seal's published key of its key id (a licence
re-signed with a fresh key, whatever key its record carries, does not verify), the keys rotate
with the retired one still published, and the guardian's notice.pdf is the signed file."""

import base64
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from ruxue.elicence import tasks
from ruxue.elicence.models import Licence
from ruxue.kit import sealkeys
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.settings import Settings
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.licence import PINGJIANG, gmalg_verifies, published_key
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.roots import from_environment
from tests.support.session import logged_in
from tests.support.staff import make_staff, staff_client

NOW = dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC)


@pytest.fixture
def worker_env(
    cli_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    """The jobs read the settings of the environment, as the worker does (the seal is the app's)."""
    monkeypatch.setenv("RUXUE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("RUXUE_SEAL_KEY_PATH", str(settings.seal_key_file))
    monkeypatch.setenv("RUXUE_NOW", "2026-06-15T10:00:00+08:00")
    from_environment()


async def _filed(db: Database) -> Licence:
    async with db.read_session() as session:
        licence = (await session.scalars(select(Licence).order_by(Licence.id.desc()))).first()
    assert licence is not None
    assert await tasks.register_licence(db, licence.id) == "registered"
    return licence


async def test_a_licence_resigned_with_a_fresh_key_does_not_verify(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, worker_env: None
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    notice_no = (await apply(guardian, sandbox, "primary", WANG_CHILD, LIU))["notice_no"]
    await _filed(db)
    desk = await staff_client(web, "desk-k", await make_staff(db, "desk-k", "desk", PINGJIANG))
    body = {"licence_no": notice_no, "consent": True}
    honest = (await desk.post("/api/v1/staff/licences/lookup", json=body)).json()
    assert honest["signature_valid"] is True
    library = sandbox.server.config.app.state.sandbox.store.licences[notice_no]
    forger = SealKey.generate()
    forged = base64.b64decode(library["pdf_base64"]) + b"\n% altered"
    library.update(
        pdf_base64=base64.b64encode(forged).decode(),
        signature_hex=forger.sign(forged).hex(),
        public_key_pem=forger.public_pem().decode(),  # a key carried by the record: never used
        key_id=forger.key_id(),
    )
    shown = (await desk.post("/api/v1/staff/licences/lookup", json=body)).json()
    assert (shown["signature_valid"], shown["valid"]) == (False, False)
    for client in (guardian, desk):
        await client.aclose()


async def test_the_guardians_notice_pdf_is_the_signed_file(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, worker_env: None
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    case = await apply(guardian, sandbox, "primary", WANG_CHILD, LIU)
    url = f"/api/v1/cases/{case['case_no']}/notice.pdf"
    assert (await guardian.get(url)).status_code == 202  # the filing job seals it
    await _filed(db)
    first = await guardian.get(url)
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    library = sandbox.server.config.app.state.sandbox.store.licences[case["notice_no"]]
    signature = bytes.fromhex(library["signature_hex"])
    public = await published_key(guardian, library["key_id"])
    again = await guardian.get(url)
    for served in (first.content, again.content):
        assert gmalg_verifies(public, served, signature)
    await guardian.aclose()


def test_rotation_keeps_the_retired_key_for_what_it_signed_before(tmp_path: Path) -> None:
    seal_file = tmp_path / "seal.pem"
    old = SealKey.load_or_create(seal_file)
    keys = sealkeys.published(seal_file, NOW)
    assert [k["kid"] for k in keys] == [old.key_id()] and keys[0]["valid_to"] is None
    assert sealkeys.published(seal_file, NOW + dt.timedelta(days=1)) == keys  # read again: same
    before = old.sign(b"notice")
    seal_file.unlink()
    new = SealKey.load_or_create(seal_file)  # the seal key is replaced
    later = NOW + dt.timedelta(days=30)
    keys = sealkeys.published(seal_file, later)
    assert [k["kid"] for k in keys] == [old.key_id(), new.key_id()]
    assert keys[0]["valid_to"] == later.isoformat() and keys[1]["valid_to"] is None
    assert sealkeys.signature_holds(keys, old.key_id(), NOW, b"notice", before)
    late = old.sign(b"notice")  # a stolen retired key signs after its retirement
    assert not sealkeys.signature_holds(keys, old.key_id(), later, b"notice", late)
    assert not sealkeys.signature_holds(keys, "0" * 16, NOW, b"notice", before)
    assert not sealkeys.signature_holds(keys, new.key_id(), NOW, b"notice", before)
