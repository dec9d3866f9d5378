"""The bureau's records as the cohort rules read them: plain data, no database. A ``SeatRecord``
is what ``cohort.records.SeatUse`` is made of (``SeatUse(r.cert_no, Kin(r.child_id_number),
r.year, r.segment)``; the earlier child's parents, for the sibling exception, come from the
police)."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SeatRecord:
    cert_no: str
    child_id_number: str
    year: int
    segment: str
    school_code: str
    case_id: int | None = None  # a seat this system placed


@dataclass(frozen=True, slots=True)
class PriorityRecord:
    group: str
    district_code: str
