"""The plain records the cohort rules read, filled by the caller from the departments' facts."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Segment = Literal["primary", "junior"]
Category = Literal["A", "B", "C", "D"]


@dataclass(frozen=True, slots=True)
class Kin:
    """A child and its parents by the police record (None: not known)."""

    id_number: str
    father_id_number: str | None = None
    mother_id_number: str | None = None


@dataclass(frozen=True, slots=True)
class Hukou:
    """The child's booklet in the city; ``moved_in_on`` None counts as always there."""

    district_code: str
    compound_code: str
    moved_in_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Home:
    """The chosen residence, when it qualified under ``domain.md`` (area, usage, ownership)."""

    cert_no: str
    district_code: str
    compound_code: str
    registered_on: dt.date


@dataclass(frozen=True, slots=True)
class SeatUse:
    """A seat a property gave: a ``seat_history`` row, or a case of this year that used it."""

    cert_no: str
    child: Kin
    year: int
    segment: Segment


@dataclass(frozen=True, slots=True)
class Permit:
    """A residence permit (居住证) of one parent."""

    permit_no: str
    district_code: str
    compound_code: str
    valid_from: dt.date
    valid_to: dt.date


@dataclass(frozen=True, slots=True)
class Insurance:
    city_code: str
    months_paid: int


@dataclass(frozen=True, slots=True)
class Parent:
    """The guardian or the spouse, with what category D reads."""

    id_number: str
    permits: tuple[Permit, ...] = ()
    insurance: tuple[Insurance, ...] = ()
    points: float | None = None  # 流动人口积分; no record counts as 0


@dataclass(frozen=True, slots=True)
class School:
    code: str
    district_code: str
    segment: Segment
    capacity: int
    compound_codes: frozenset[str]
    overflow_to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Enrolled:
    """A student status of a possible elder sibling (``school_code`` None: not known)."""

    child: Kin
    birth_date: dt.date
    status: str
    school_code: str | None


@dataclass(frozen=True, slots=True)
class Priority:
    """A ``priority_children`` row."""

    group: str
    district_code: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A qualified case as the run ranks it."""

    case_id: str
    id_number: str
    category: Category
    school_code: str  # the catchment school
    priorities: tuple[Priority, ...] = ()
    sibling_schools: frozenset[str] = field(default_factory=frozenset)
    registered_on: dt.date | None = None  # A, B: the property's
    moved_in_on: dt.date | None = None  # A, C: the child's; None ranks as the earliest
    points: float = 0.0  # D: the applicant parent's
    permit_from: dt.date | None = None  # D: the applicant parent's permit valid_from
