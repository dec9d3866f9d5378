"""A generated city for the dashboard's benchmark, screenshot and figure tests: schools, families'
cases with their trace, ratings and rectification items, a real hash-chained call log, archive
packages and check runs — written straight into the tables (no HTTP, no departments), in bulk.

Only for demos and measurements: the archive rows point at no stored package."""

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.archive.models import ArchivePackage, CheckRun
from ruxue.cases.models import Case, CaseEvent
from ruxue.cases.seeding import decided_for_good, seeded_status
from ruxue.cases.status import Action, Status
from ruxue.exchange.repository import append_entries
from ruxue.kit import pii
from ruxue.rating import rules
from ruxue.rating.models import Rating, Rectification
from ruxue.reference.districts import ISSUERS
from ruxue.reference.models import School
from ruxue.reference.repository import forget_schools

START = dt.datetime(2026, 6, 1, 0, tzinfo=dt.UTC)  # 08:00 Beijing, the window opens
STATUSES = (
    (Status.NOTICE_ISSUED, 76),
    (Status.MANUAL_REVIEW, 7),
    (Status.NEEDS_MATERIALS, 6),
    (Status.REJECTED, 6),
    (Status.DRAFT, 5),
)
LEVELS = ((5, 58), (4, 24), (3, 9), (2, 5), (1, 4))
ITEM_STATUSES = (
    "open",
    "open",
    "open",
    "visited",
    "fixed",
    "replied",
    "closed",
    "closed",
    "appealed",
    "set_aside",
)
DEPARTMENTS = (
    ("police", 40),
    ("property", 80),
    ("civil", 30),
    ("health", 25),
    ("hrss", 60),
    ("xueji", 50),
)


