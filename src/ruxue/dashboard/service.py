"""Materialise the dashboard's aggregates: one pass over cases, ratings, items, the archive and
the call log per run (a job every few minutes), so a page view reads a few hundred counter rows
instead of scanning every case. The whole set is replaced in one transaction."""

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.archive.models import ArchivePackage, CheckRun
from ruxue.cases.models import Case, CaseEvent
from ruxue.cases.status import Status
from ruxue.county.models import StageReport
from ruxue.dashboard.models import Refresh, Stat
from ruxue.dashboard.rules import age_band, hour_of, percentile
from ruxue.exchange.models import CallLogEntry
from ruxue.kit.clock import now_of
from ruxue.rating import rules as rating_rules
from ruxue.rating.models import Rating, Rectification
from ruxue.rating.repository import DECISIONS, FINAL, OPEN

Key = tuple[
    str, dt.datetime | None, str, str, str, str
]  # metric, bucket, district, school, channel, key
ANSWERED = ("ok", "no_record")
DEPT_WINDOW = dt.timedelta(days=7)


class Tally:
    def __init__(self) -> None:
        self.n: Counter[Key] = Counter()
        self.total: defaultdict[Key, float] = defaultdict(float)

    def add(self, key: Key, n: int = 1, total: float = 0.0) -> None:
        self.n[key] += n
        self.total[key] += total

    def rows(self) -> Iterable[dict[str, object]]:
        for (metric, bucket, district, school, channel, k), n in self.n.items():
            yield {
                "metric": metric,
                "bucket": bucket,
                "district_code": district,
                "school_code": school,
                "channel": channel,
                "key": k,
                "n": n,
                "total": self.total[(metric, bucket, district, school, channel, k)],
            }


async def refresh(session: AsyncSession) -> int:
    """Recompute every aggregate; returns the number of counter rows."""
    started, now, tally = time.perf_counter(), now_of(session), Tally()
    await _cases(session, now, tally)
    await _reported(session, tally)
    await _items(session, now, tally)
    await _archive(session, tally)
    await _departments(session, now, tally)
    rows = list(tally.rows())
    await session.execute(delete(Stat))
    if rows:
        await session.execute(insert(Stat), rows)
    head = await session.get(Refresh, 1) or Refresh(id=1)
    head.at, head.millis = now, (time.perf_counter() - started) * 1000
    session.add(head)
    await session.flush()
    return len(rows)


async def _events(session: AsyncSession) -> tuple[set[int], dict[int, dt.datetime]]:
    reviewed = set(
        await session.scalars(select(CaseEvent.case_id).where(CaseEvent.action.like("review_%")))
    )
    decided: dict[int, dt.datetime] = {}
    query = select(CaseEvent.case_id, CaseEvent.at).where(CaseEvent.action.in_(DECISIONS))
    for case_id, at in await session.execute(query):
        decided[case_id] = max(at, decided.get(case_id, at))
    return reviewed, decided


async def _latest_levels(session: AsyncSession) -> dict[int, int]:
    latest: dict[int, tuple[dt.datetime, int]] = {}
    for case_id, rated_at, changed_at, level in await session.execute(
        select(Rating.case_id, Rating.rated_at, Rating.changed_at, Rating.level)
    ):
        at = changed_at or rated_at
        if case_id not in latest or at > latest[case_id][0]:
            latest[case_id] = (at, level)
    return {case_id: level for case_id, (_, level) in latest.items()}


async def _cases(session: AsyncSession, now: dt.datetime, tally: Tally) -> None:
    reviewed, decided = await _events(session)
    levels = await _latest_levels(session)
    s = rating_rules.settings()
    limit = rating_rules.settings().report["max_backlog_days"]
    query = select(
        Case.id,
        Case.status,
        Case.channel,
        Case.district_code,
        Case.school_code,
        Case.desk_school,
        Case.submitted_at,
    ).where(Case.submitted_at.is_not(None), Case.status != Status.WITHDRAWN)
    for case_id, status, channel, district, school, desk, submitted in await session.execute(query):
        assert submitted is not None  # the query asks for submitted cases only
        d, sc = district or "", school or desk or ""
        auto = case_id not in reviewed and status != Status.MANUAL_REVIEW
        hour = hour_of(submitted)
        tally.add(
            ("hourly", hour, d, sc, channel, ""), 1, float(auto)
        )  # n applications, total automatic
        tally.add(("hourly_d", hour, d, "", channel, ""), 1, float(auto))  # the same per district
        tally.add(("apps", None, d, sc, channel, ""), 1, float(auto))  # the rollup the figures read
        if status == Status.MANUAL_REVIEW:
            days = (now - submitted).days
            tally.add(("backlog", None, d, sc, "", age_band(days)), 1, days)
            if days > limit:
                tally.add(("backlog_over", None, d, sc, "", ""))
        if status == Status.NEEDS_MATERIALS:
            tally.add(("needs_materials", None, d, sc, "", ""))
        if status in FINAL and case_id in decided:
            _rating(tally, s, (d, sc), levels.get(case_id), decided[case_id], now)


