"""``ruxue restore-check``: after a restore, the logs agree with the signed heads exported before
the disaster, every package passes its 四性检测 and digest, and no log is shorter than the last
heads say it was."""

from pathlib import Path

from sqlalchemy import select

from ruxue.archive.build import build_package
from ruxue.archive.storage import LocalLibrary
from ruxue.audit.service import signed_heads, write_heads
from ruxue.cases.models import Case
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.ops.restore import restore_check, shorter_than
from ruxue.settings import Settings
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in


def heads(audit: int, archive: int, ledger: int) -> dict:  # type: ignore[type-arg]
    return {
        "call_log": [{"chain": 0, "seq": 5, "entry_hash": "x"}],
        "audit_log": {"seq": audit, "entry_hash": "x"},
        "archive_log": {"size": archive, "root": "x"},
        "ledger": {"seq": ledger, "entry_hash": "x"},
    }


def test_a_log_shorter_than_the_last_heads_is_named() -> None:
    assert shorter_than(heads(7, 3, 9), heads(7, 3, 9)) == []
    assert shorter_than(heads(8, 4, 10), heads(7, 3, 9)) == []  # written after the last export
    assert shorter_than(heads(7, 2, 9), heads(7, 3, 9)) == [
        "archive log: 2 records restored, 3 in the last exported heads"
    ]


async def test_restore_check_passes_then_names_a_changed_package(
    settings: Settings,
    web: ServerThread,
    sandbox: ServerThread,
    schools: None,
    db: Database,
    tmp_path: Path,
) -> None:
    http = await logged_in(web, sandbox, WANG)
    case = await apply(http, sandbox, "primary", WANG_CHILD, LIU)
    await http.aclose()
    async with db.read_session() as session:
        query = select(Case.id).where(Case.case_no == case["case_no"])
        case_id = (await session.scalars(query)).one()
    library, seal = LocalLibrary(tmp_path / "library"), SealKey.generate()
    built = await build_package(db, library, tmp_path, seal, case_id, "http://127.0.0.1:8000")
    async with db.read_session() as session:
        write_heads(await signed_heads(session, seal, settings.clock()), tmp_path / "heads")

    report = await restore_check(db, library, tmp_path / "heads", seal)
    assert report.problems == [], report.problems
    assert report.packages_checked == 1 and report.heads_files == 1
    assert report.counts["cases"] == 1 and report.counts["notices"] == 1

    document = next((Path(built.location) / "data" / "content").iterdir())
    document.chmod(0o644)
    document.write_bytes(document.read_bytes() + b"%tampered")  # changed in storage
    report = await restore_check(db, library, tmp_path / "heads", seal)
    assert len(report.problems) == 1 and built.archive_no in report.problems[0]
    assert "GD-1-1" in report.problems[0]  # the bag's payload manifest no longer matches
