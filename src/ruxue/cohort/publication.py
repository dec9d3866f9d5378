"""The run of a district's cohort (``cohort.md``, "The run"): the dry run (joins the caller's
transaction, writes nothing), the publication (owns its transactions: the result stored in one,
then one per case, so a process killed halfway resumes with the same command) and a late case
(joins the caller's transaction)."""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases import lifecycle
from ruxue.cases.models import Case
from ruxue.cases.status import Status
from ruxue.cohort import repository as repo
from ruxue.cohort.explain import reasons_after, why_placed
from ruxue.cohort.models import (
    PLACING,
    PUBLISHED,
    CohortEntry,
    CohortLine,
    CohortPlacement,
    CohortRun,
)
from ruxue.cohort.policy_keys import CohortPolicy
from ruxue.cohort.records import Candidate, School
from ruxue.cohort.report import SchoolReport, report
from ruxue.cohort.run import Allocation, Seat, allocate, place_late
from ruxue.kit.db import Database, locked_row
from ruxue.kit.errors import Conflict, RuxueError
from ruxue.policy import service as policy_service
from ruxue.reference.districts import district_label
from ruxue.reference.repository import overflows
from ruxue.staff.service import audit

SEGMENTS = ("primary", "junior")
SEED = re.compile(r"^[0-9a-f]{8,64}$")
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class RunKey:
    district_code: str
    segment: str
    year: int


@dataclass(frozen=True)
class DryRun:
    key: RunKey
    seed: str
    allocation: Allocation
    reports: list[SchoolReport]
    names: dict[str, str]  # school code → name
    candidates: int


def check_seed(seed: str) -> str:
    """The seed as the lottery hashes it (lower case), if it is 8 to 64 hex digits."""
    if not SEED.match(seed.strip().lower()):
        raise RuxueError("随机种子应为 8 至 64 位十六进制数字（0-9、a-f）。", code="bad_seed")
    return seed.strip().lower()


async def policy_of(session: AsyncSession, key: RunKey) -> CohortPolicy:
    """The district's cohort policy for the year in force (the bureau's latest import, else the
    shipped files); the run refuses a district not on ``allocation`` (``check_run``)."""
    return await policy_service.cohort_policy(session, key.district_code, key.year)


async def overflow_of(session: AsyncSession, key: RunKey) -> dict[str, tuple[str, ...]]:
    """The district's schools' ``overflow_to`` (统筹) lists, as ``ruxue schools import`` loaded them."""
    found = await overflows(session, key.district_code, key.segment)
    return {code: tuple(targets) for code, targets in found.items() if targets}


async def schools_of(session: AsyncSession, key: RunKey) -> tuple[list[School], dict[str, str]]:
    overflow = await overflow_of(session, key)
    rows = await repo.school_rows(session, key.district_code, key.segment)
    schools = [
        School(
            r.code,
            r.district_code,
            key.segment,  # type: ignore[arg-type]
            r.capacity,
            frozenset(r.compound_codes),
            overflow.get(r.code, ()),
        )
        for r in rows
    ]
    return schools, {r.code: r.name for r in rows}


def check_run(key: RunKey, policy: CohortPolicy) -> None:
    """Only a segment the cohort has, of a district whose policy in force is ``allocation``:
    elsewhere every notice is issued at submission, and a publication would list publicly a
    district that places nobody (and could never be run again)."""
    if key.segment not in SEGMENTS:
        raise RuxueError(
            "学段应为 primary（小学一年级）或 junior（初中一年级）。", code="bad_segment"
        )
    if policy.placement != "allocation":
        raise RuxueError(
            f"{district_label(key.district_code)}（{key.district_code}）{key.year}年的招生政策"
            "未实行集中分配学位（审核通过即发放告知书），无需运行学位分配。"
            "请核对区县代码和年度，或先导入该区的招生政策。",
            code="not_allocation",
        )


async def dry_run(session: AsyncSession, key: RunKey, seed: str) -> DryRun:
    """The run as it would be published now; nothing is written."""
    seed = check_seed(seed)
    policy = await policy_of(session, key)
    check_run(key, policy)
    schools, names = await schools_of(session, key)
    entries = await repo.qualified_entries(session, key.district_code, key.segment, key.year)
    candidates = [repo.candidate_of(str(case_id), data) for case_id, data in entries]
    taken = await repo.seats_taken(session, key.district_code, key.segment, key.year)
    allocation = allocate(policy, key.district_code, schools, candidates, seed, taken)
    reports = report(policy, allocation, candidates)
    return DryRun(key, seed, allocation, reports, names, len(candidates))


async def publish(
    db: Database,
    key: RunKey,
    seed: str,
    actor: str,
    now: dt.datetime,
    progress: Progress,
    batch: int = 1,
) -> CohortRun:
    """Store the result (or find the one a killed process stored, with the same seed), then
    place every case not yet placed, each in its own transaction (or ``batch`` cases in one:
    all of them or none are placed, so a resumed run still places each once);
    ``progress(done, total)``."""
    run = await _stored(db, key, check_seed(seed), actor, now)
    async with db.read_session() as session:
        total = await repo.placement_count(session, run.id)
        pending = await repo.pending_placements(session, run.id)
        lines = {line.school_code: line.line for line in await repo.lines_of(session, run.id)}
        names = (await schools_of(session, key))[1]
    done = total - len(pending)
    progress(done, total)
    context = Context(names, lines, actor, now)
    for start in range(0, len(pending), batch):
        async with db.write_session() as session:
            for case_id in pending[start : start + batch]:
                await _place_stored(session, case_id, context)
        done += len(pending[start : start + batch])
        progress(done, total)
    async with db.write_session() as session:
        found = await session.get(CohortRun, run.id)
        assert found is not None
        found.status, found.published_at = PUBLISHED, now
        return found