def _rating(
    tally: Tally,
    s: rating_rules.Settings,
    where: tuple[str, str],
    level: int | None,
    decided: dt.datetime,
    now: dt.datetime,
) -> None:
    def count(key: str) -> None:
        tally.add(("rating", None, *where, "", key))

    count("decided")
    effective = rating_rules.effective_level(s, level, decided, now)
    if level is not None:
        count("active")
        if level in s.good:
            count("active_good")
    elif effective is not None:
        count("defaulted")
    if effective is not None and effective in s.good:
        count("good")


async def _reported(session: AsyncSession, tally: Tally) -> None:
    """The cases a county system runs, from its reports: applications of their district (no
    school known; channel ``county``), counted once each at the time of their first stage, a
    voided record or a withdrawal left out as the city's own withdrawals are."""
    first: dict[str, tuple[str, dt.datetime]] = {}
    withdrawn: set[str] = set()
    query = select(
        StageReport.case_no, StageReport.district_code, StageReport.stage_at, StageReport.result
    ).where(StageReport.data_state == 1)
    for case_no, district, at, result in await session.execute(query):
        if result == Status.WITHDRAWN:
            withdrawn.add(case_no)
        if case_no not in first or at < first[case_no][1]:
            first[case_no] = (district, at)
    for case_no, (district, at) in first.items():
        if case_no in withdrawn:
            continue
        tally.add(("hourly", hour_of(at), district, "", "county", ""))
        tally.add(("hourly_d", hour_of(at), district, "", "county", ""))
        tally.add(("reported", None, district, "", "county", ""))


async def _items(session: AsyncSession, now: dt.datetime, tally: Tally) -> None:
    query = select(Rectification, Rating.real_name).join(
        Rating, Rating.id == Rectification.rating_id
    )
    for item, real_name in await session.execute(query):
        where = (item.district_code, item.school_code)
        if item.status == "withdrawn":  # changed to a good rating in time: counts as that
            continue
        if item.status == "set_aside":
            tally.add(("rating", None, *where, "", "set_aside"))
            continue
        tally.add(("rating", None, *where, "", "bad"))
        if item.status in ("replied", "closed"):
            tally.add(("rating", None, *where, "", "bad_rectified"))
        if real_name:
            tally.add(("rating", None, *where, "", "bad_named"))
            if item.visited_at is not None:
                tally.add(("rating", None, *where, "", "bad_named_visited"))
        due = item.contact_due if item.status == "open" else item.fix_due
        if item.status in OPEN and due <= now:
            tally.add(("overdue", None, *where, "", ""))


async def _archive(session: AsyncSession, tally: Tally) -> None:
    """Packages filed (a revoked notice's package counts as superseded, not as a current one that
    passed) and the newest check of each current package."""
    where: dict[str, tuple[str, str]] = {}
    superseded_numbers: set[str] = set()
    packages = select(
        ArchivePackage.archive_no,
        ArchivePackage.district_code,
        ArchivePackage.school_code,
        ArchivePackage.superseded_at,
    )
    for number, district, school, superseded in await session.execute(packages):
        place = (district or "", school or "")
        if superseded is not None:
            tally.add(("archive", None, *place, "", "superseded"))
            superseded_numbers.add(number)
            continue
        where[number] = place
        tally.add(("archive", None, *place, "", "filed"))
    latest: dict[str, tuple[dt.datetime, bool]] = {}
    for number, at, passed in await session.execute(
        select(CheckRun.archive_no, CheckRun.at, CheckRun.passed)
    ):
        if number in superseded_numbers:
            continue
        if number not in latest or at >= latest[number][0]:
            latest[number] = (at, passed)
    for number, (_, passed) in latest.items():
        tally.add(
            ("archive", None, *where[number], "", "checks_passed" if passed else "checks_failed")
        )


async def _departments(session: AsyncSession, now: dt.datetime, tally: Tally) -> None:
    latencies: defaultdict[str, list[float]] = defaultdict(list)
    query = select(
        CallLogEntry.at, CallLogEntry.department, CallLogEntry.outcome, CallLogEntry.latency_ms
    )
    for at, department, outcome, latency in await session.execute(
        query.where(CallLogEntry.at >= now - DEPT_WINDOW)
    ):
        tally.add(("dept", hour_of(at), "", "", "", department), 1, float(outcome in ANSWERED))
        latencies[department].append(latency)
    for department, values in latencies.items():
        key: Key = ("dept_latency", None, "", "", "", department)
        tally.add(key, round(percentile(values, 0.5)), percentile(values, 0.95))
