"""The city's side of county reporting: idempotent upserts of stage reports, the one city picture
(own cases and reported ones per district and stage), and the registration of county clients."""

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import case, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.status import Status
from ruxue.county.auth import secret_hash
from ruxue.county.models import CaseOwner, Client, StageReport
from ruxue.county.rules import FINISHED, IN_PROCESS, STAGES
from ruxue.county.schemas import (
    PEOPLE,
    CityPicture,
    Count,
    CountyHealth,
    NewClient,
    Receipt,
    StageIn,
)
from ruxue.kit import pii
from ruxue.kit.clock import now_of, utcnow
from ruxue.kit.db import Database, upsert_statement
from ruxue.kit.errors import Conflict, Forbidden

ORDER = list(STAGES)  # apply < accept < process < done


async def receive(
    session: AsyncSession, db: Database, client: Client, reports: list[StageIn]
) -> Receipt:
    """Upsert every report on (case number, stage), keeping the highest data version. A report
    for another district, or of a case number another county's client has reported, refuses the
    whole batch (403) before anything is written."""
    await _refuse_foreign_cases(session, db, client, reports)
    for index, report in enumerate(reports):
        if report.district_code != client.district_code:
            raise Forbidden(
                f"第{index + 1}条记录的 district_code（{report.district_code}）不是本县区"
                f"（{client.district_code}），不能上报。",
                code="foreign_district",
                field=f"reports.{index}.district_code",
            )
    applied = 0
    for report in reports:
        applied += await _upsert(session, db, client.client_id, report)
    client.last_report_at = now_of(session)  # the app's clock, as the picture's cutoff
    await session.flush()
    return Receipt(received=len(reports), applied=applied, stale=len(reports) - applied)


async def _refuse_foreign_cases(
    session: AsyncSession, db: Database, client: Client, reports: list[StageIn]
) -> None:
    """A case number belongs to the client (and district) that first reported it: no other
    county may move it to its district, void it or bump its version. New numbers are claimed
    first (a unique key on the number), then every owner is read back."""
    numbers = sorted({r.case_no for r in reports})
    mine = {"client_id": client.client_id, "district_code": client.district_code}
    for case_no in numbers:
        claim = upsert_statement(db, CaseOwner.__table__, {"case_no": case_no, **mine})
        await session.execute(claim.on_conflict_do_nothing(index_elements=["case_no"]))
    owners = select(CaseOwner.case_no, CaseOwner.client_id, CaseOwner.district_code).where(
        CaseOwner.case_no.in_(numbers)
    )
    theirs = {
        case_no
        for case_no, client_id, district in (await session.execute(owners)).all()
        if (client_id, district) != (client.client_id, client.district_code)
    }
    for index, report in enumerate(reports):
        if report.case_no in theirs:
            raise Forbidden(
                f"第{index + 1}条记录的案件编号（{report.case_no}）已由其他县区上报，不能改写。",
                code="foreign_case",
                field=f"reports.{index}.case_no",
            )


def _indexes(report: StageIn) -> dict[str, str | None]:
    """The city's blind indexes of the people a report names; the numbers are not kept."""
    child, applicant = report.child_id_number, report.applicant_id_number
    return {
        "child_index": pii.blind_index(child) if child else None,
        "applicant_index": pii.blind_index(applicant) if applicant else None,
    }


async def _upsert(session: AsyncSession, db: Database, client_id: str, report: StageIn) -> int:
    values = report.model_dump(exclude=set(PEOPLE)) | _indexes(report)
    values |= {"client_id": client_id, "received_at": utcnow()}
    insert = upsert_statement(db, StageReport.__table__, values)
    table, excluded = StageReport.__table__.c, insert.excluded
    # never over another client's record, even when two counties race to a case's first report
    same_owner = (table.client_id == excluded.client_id) & (
        table.district_code == excluded.district_code
    )
    newer = (table.data_version < excluded.data_version) & same_owner
    statement = insert.on_conflict_do_update(
        index_elements=["case_no", "stage"],
        set_={k: _kept(table, excluded, k) for k in values if k not in ("case_no", "stage")},
        where=newer,
    ).returning(StageReport.__table__.c.id)
    return int((await session.execute(statement)).first() is not None)


