"""``ruxue keys rotate`` on a database with cases, staff, sessions and uploads: every ciphertext,
blind index and file moves to the new keys, the app finds the same people afterwards without the
old keys, and a stopped run goes on where it stopped."""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from ruxue.audit.repository import ledger_problems
from ruxue.cases.models import Case
from ruxue.cli.main import app
from ruxue.enrollment.repository import case_for_child
from ruxue.exchange.models import CallSubject, Consent
from ruxue.exchange.service import who_asked_about
from ruxue.identity.models import Account
from ruxue.kit import pii
from ruxue.kit.db import Database
from ruxue.kit.sessions import WebSession
from ruxue.materials.models import Material
from ruxue.materials.service import read_upload
from ruxue.notify.models import Notification
from ruxue.settings import DEV_FILE_KEY, Settings, get_settings
from ruxue.staff.models import StaffUser
from tests.support.helpers import ServerThread
from tests.support.keys import change_keys
from tests.support.review import SUN, SUN_CHILD, WU, sun_needs_materials, upload
from tests.support.session import logged_in
from tests.support.staff import make_staff

ENCRYPTED = {
    Case: ("guardian_enc", "child_enc", "phone_enc", "draft_enc"),
    Consent: ("grantor_enc",),
    Notification: ("recipient_enc",),
    StaffUser: ("totp_enc",),
    WebSession: ("data_enc",),
}


