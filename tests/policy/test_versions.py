"""Stored policy versions: an import validates, stores the next version and audits; a refused file
stores nothing; the read path gives the newest version, else the shipped files, and its cache sees
an import made by another process."""

import pytest
from sqlalchemy import event, func, literal, select

from ruxue.kit.db import Database
from ruxue.policy import service
from ruxue.policy.models import PolicyVersion
from ruxue.policy.repository import digest_in_force
from ruxue.policy.service import Checked, PolicyRefused, cohort_policy, import_policy, in_force
from ruxue.reference.districts import ISSUERS
from ruxue.staff.models import AuditEntry
from ruxue.staff.service import verify_audit

YEAR = 2026
ALLOCATION = 'placement = "allocation"\npublish_on = "07-10"\n'
LOCKED = ALLOCATION + "seat_lock_years = { primary = 6 }\n"


async def _import(db: Database, text: str, district: str = "320508") -> service.Imported:
    from ruxue.cli.policy import import_and_audit

    async with db.write_session() as session:
        return await import_and_audit(session, district, YEAR, text, "gusu.toml", "bureau")


async def _count(db: Database, model: type[PolicyVersion] | type[AuditEntry]) -> int:
    async with db.read_session() as session:
        return (await session.scalar(select(func.count()).select_from(model))) or 0


async def test_with_nothing_stored_every_district_places_at_submission(db: Database) -> None:
    async with db.read_session() as session:
        for district in ISSUERS:
            policy = await cohort_policy(session, district, YEAR)
            assert policy.placement == "at_submission" and policy.publish_on is None
        assert (await in_force(session, "320583", YEAR)).version is None


async def test_each_import_is_the_next_version_and_is_audited(db: Database) -> None:
    first, second = await _import(db, ALLOCATION), await _import(db, LOCKED)
    assert (first.new, first.version.version, second.version.version) == (True, 1, 2)
    async with db.read_session() as session:
        now = await in_force(session, "320508", YEAR)
        entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        assert await verify_audit(session) == []
    assert now.version is not None and now.version.version == 2
    assert now.version.imported_by == "bureau" and now.version.toml_text == LOCKED
    assert now.version.keys == {
        "placement": "allocation",
        "publish_on": "07-10",
        "seat_lock_years": {"primary": 6},
    }
    assert now.policy.seat_lock_years == {"primary": 6}
    assert [(e.action, e.target, e.detail["version"]) for e in entries] == [
        ("policy_import", "320508/2026", 1),
        ("policy_import", "320508/2026", 2),
    ]


async def test_the_same_keys_again_store_no_new_version(db: Database) -> None:
    await _import(db, ALLOCATION)
    again = await _import(db, "# 同一办法，另加注释\n" + ALLOCATION)
    assert (again.new, again.version.version) == (False, 1)
    assert (await _count(db, PolicyVersion), await _count(db, AuditEntry)) == (1, 1)


async def test_a_refused_file_stores_and_audits_nothing(db: Database) -> None:
    await _import(db, ALLOCATION)
    with pytest.raises(PolicyRefused) as refused:
        await _import(db, 'placement = "lottery"\npoints_min = -1\n')
    assert [e.split("：")[0] for e in refused.value.errors] == ["placement", "points_min"]
    with pytest.raises(PolicyRefused) as unknown:
        await _import(db, ALLOCATION, district="999999")
    assert unknown.value.errors == ["--district：'999999' 不是本市的区县代码"]
    assert (await _count(db, PolicyVersion), await _count(db, AuditEntry)) == (1, 1)


async def test_versions_are_per_district_and_year(db: Database) -> None:
    await _import(db, ALLOCATION)
    async with db.read_session() as session:
        assert (await cohort_policy(session, "320508", YEAR)).placement == "allocation"
        assert (await cohort_policy(session, "320508", YEAR + 1)).placement == "at_submission"
        assert (await cohort_policy(session, "320506", YEAR)).placement == "at_submission"


async def test_the_cache_sees_an_import_by_another_process(
    db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's import reaches this process's cache through the version check."""
    async with db.read_session() as session:
        assert (await cohort_policy(session, "320508", YEAR)).placement == "at_submission"
    other = Database(database_url)  # another process: its own engine, its own cache
    try:
        for text, seen in ((ALLOCATION, {}), (LOCKED, {"primary": 6})):
            ours = dict(service._CACHE)
            async with other.write_session() as session:
                await import_policy(session, "320508", YEAR, text, "a.toml", "other")
            service._CACHE.clear()
            service._CACHE.update(ours)  # what this process had cached before that import
            async with db.read_session() as session:
                policy = await cohort_policy(session, "320508", YEAR)
            assert (policy.placement, policy.seat_lock_years) == ("allocation", seen)
    finally:
        await other.dispose()
    service._CACHE.clear()  # a process that starts now
    parsed = []
    real = service.stored_policy
    monkeypatch.setattr(service, "stored_policy", lambda row: parsed.append(row) or real(row))
    async with db.read_session() as session:
        assert (await cohort_policy(session, "320508", YEAR)).seat_lock_years == {"primary": 6}
        assert (await cohort_policy(session, "320508", YEAR)).seat_lock_years == {"primary": 6}
    assert len(parsed) == 1  # the second read was the cache's: one small SELECT, no parsing


async def test_a_version_read_with_the_case_is_checked_without_a_statement(
    db: Database, database_url: str
) -> None:
    """``Checked``: the digest came as a column of the case's read (``digest_in_force``); the
    policy in force is the cache's when it matches, read again when another process imported a
    newer version, and looked up as before for another district or year."""
    await _import(db, ALLOCATION)
    sent: list[str] = []
    listen = lambda *args: sent.append(args[2])  # noqa: E731
    column = digest_in_force(literal("320508"), literal(YEAR))
    other = Database(database_url)  # another process
    try:
        for text, seen in ((None, {}), (LOCKED, {"primary": 6})):
            if text is not None:
                ours = dict(service._CACHE)
                async with other.write_session() as session:
                    await import_policy(session, "320508", YEAR, text, "a.toml", "other")
                service._CACHE.clear()
                service._CACHE.update(ours)
            async with db.read_session() as session:
                checked = Checked("320508", YEAR, await session.scalar(select(column)))
                event.listen(db.engine.sync_engine, "before_cursor_execute", listen)
                try:
                    policy = await cohort_policy(session, "320508", YEAR, checked)
                    again = await cohort_policy(session, "320508", YEAR, checked)
                finally:
                    event.remove(db.engine.sync_engine, "before_cursor_execute", listen)
            assert (policy.placement, policy.seat_lock_years, again) == ("allocation", seen, policy)
            assert len(sent) == (0 if text is None else 1), sent  # the new version's row, once
            sent.clear()
    finally:
        await other.dispose()
    async with db.read_session() as session:  # another district: its own version check
        event.listen(db.engine.sync_engine, "before_cursor_execute", listen)
        try:
            elsewhere = await cohort_policy(session, "320506", YEAR, checked)
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", listen)
    assert elsewhere.placement == "at_submission" and len(sent) == 1
