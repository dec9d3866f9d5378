"""Reads of the reports the city holds about a family: the cases a county system runs for a child
or an applicant, looked up by the city's blind index of their ID numbers."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.county.models import Client, StageReport
from ruxue.county.rules import STAGES, result_label
from ruxue.kit import pii
from ruxue.reference.districts import district_label

ORDER = list(STAGES)


@dataclass(frozen=True)
class ReportedCase:
    """A county's case as the city knows it: its number, district, system, and furthest stage."""

    case_no: str
    district_code: str
    system: str  # the county system's registered name
    stage: str
    result: str
    stage_at: dt.datetime

    @property
    def district_label(self) -> str:
        return district_label(self.district_code)

    @property
    def progress(self) -> str:
        """The stage (and result) in words: 办结（已发放入学告知书）."""
        label = result_label(self.result)
        return f"{STAGES[self.stage]}（{label}）" if label else STAGES[self.stage]


async def reported_cases(
    session: AsyncSession, *, child: str = "", applicant: str = ""
) -> Sequence[ReportedCase]:
    """The county cases about this child or this applicant (ID numbers), voided ones left out."""
    wanted = []
    if child:
        wanted.append(StageReport.child_index.in_(pii.blind_indexes(child)))
    if applicant:
        wanted.append(StageReport.applicant_index.in_(pii.blind_indexes(applicant)))
    if not wanted:
        return []
    theirs = select(StageReport.case_no).where(or_(*wanted))  # any stage may name them
    query = (
        select(StageReport, Client.name)
        .join(Client, Client.client_id == StageReport.client_id, isouter=True)
        .where(StageReport.case_no.in_(theirs), StageReport.data_state == 1)
    )
    furthest: dict[str, ReportedCase] = {}
    for report, name in (await session.execute(query)).all():
        seen = furthest.get(report.case_no)
        if seen is None or ORDER.index(report.stage) > ORDER.index(seen.stage):
            furthest[report.case_no] = ReportedCase(
                report.case_no,
                report.district_code,
                name or f"{district_label(report.district_code)}入学报名系统",
                report.stage,
                report.result,
                report.stage_at,
            )
    return sorted(furthest.values(), key=lambda c: c.stage_at, reverse=True)
