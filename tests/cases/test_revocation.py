"""A revoked notice, followed through everything that reacts to the case's moves: the county's
report (a stage back to 办理), the archive library (the revoked state superseded, the new
decision filed under a number of its own with every 四性 item passing, GD-1-6 included) and the
dashboard (the case waits for review; the superseded package is not counted as current)."""

from pathlib import Path

from sqlalchemy import func, select

from ruxue.archive import tasks
from ruxue.archive.check import check_package
from ruxue.archive.models import ArchivePackage
from ruxue.cases.models import Case
from ruxue.county.models import OutboxRow
from ruxue.dashboard.models import Stat
from ruxue.dashboard.service import refresh
from ruxue.kit.db import Database
from ruxue.settings import Settings, get_settings
from ruxue.wiring import wire
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in
from tests.support.staff import make_staff, staff_client

PINGJIANG = "3205080101"


async def stages(db: Database, case_no: str) -> list[tuple[str, str, int]]:
    async with db.read_session() as session:
        query = select(OutboxRow).where(OutboxRow.case_no == case_no).order_by(OutboxRow.id)
        rows = (await session.scalars(query)).all()
    return [(r.stage, str(r.payload["result"]), r.data_version) for r in rows]


async def packages(db: Database) -> list[tuple[str, bool]]:
    async with db.read_session() as session:
        rows = (await session.scalars(select(ArchivePackage).order_by(ArchivePackage.id))).all()
    return [(p.archive_no, p.superseded_at is not None) for p in rows]


async def figure(db: Database, metric: str, key: str = "") -> int:
    async with db.write_session() as session:
        await refresh(session)
    async with db.read_session() as session:
        query = select(func.sum(Stat.n)).where(Stat.metric == metric, Stat.key == key)
        return int(await session.scalar(query) or 0)


async def backlog(db: Database) -> int:
    """Cases waiting for a reviewer, whatever their age (the refresh was just run)."""
    async with db.read_session() as session:
        query = select(func.sum(Stat.n)).where(Stat.metric == "backlog")
        return int(await session.scalar(query) or 0)


def failed_items(package: Path) -> list[tuple[str, str | None]]:
    return [(i.code, i.why) for i in check_package(package) if not i.passed]


async def test_a_revoked_notice_reaches_the_county_report_the_archive_and_the_dashboard(
    web: ServerThread,
    sandbox: ServerThread,
    schools: None,
    db: Database,
    settings: Settings,
    archive_env: None,
) -> None:
    wire(settings.model_copy(update={"upstream_url": "http://127.0.0.1:9"}))  # a county's report
    guardian = await logged_in(web, sandbox, WANG)
    no = (await apply(guardian, sandbox, "primary", WANG_CHILD, LIU))["case_no"]
    assert await stages(db, no) == [
        ("apply", "", 1),
        ("accept", "", 1),
        ("done", "notice_issued", 1),
    ]
    first = await tasks.build_case(db, no)
    assert first is not None and await packages(db) == [(first, False)]
    assert await figure(db, "archive", "filed") == 1

    admin = await staff_client(web, "adm-r", await make_staff(db, "adm-r", "admin"))
    revoked = await admin.post(f"/api/v1/staff/cases/{no}/revoke-notice", json={"reason": "核实"})
    assert revoked.status_code == 200, revoked.text
    async with db.read_session() as session:
        case = (await session.scalars(select(Case).where(Case.case_no == no))).one()
    assert (case.status, case.outcome, case.school_code, case.category) == (
        "manual_review",
        "manual_review",
        None,
        None,
    )
    assert (case.notice_no, case.verify_code, case.reasons) == (None, None, ["NOTICE_REVOKED"])
    assert (await stages(db, no))[-1] == ("process", "manual_review", 1)
    assert await packages(db) == [(first, True)]
    assert await tasks.build_case(db, no) is None  # nothing final to file while it waits
    assert await figure(db, "archive", "filed") == 0
    assert await figure(db, "archive", "superseded") == 1
    assert await figure(db, "archive", "checks_passed") == 0  # not passed as current
    assert await backlog(db) == 1  # back in the review queue, not counted as issued

    reviewer = await staff_client(
        web, "rev-r", await make_staff(db, "rev-r", "reviewer", district="320508")
    )
    body = {"school_code": PINGJIANG, "category": "A"}
    approved = await reviewer.post(f"/api/v1/review/cases/{no}/approve", json=body)
    assert approved.status_code == 200, approved.text
    assert (await stages(db, no))[-1] == ("done", "notice_issued", 2)
    second = await tasks.build_case(db, no)
    assert second == f"{first}-2"
    assert await packages(db) == [(first, True), (second, False)]
    library = get_settings().archive_dir
    assert failed_items(library / second) == []  # GD-1-6: the new trace is in the signed log
    assert failed_items(library / first) == []  # the revoked state stays in the library
    trace = (library / second / "data" / "trace" / "events.jsonl").read_text()
    assert "notice_revoked" in trace and "review_approve" in trace
    assert await figure(db, "archive", "filed") == 1
    assert await figure(db, "archive", "superseded") == 1
    assert await backlog(db) == 0
    listing = (await admin.get("/staff/archive")).text
    assert first in listing and second in listing and listing.count("已被替代") == 1
    for client in (guardian, admin, reviewer):
        await client.aclose()