def _kept(table: Any, excluded: Any, key: str) -> Any:
    """A newer version's value; a person's index stays when the newer version omits it."""
    if key in ("child_index", "applicant_index"):
        return func.coalesce(excluded[key], table[key])
    return excluded[key]


def _rank(column: object) -> object:
    return case(*((column == stage, i) for i, stage in enumerate(ORDER)), else_=-1)  # type: ignore[arg-type]


async def picture(session: AsyncSession, silence: dt.timedelta, district: str = "") -> CityPicture:
    """Cases per district and current stage: the city's own and the reported ones. Each case is
    counted once, at the furthest stage it reached (a voided record, data state 0, does not count).
    With ``district``, that district's part only (its row on the dashboard)."""
    counts: dict[tuple[str, str], list[int]] = {}
    for code, stage, n in await _own(session, district):
        counts.setdefault((code, stage), [0, 0])[0] += n
    for code, stage, n in await _reported(session, district):
        counts.setdefault((code, stage), [0, 0])[1] += n
    rows = [
        Count(district_code=d, stage=s, stage_label=STAGES[s], own=o, reported=r, total=o + r)
        for (d, s), (o, r) in sorted(
            counts.items(), key=lambda kv: (kv[0][0], ORDER.index(kv[0][1]))
        )
    ]
    cutoff = now_of(session) - silence
    clients = select(Client).where(Client.active)
    if district:
        clients = clients.where(Client.district_code == district)
    counties = [
        CountyHealth(
            client_id=c.client_id,
            name=c.name,
            district_code=c.district_code,
            enrollment_url=c.enrollment_url,
            last_report_at=c.last_report_at,
            silent=c.last_report_at is None or c.last_report_at < cutoff,
        )
        for c in (await session.scalars(clients.order_by(Client.client_id))).all()
    ]
    return CityPicture(counts=rows, counties=counties)


async def _own(session: AsyncSession, district: str) -> list[tuple[str, str, int]]:
    stage = case(
        (Case.status.in_(IN_PROCESS), "process"),
        (Case.status.in_(FINISHED), "done"),
        (Case.status == Status.QUALIFIED, "accept"),  # accepted, waiting for the allocation run
        else_="apply",
    )
    query = (
        select(Case.district_code, stage, func.count())
        .where(Case.submitted_at.is_not(None), Case.district_code.is_not(None))
        .group_by(Case.district_code, stage)
    )
    if district:
        query = query.where(Case.district_code == district)
    return [(str(d), str(s), int(n)) for d, s, n in (await session.execute(query)).all()]


async def _reported(session: AsyncSession, district: str) -> list[tuple[str, str, int]]:
    furthest = (
        select(
            StageReport.district_code.label("district"),
            func.max(_rank(StageReport.stage)).label("rank"),
        )
        .where(StageReport.data_state == 1)
        .where(StageReport.district_code == district if district else true())
        .group_by(StageReport.case_no, StageReport.district_code)
        .subquery()
    )
    query = select(furthest.c.district, furthest.c.rank, func.count()).group_by(
        furthest.c.district, furthest.c.rank
    )
    rows = (await session.execute(query)).all()
    return [(str(d), ORDER[int(r)], int(n)) for d, r, n in rows if int(r) >= 0]


async def add_client(session: AsyncSession, new: NewClient) -> str:
    """Register a county system; its secret is returned once and kept only as a hash."""
    if await session.get(Client, new.client_id) is not None:
        raise Conflict(f"客户端 {new.client_id} 已存在。", code="client_exists")
    secret = secrets.token_urlsafe(32)
    session.add(Client(**new.model_dump(), secret_hash=secret_hash(secret)))
    await session.flush()
    return secret
