"""Issue 22, the integrity ledger's gaps: a case moved to another guardian by its index and an
edited guardianship request are named; rows written before the ledger (or in bulk around it)
are adopted once, audited, after which ``verify`` reports edits only."""

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update
from typer.testing import CliRunner

from ruxue.audit.service import adopt_unrecorded, verify_all
from ruxue.cases.models import Case
from ruxue.cli.main import app as cli
from ruxue.dashboard.seed import City, seed_city
from ruxue.guardianship.models import GuardianshipRequest
from ruxue.kit import pii
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.staff.models import AuditEntry
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.roots import from_environment

AT = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


async def _problems(db: Database) -> list[str]:
    async with db.read_session() as session:
        return await verify_all(session, [], SealKey.generate())


def _case(no: str, guardian: str, child: str = WANG_CHILD) -> dict[str, object]:
    return {
        "case_no": no,
        "year": 2026,
        "segment": "primary",
        "district_code": "320508",
        "guardian_index": pii.blind_index(guardian),
        "guardian_enc": pii.encrypt(guardian),
        "child_index": pii.blind_index(child),
        "child_enc": pii.encrypt(child),
    }


def _request(no: str) -> GuardianshipRequest:
    return GuardianshipRequest(
        request_no=no,
        applicant_index=pii.blind_index(LIU),
        applicant_enc=pii.encrypt(LIU),
        child_index=pii.blind_index(WANG_CHILD),
        child_enc=pii.encrypt(WANG_CHILD),
        district_code="320508",
        relationship="祖父母",
    )


@pytest.fixture
def cli_var(cli_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUXUE_VAR_DIR", str(tmp_path))
    from_environment()


async def test_a_case_moved_to_another_guardian_or_an_edited_request_is_named(
    db: Database,
) -> None:
    async with db.write_session() as session:
        case = Case(**_case("SZ-2026-000501", WANG))
        request = _request("JH-2026-000001")
        session.add_all([case, request])
    assert await _problems(db) == []
    async with db.write_session() as session:  # around the app: the case becomes LIU's
        moved = {"guardian_index": pii.blind_index(LIU), "guardian_enc": pii.encrypt(LIU)}
        await session.execute(update(Case).where(Case.id == case.id).values(**moved))
        await session.execute(update(GuardianshipRequest).values(status="approved"))
    assert await _problems(db) == [
        f"case {case.id}: altered since it was last written",
        f"guardianship_request {request.id}: altered since it was last written",
    ]


async def test_rows_from_before_the_ledger_are_adopted_once_and_audited(
    db: Database, cli_var: None
) -> None:
    async with db.write_session() as session:  # as the migration found them, or seed.py wrote
        await session.execute(
            insert(Case), [_case(f"SZ-2026-00060{i}", WANG, f"child-{i}") for i in range(3)]
        )
    assert len(await _problems(db)) == 3 and all(
        "not in the ledger" in p for p in await _problems(db)
    )
    done = await asyncio.to_thread(CliRunner().invoke, cli, ["audit", "adopt"])
    assert done.exit_code == 0, done.output
    assert "case: 3 条记入完整性台账" in done.output
    assert await _problems(db) == []
    async with db.read_session() as session:
        entries = (await session.scalars(select(AuditEntry))).all()
    assert [(e.action, e.detail) for e in entries] == [("ledger_adopt", {"case": 3})]

    async with db.write_session() as session:  # an edit after adoption is never adopted away
        await session.execute(
            update(Case).where(Case.case_no == "SZ-2026-000600").values(category="A")
        )
    again = await asyncio.to_thread(CliRunner().invoke, cli, ["audit", "adopt"])
    assert again.exit_code == 0 and "共 0 条" in again.output
    (problem,) = await _problems(db)
    assert problem.endswith("altered since it was last written")


async def test_the_bulk_rows_of_a_seeded_city_are_adopted(db: Database) -> None:
    async with db.write_session() as session:
        await seed_city(session, City(60))
    assert any("not in the ledger" in p for p in await _problems(db))
    async with db.write_session() as session:
        adopted = await adopt_unrecorded(session)
    assert adopted["case"] == 60 and adopted["case_event"] > 60
    assert await _problems(db) == []