@dataclass
class City:
    families: int
    seed: int = 7
    now: dt.datetime = START + dt.timedelta(days=9, hours=6)  # 14:00 Beijing, day 10
    schools_per_district: int = 6
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _schools(city: City, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for district in ISSUERS:
        for i in range(city.schools_per_district):
            segment = "primary" if i % 3 else "junior"
            out.append(
                {
                    "code": f"{district}{i + 1:04d}",
                    "district_code": district,
                    "segment": segment,
                    "name": f"{district[-2:]}区第{i + 1}{'小学' if segment == 'primary' else '中学'}",
                    "capacity": rng.randrange(150, 600, 10),
                    "compound_codes": [],
                }
            )
    return out


def _submitted(rng: random.Random, city: City, status: str) -> dt.datetime:
    """Most families apply in the first days, in Beijing daytime; review cases are younger."""
    span = max((city.now - START).days, 1)
    day = (
        rng.randrange(span // 2, span)
        if status == Status.MANUAL_REVIEW
        else int(rng.expovariate(0.3)) % span
    )
    at = START + dt.timedelta(
        days=day, hours=int(rng.triangular(0, 14, 2)), minutes=rng.randrange(60)
    )
    return min(at, city.now - dt.timedelta(minutes=rng.randrange(1, 600)))


async def seed_city(session: AsyncSession, city: City) -> dict[str, int]:
    """Write the city; returns counts. ``session`` is a write session; nothing is committed here."""
    rng = random.Random(city.seed)
    schools = _schools(city, rng)
    await session.execute(insert(School), schools)
    forget_schools()
    first = (await session.scalar(select(func.max(Case.id)))) or 0
    Rows = list[dict[str, Any]]
    cases: Rows = []
    events: Rows = []
    ratings: Rows = []
    items: Rows = []
    packages: Rows = []
    checks: Rows = []
    for i in range(city.families):
        school = rng.choice(schools)
        case = _case(rng, city, first + i + 1, school)
        cases.append(case)
        if case["submitted_at"] is None:
            continue
        decided = _events(rng, case, events)
        if decided is not None and decided_for_good(case["status"]):
            _rating(rng, city, case, decided, ratings, items)
            if rng.random() < 0.9 and decided < city.now - dt.timedelta(hours=1):
                _package(rng, case, decided, packages, checks)
    for table, rows in (
        (Case, cases),
        (CaseEvent, events),
        (Rating, ratings),
        (Rectification, items),
        (ArchivePackage, packages),
        (CheckRun, checks),
    ):
        for start in range(0, len(rows), 5000):
            await session.execute(insert(table), rows[start : start + 5000])
        await _advance_sequence(session, table.__tablename__, rows)
    calls = await _calls(session, rng, city, cases)
    return {
        "schools": len(schools),
        "cases": len(cases),
        "events": len(events),
        "ratings": len(ratings),
        "items": len(items),
        "packages": len(packages),
        "calls": calls,
    }


def _case(rng: random.Random, city: City, case_id: int, school: dict[str, Any]) -> dict[str, Any]:
    status = _pick(rng, STATUSES)
    channel = "offline" if rng.random() < 0.15 else "online"
    submitted = None if status == Status.DRAFT else _submitted(rng, city, status)
    child = f"seed-child-{city.seed}-{case_id}"
    return {
        "id": case_id,
        "case_no": f"RX{city.seed:02d}{case_id:010d}",
        "year": 2026,
        "segment": school["segment"],
        "channel": channel,
        "desk_school": school["code"] if channel == "offline" else None,
        **seeded_status(status),
        "step": 7,
        "district_code": school["district_code"],
        "guardian_index": pii.blind_index(f"seed-guardian-{city.seed}-{case_id}"),
        "guardian_enc": "",
        "child_index": pii.blind_index(child),
        "child_enc": "",
        "child_name_masked": "*某",
        "school_code": school["code"] if status == Status.NOTICE_ISSUED else None,
        "consent_ids": [],
        "reasons": [],
        "missing": [],
        "submitted_at": submitted,
        "created_at": submitted or START,
        "updated_at": submitted or START,
        "version": 1,
        "draft_enc": "",
        "explanation": "",
        "phone_enc": "",
    }


def _events(
    rng: random.Random, case: dict[str, Any], events: list[dict[str, Any]]
) -> dt.datetime | None:
    """The decide event; a share of the decided cases went through review first."""
    at = case["submitted_at"] + dt.timedelta(seconds=rng.randrange(2, 30))
    reviewed = decided_for_good(case["status"]) and rng.random() < 0.12
    outcome = Status.MANUAL_REVIEW.value if reviewed else case["status"]
    events.append(
        {
            "case_id": case["id"],
            "seq": 1,
            "at": at,
            "actor": "system",
            "action": "decide",
            "detail": {"outcome": outcome},
        }
    )
    if reviewed:
        at += dt.timedelta(hours=rng.randrange(4, 72))
        approved = case["status"] == Status.NOTICE_ISSUED
        action = Action.APPROVE if approved else Action.REJECT
        events.append(
            {
                "case_id": case["id"],
                "seq": 2,
                "at": at,
                "actor": "staff:seed",
                "action": action.value,
                "detail": {"outcome": case["status"]},
            }
        )
    return at if decided_for_good(case["status"]) else None


def _rating(
    rng: random.Random,
    city: City,
    case: dict[str, Any],
    decided: dt.datetime,
    ratings: list[dict[str, Any]],
    items: list[dict[str, Any]],
) -> None:
    rated_at = decided + dt.timedelta(hours=rng.expovariate(1 / 30))
    if rng.random() > 0.62 or rated_at >= city.now:
        return
    s, channel = rules.settings(), "desk" if case["channel"] == "offline" else "online"
    level = _pick(rng, LEVELS)
    rating = {
        "id": len(ratings) + 1,
        "case_id": case["id"],
        "channel": channel,
        "level": level,
        "indicators": dict.fromkeys(s.indicators[channel], level),
        "comment": "",
        "real_name": rng.random() < 0.9,
        "district_code": case["district_code"],
        "school_code": case["school_code"] or case["desk_school"] or "",
        "rated_at": rated_at,
        "reopened": False,
    }
    ratings.append(rating)
    if level in s.bad:
        items.append(_item(rng, city, rating, len(items) + 1))


def _item(rng: random.Random, city: City, rating: dict[str, Any], item_id: int) -> dict[str, Any]:
    s, cal, at = rules.settings(), rules.shipped_calendar(), rating["rated_at"]
    status = rng.choice(ITEM_STATUSES)
    later = at + dt.timedelta(hours=rng.randrange(2, 40))
    visited = later if status not in ("open",) and later < city.now else None
    return {
        "id": item_id,
        "rating_id": rating["id"],
        "case_id": rating["case_id"],
        "round": 1,
        "district_code": rating["district_code"],
        "school_code": rating["school_code"],
        "status": status if visited or status == "open" else "open",
        "opened_at": at,
        "contact_due": rules.due_at(cal, at, s.contact_days),
        "fix_due": rules.due_at(cal, at, s.fix_days),
        "visited_at": visited,
        "escalation": 0,
        "appeal_reason": "",
        "history": [],
    }


def _package(
    rng: random.Random,
    case: dict[str, Any],
    decided: dt.datetime,
    packages: list[dict[str, Any]],
    checks: list[dict[str, Any]],
) -> None:
    number = f"SEED-{case['case_no']}"
    packages.append(
        {
            "case_id": case["id"],
            "archive_no": number,
            "location": "",
            "digest": "0" * 64,
            "school_code": case["school_code"] or case["desk_school"],
            "district_code": case["district_code"],
            "leaf_index": len(packages),
            "built_at": decided,
        }
    )
    checks.append(
        {
            "archive_no": number,
            "stage": "SIP",
            "at": decided,
            "passed": rng.random() < 0.98,
            "results": [],
            "note": "seed",
        }
    )


async def _calls(
    session: AsyncSession, rng: random.Random, city: City, cases: list[dict[str, Any]]
) -> int:
    """Two department calls per submitted case, on a real hash chain (latency and faults varied)."""
    rows = []
    for case in cases:
        if case["submitted_at"] is None or case["submitted_at"] < city.now - dt.timedelta(days=7):
            continue
        for department, typical in rng.sample(DEPARTMENTS, 2):
            failed = rng.random() < (0.06 if department == "property" else 0.01)
            rows.append(
                {
                    "at": case["submitted_at"],
                    "client_id": "seed",
                    "request_id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "case_no": case["case_no"],
                    "operator": "seed",
                    "consent_ids": [],
                    "purpose": "ENROLLMENT",
                    "service": f"{department}.seed",
                    "version": "v1",
                    "department": department,
                    "subjects": [],
                    "fields": [],
                    "request_hash": "0" * 64,
                    "response_hash": None,
                    "outcome": "unavailable" if failed else "ok",
                    "status": 503 if failed else 200,
                    "attempts": 3 if failed else 1,
                    "latency_ms": rng.lognormvariate(0, 0.5) * typical,
                }
            )
    rows.sort(key=lambda r: r["at"])
    for start in range(0, len(rows), 2000):
        await append_entries(session, 0, rows[start : start + 2000])
    return len(rows)


async def _advance_sequence(session: AsyncSession, table: str, rows: list[dict[str, Any]]) -> None:
    """Rows written with their ids leave PostgreSQL's sequence behind: move it past them, so
    that rows added afterwards the usual way get fresh ids (SQLite takes the next rowid)."""
    if rows and "id" in rows[0] and session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        )
