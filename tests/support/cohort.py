"""Small cohort records for the tests: one district (姑苏区), two primary schools."""

import datetime as dt
from dataclasses import replace
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases import lifecycle
from ruxue.cases.models import Case
from ruxue.cases.status import Status
from ruxue.cohort.policy_keys import CohortPolicy, validate_policy
from ruxue.cohort.records import Candidate, Kin, School
from ruxue.cohort.repository import save_entry
from ruxue.cohort.rules import CaseFacts
from ruxue.kit.db import Database
from ruxue.person.rules import make_id_number
from ruxue.policy import service as policy_service
from ruxue.policy.rules import Decision
from ruxue.reference.models import School as SchoolRow
from tests.support.helpers import ServerThread
from tests.support.personas import WANG, WANG_CHILD
from tests.support.session import logged_in

YEAR = 2026
CITY = "320500"
DISTRICT = "320508"
APPLIED = dt.date(YEAR, 5, 10)
NORTH = School(
    "3205080101", DISTRICT, "primary", 2, frozenset({"GS-N-1", "GS-N-2"}), ("3205080102",)
)
SOUTH = School("3205080102", DISTRICT, "primary", 2, frozenset({"GS-S-1"}))
SCHOOLS = (NORTH, SOUTH)
FATHER, MOTHER = "320508198801010110", "320508199002020421"


def policy(**keys: Any) -> CohortPolicy:
    """A district on ``allocation`` with these keys, read as ``ruxue policy import`` reads them."""
    found = validate_policy({"placement": "allocation", **keys}, YEAR)
    assert isinstance(found, CohortPolicy), found
    return found


def child(sequence: int, father: str | None = FATHER, mother: str | None = MOTHER) -> Kin:
    """A child born in the primary age window; ``sequence`` tells children apart."""
    return Kin(make_id_number(DISTRICT, dt.date(YEAR - 7, 10, 15), sequence), father, mother)


def stranger(sequence: int) -> Kin:
    """A child of other parents."""
    return child(sequence, father=f"F{sequence}", mother=f"M{sequence}")


def case(kin: Kin | None = None, **fields: Any) -> CaseFacts:
    return CaseFacts(
        segment="primary",
        child=kin or child(1),
        applied_on=APPLIED,
        city_code=CITY,
        **fields,
    )


def candidate(number: int, category: str = "C", **fields: Any) -> Candidate:
    values: dict[str, Any] = {"school_code": NORTH.code, **fields}
    return Candidate(
        case_id=f"case-{number:04d}",
        id_number=stranger(number).id_number,
        category=category,  # type: ignore[arg-type]
        **values,
    )


NOW = dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC)


def a_case(number: int) -> Case:
    """A case row of 姑苏区's primary cohort, not yet started."""
    return Case(
        case_no=f"RX2026P{number:010d}",
        year=YEAR,
        segment="primary",
        channel="online",
        step=7,
        district_code=DISTRICT,
        guardian_index=f"g-{number}",
        guardian_enc="",
        child_index=f"c-{number}",
        child_enc="",
        child_name_masked="王*",
    )


async def qualified(
    session: AsyncSession, candidate: Candidate, case: Case | None = None, now: dt.datetime = NOW
) -> Case:
    """A case qualified by the rules with its cohort entry, as deciding writes them (a new
    synthetic case, or ``case``, a draft of the guardian's flow)."""
    if case is None:
        case = a_case(int(candidate.case_id.removeprefix("case-")))
        session.add(case)
        await lifecycle.start(session, case, now)
        await session.flush()
    decided = Decision(
        outcome=Status.QUALIFIED,
        school_code=candidate.school_code,
        category=candidate.category,
        reasons=[],
        missing=[],
        explanation="资格审核通过",
    )
    await lifecycle.qualify(session, case, decided, now)
    await save_entry(
        session,
        case.id,
        DISTRICT,
        "primary",
        YEAR,
        replace(candidate, case_id=str(case.id)),
        now,
    )
    await session.flush()
    return case


def four_children() -> list[Candidate]:
    """Four children of NORTH's catchment: two A, a B, a C (NORTH has 2 seats in ``district``)."""
    return [
        candidate(1, "A", registered_on=dt.date(2018, 1, 1)),
        candidate(2, "A", registered_on=dt.date(2018, 6, 1)),
        candidate(3, "B", registered_on=dt.date(2020, 3, 1)),
        candidate(4, "C", moved_in_on=dt.date(2021, 1, 1)),
    ]


async def qualify_all(db: Database, found: list[Candidate]) -> dict[str, str]:
    """Each candidate's case qualified with its entry: candidate id → case number."""
    async with db.write_session() as session:
        return {c.case_id: (await qualified(session, c)).case_no for c in found}


ON_ALLOCATION = 'placement = "allocation"\npublish_on = "07-10"\n'


async def two_schools(db: Database) -> None:
    """The run's district on ``allocation`` (the run refuses any other), NORTH (平江, from the
    example dataset) with 2 seats and SOUTH (沧浪), its 统筹 school, with 1."""
    async with db.write_session() as session:
        await policy_service.import_policy(session, DISTRICT, YEAR, ON_ALLOCATION, "test", "test")
        seats = (
            update(SchoolRow)
            .where(SchoolRow.code == NORTH.code)
            .values(capacity=2, overflow_to=[SOUTH.code])
        )
        await session.execute(seats)
        south = SchoolRow(
            code=SOUTH.code,
            name="苏州市沧浪实验小学",
            district_code=DISTRICT,
            segment="primary",
            capacity=1,
            compound_codes=["GS-S-1"],
        )
        session.add(south)


async def wang_qualified(
    web: ServerThread, sandbox: ServerThread, db: Database
) -> tuple[httpx.AsyncClient, str]:
    """Wang applies through the API up to the last step; the rules (another branch's deciding)
    qualify the case: category B, NORTH's catchment, ranked after NORTH's two A children."""
    guardian = await logged_in(web, sandbox, WANG)
    created = await guardian.post(
        "/api/v1/cases", json={"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}
    )
    assert created.status_code == 201, created.text
    no = created.json()["case_no"]
    async with db.write_session() as session:
        case = await session.scalar(select(Case).where(Case.case_no == no))
        assert case is not None
        wang = replace(candidate(3, "B", registered_on=dt.date(2020, 3, 1)), id_number=WANG_CHILD)
        await qualified(session, wang, case=case)
    return guardian, no