@pytest.fixture
def keys(
    cli_env: None, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("RUXUE_VAR_DIR", str(settings.var_dir))  # the uploads the app wrote
    yield monkeypatch
    get_settings.cache_clear()


def new_keys(keys: pytest.MonkeyPatch, *, keep_old: bool) -> None:
    keys.setenv("RUXUE_FILE_KEY_ID", "2027-1")
    keys.setenv("RUXUE_FILE_KEY", "ffeeddccbbaa99887766554433221100")
    if keep_old:
        keys.setenv("RUXUE_FILE_OLD_KEYS", f'{{"dev-1": "{DEV_FILE_KEY}"}}')
    else:
        keys.delenv("RUXUE_FILE_OLD_KEYS", raising=False)
    change_keys(keys, keep_old=keep_old)


async def ciphertexts(db: Database) -> list[str]:
    """Every stored ciphertext of the tables with encrypted columns, with the consents' lists."""
    found: list[str] = []
    async with db.read_session() as session:
        for model, columns in ENCRYPTED.items():
            for row in (await session.execute(select(*(getattr(model, c) for c in columns)))).all():
                found += [value for value in row if value]
        for subjects in (await session.scalars(select(Consent.subjects_enc))).all():
            found += subjects
    return found


async def indexes(db: Database) -> set[str]:
    async with db.read_session() as session:
        rows: list[Any] = [
            *(await session.execute(select(Case.guardian_index, Case.child_index))).all(),
            *(await session.execute(select(Consent.grantor_index))).all(),
            *(await session.execute(select(Account.id_index))).all(),
            *(await session.execute(select(CallSubject.subject_index))).all(),
        ]
        found = {value for row in rows for value in row}
        for subjects in (await session.scalars(select(Consent.subjects_index))).all():
            found |= set(subjects)
    return found


async def rotate(*args: str) -> Any:
    """The command, as run from a shell (its own event loop, its own database engine)."""
    return await asyncio.to_thread(CliRunner().invoke, app, ["keys", "rotate", *args])


async def test_rotation_moves_every_ciphertext_and_the_app_still_finds_the_family(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, keys: pytest.MonkeyPatch
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    assert (await upload(guardian, no, "BIRTH_CERTIFICATE")).status_code == 200
    secret = await make_staff(db, "desk-keys", "desk", school="3205080101")
    old_indexes = {pii.blind_index(p) for p in (SUN, SUN_CHILD, WU)}
    assert old_indexes <= await indexes(db)
    before = await ciphertexts(db)
    assert before and all(value.startswith("k1:") for value in before)
    async with db.write_session() as session:  # one value as written before key ids existed
        await session.execute(update(Case).values(phone_enc=func.substr(Case.phone_enc, 4)))

    new_keys(keys, keep_old=True)
    listed = await guardian.get("/api/v1/cases")  # under way: found by the old index, old key
    assert [c["case_no"] for c in listed.json()] == [no]
    done = await rotate("--batch", "2")
    assert done.exit_code == 0, done.output
    assert "密钥轮换完成" in done.output

    after = await ciphertexts(db)
    assert len(after) >= len(before) - 1  # the guardian's session may end (new index key)
    assert after and all(value.startswith("k2:") for value in after), after
    assert not old_indexes & await indexes(db)
    async with db.read_session() as session:  # the rewritten indexes re-entered: no "edit"
        assert await ledger_problems(session) == []
    assert {pii.blind_index(p) for p in (SUN, SUN_CHILD)} <= await indexes(db)
    async with db.read_session() as session:
        material = (await session.scalars(select(Material))).one()
    stored = await asyncio.to_thread(Path(material.path).read_bytes)
    assert pii.file_key_id_of(stored) == "2027-1"

    new_keys(keys, keep_old=False)  # the old keys are gone: everything must read under the new
    again = await logged_in(web, sandbox, SUN)
    assert [c["case_no"] for c in (await again.get("/api/v1/cases")).json()] == [no]
    async with db.read_session() as session:
        case = await case_for_child(session, 2026, "primary", SUN_CHILD)
        assert case is not None and case.case_no == no
        assert pii.decrypt(case.guardian_enc) == SUN
        assert len(await who_asked_about(session, SUN_CHILD)) > 0  # the data tracker
        staff = (await session.scalars(select(StaffUser))).one()
        assert pii.decrypt(staff.totp_enc) == secret
    assert read_upload(material).startswith(b"\x89PNG")
    unchanged = await rotate()
    assert unchanged.exit_code == 0 and "条已更新" not in unchanged.output
    for client in (guardian, again):
        await client.aclose()


async def test_a_stopped_rotation_goes_on_where_it_stopped(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, keys: pytest.MonkeyPatch
) -> None:
    guardian, _ = await sun_needs_materials(web, sandbox)
    await make_staff(db, "desk-keys-1", "desk", school="3205080101")
    await make_staff(db, "desk-keys-2", "desk", school="3205080101")
    new_keys(keys, keep_old=True)
    stopped = await rotate("--batch", "1", "--max-batches", "1")
    assert stopped.exit_code == 3, stopped.output
    assert "已暂停" in stopped.output
    async with db.read_session() as session:
        case_key = pii.key_id_of((await session.scalars(select(Case.guardian_enc))).one())
        staff_keys = {pii.key_id_of(t) for t in (await session.scalars(select(StaffUser.totp_enc)))}
    assert (case_key, staff_keys) == ("k2", {"k1"})  # the first batch moved, the rest waits
    resumed = await rotate("--batch", "1")
    assert resumed.exit_code == 0, resumed.output
    assert "办件 enrollment_case: " not in resumed.output  # already moved: skipped
    assert "工作人员 staff_user: 2 条已更新" in resumed.output
    assert all(value.startswith("k2:") for value in await ciphertexts(db))
    await guardian.aclose()


async def test_a_rotation_without_the_old_key_stops_with_a_clear_message(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, keys: pytest.MonkeyPatch
) -> None:
    await make_staff(db, "desk-keys-3", "desk", school="3205080101")
    new_keys(keys, keep_old=False)
    refused = await rotate()
    assert refused.exit_code == 1 and "RUXUE_PII_OLD_KEYS" in refused.output, refused.output
    async with db.read_session() as session:
        assert pii.key_id_of((await session.scalars(select(StaffUser.totp_enc))).one()) == "k1"
