"""The guardian-side reads of cases. ``visible_cases`` is the one place that narrows what a
guardian may see (staff: ``cases.repository.visible_to_staff``)."""

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.status import ENDED
from ruxue.exchange.models import Consent
from ruxue.kit import pii
from ruxue.policy.repository import digest_in_force
from ruxue.policy.service import Checked


def _visible(indexes: Any) -> Select[Case]:
    return select(Case).where(Case.guardian_index.in_(indexes))


def visible_cases(guardian_id: str) -> Select[Case]:
    """Cases a guardian may see: their own applications only."""
    return _visible(pii.blind_indexes(guardian_id))


# every step reads its case so: the statement (and its cache key) built once, the guardian's
# blind indexes and the case number bound at each call
_CASE_OF = _visible(bindparam("indexes", expanding=True)).where(Case.case_no == bindparam("no"))
_CASE_OF_LOCKED = _CASE_OF.with_for_update()


async def cases_of(session: AsyncSession, guardian_id: str) -> Sequence[Case]:
    return (
        await session.scalars(
            visible_cases(guardian_id).order_by(Case.created_at.desc(), Case.id.desc())
        )
    ).all()


async def case_of(
    session: AsyncSession, guardian_id: str, case_no: str, *, lock: bool = False
) -> Case | None:
    params = {"indexes": pii.blind_indexes(guardian_id), "no": case_no}
    return (await session.scalars(_CASE_OF_LOCKED if lock else _CASE_OF, params)).one_or_none()


async def case_with_consents(
    session: AsyncSession, guardian_id: str, case_no: str
) -> tuple[Case, list[Consent], Checked] | None:
    """The guardian's case, its consents (``Case.consent_ids``, in that order) and the version of
    the cohort policy in force for its district and year, in one statement (peak day: a step that
    asks the departments or decides sent three). The consents are joined by the case's number;
    one given under another number is read by its id."""
    digest = digest_in_force(Case.district_code, Case.year)
    query = (
        visible_cases(guardian_id)
        .where(Case.case_no == case_no)
        .outerjoin(Consent, Consent.case_no == Case.case_no)
        .add_columns(Consent, digest)
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return None
    case, _, in_force = rows[0]
    found = {c.id: c for _, c, _ in rows if c is not None}
    if any(i not in found for i in case.consent_ids):
        query_ = select(Consent).where(Consent.id.in_(case.consent_ids))
        found = {c.id: c for c in await session.scalars(query_)}
    checked = Checked(case.district_code or "", case.year, in_force)
    return case, [found[i] for i in case.consent_ids], checked


class DraftRow(Protocol):
    """The columns of a case a read-only step needs (``draft_of``)."""

    year: int
    district_code: str | None
    draft_enc: str


async def draft_of(session: AsyncSession, guardian_id: str, case_no: str) -> DraftRow | None:
    """The year, district and facts of the guardian's case, as plain columns: a read that writes
    nothing back needs no ORM entity (peak day: the residences step)."""
    columns = (Case.year, Case.district_code, Case.draft_enc)
    query = visible_cases(guardian_id).with_only_columns(*columns).where(Case.case_no == case_no)
    return (await session.execute(query)).one_or_none()


def authorised_cases(parent_id: str) -> Select[Case]:
    """Cases the other parent authorised (step 3): they may read them and end their consent."""
    return select(Case).where(Case.spouse_index.in_(pii.blind_indexes(parent_id)))


async def cases_authorised_by(session: AsyncSession, parent_id: str) -> Sequence[Case]:
    query = authorised_cases(parent_id).order_by(Case.created_at.desc(), Case.id.desc())
    return (await session.scalars(query)).all()


async def case_authorised_by(session: AsyncSession, parent_id: str, case_no: str) -> Case | None:
    query = authorised_cases(parent_id).where(Case.case_no == case_no)
    return (await session.scalars(query)).one_or_none()


async def case_for_child(
    session: AsyncSession, year: int, segment: str, child_id: str
) -> Case | None:
    """The case holding the child's one case of the year and segment (not withdrawn, not rejected)."""
    query = select(Case).where(
        Case.year == year, Case.segment == segment, Case.child_index.in_(pii.blind_indexes(child_id)),
        Case.status.not_in(ENDED),
    )  # fmt: skip
    return (await session.scalars(query)).one_or_none()