async def _stored(db: Database, key: RunKey, seed: str, actor: str, now: dt.datetime) -> CohortRun:
    async with db.write_session() as session:
        run = await repo.run_of(session, key.district_code, key.segment, key.year)
        if run is not None:
            return _resumable(run, seed)
        result = await dry_run(session, key, seed)
        run = CohortRun(
            district_code=key.district_code,
            segment=key.segment,
            year=key.year,
            seed=seed,
            status=PLACING,
            actor=actor,
            started_at=now,
        )
        session.add(run)
        await session.flush()
        session.add_all(_line(run.id, r) for r in result.reports)
        session.add_all(_placement(run.id, s) for s in result.allocation.seats)
        target = f"{key.district_code}-{key.segment}-{key.year}"
        await audit(session, None, "cohort_published", target, actor=actor, seed=seed)
        return run


def _resumable(run: CohortRun, seed: str) -> CohortRun:
    if run.status == PUBLISHED:
        raise Conflict(
            "本区该学段本年度的学位分配结果已经发布，不能再次发布。", code="already_published"
        )
    if run.seed != seed:
        raise Conflict(
            f"本区该学段本年度的学位分配正在发布（随机种子 {run.seed}），"
            "请用同一随机种子再次执行以完成发布。",
            code="publication_under_way",
        )
    return run


def _line(run_id: int, r: SchoolReport) -> CohortLine:
    return CohortLine(
        run_id=run_id,
        school_code=r.school_code,
        capacity=r.capacity,
        taken_before=r.taken_before,
        by_category=r.by_category,
        line=r.line,
        full=r.full,
        overflow_in=r.overflow_in,
        overflow_out=r.overflow_out,
        unplaced=r.unplaced,
    )


def _placement(run_id: int, seat: Seat, late: bool = False) -> CohortPlacement:
    return CohortPlacement(
        case_id=int(seat.case_id),
        run_id=run_id,
        school_code=seat.school_code,
        placement=seat.placement,
        reason=seat.reason,
        late=late,
    )


@dataclass(frozen=True)
class Placed:
    """A placement as ``lifecycle.place`` takes it (``lifecycle.Decided``)."""

    outcome: str
    school_code: str | None
    category: str | None
    reasons: list[str]
    explanation: str
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What every placement of one run reads: school names, the run's lines, who, when."""

    names: dict[str, str]
    lines: dict[str, str | None]
    actor: str
    now: dt.datetime


async def _place_stored(session: AsyncSession, case_id: int, context: Context) -> None:
    """One stored placement carried out, once: a placement already done is skipped, and so is
    a case that is no longer waiting for a seat."""
    row = await locked_row(session, CohortPlacement, {"case_id": case_id}, {"placed_at": None})
    if row.placed_at is not None:
        return
    row.placed_at = context.now
    case = await session.get(Case, case_id)
    entry = await repo.entry_of(session, case_id)
    if case is None or entry is None or case.status != Status.QUALIFIED:
        return
    seat = Seat(str(case_id), row.school_code, row.placement, row.reason)  # type: ignore[arg-type]
    await _move(session, case, seat, entry, context)


async def _move(
    session: AsyncSession, case: Case, seat: Seat, entry: CohortEntry, context: Context
) -> None:
    why = why_placed(seat, entry.category, entry.school_code, context.names, context.lines)
    outcome = Status.NOTICE_ISSUED if seat.school_code else Status.MANUAL_REVIEW
    decision = Placed(
        outcome, seat.school_code, entry.category, reasons_after(seat, case.reasons), why
    )
    await lifecycle.place(session, case, decision, seat.placement, context.actor, context.now)


async def place_if_published(session: AsyncSession, case: Case, now: dt.datetime) -> Seat | None:
    """A case qualified after its district's run was published is placed at once with the
    seats left (``cohort.md`` run step 4). Joins the caller's transaction; call it right after
    ``lifecycle.qualify`` and the case's ``save_entry``. None: no run yet, nothing done."""
    key = RunKey(case.district_code or "", case.segment, case.year)
    run = await repo.run_of(session, key.district_code, key.segment, key.year)
    entry = await repo.entry_of(session, case.id)
    if run is None or entry is None or case.status != Status.QUALIFIED:
        return None
    await locked_row(session, CohortRun, {"id": run.id}, {"status": run.status})  # one at a time
    schools, names = await schools_of(session, key)
    taken = await repo.seats_taken(session, key.district_code, key.segment, key.year)
    free = {s.code: max(0, s.capacity - taken.get(s.code, 0)) for s in schools}
    candidate: Candidate = repo.candidate_of(str(case.id), entry.candidate)
    seat = place_late(candidate, schools, free)
    row = _placement(run.id, seat, late=True)
    row.placed_at = now
    await session.merge(row)
    lines = {line.school_code: line.line for line in await repo.lines_of(session, run.id)}
    await _move(session, case, seat, entry, Context(names, lines, "system", now))
    return seat
