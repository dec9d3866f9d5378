"""Siblings, calendar months and the catchment lookup: the small readings the rules share."""

import calendar
import datetime as dt
from collections.abc import Iterable

from ruxue.cohort.records import Enrolled, Kin, School


def are_siblings(a: Kin, b: Kin) -> bool:
    """Two different children with the same father or the same mother by the police record."""
    if a.id_number == b.id_number:
        return False
    same_father = a.father_id_number is not None and a.father_id_number == b.father_id_number
    same_mother = a.mother_id_number is not None and a.mother_id_number == b.mother_id_number
    return same_father or same_mother


def months_back(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def school_for(compound: str, schools: Iterable[School], segment: str) -> School | None:
    """The school whose catchment has the compound (the lowest code if several, as ``domain.md``)."""
    matches = [s for s in schools if s.segment == segment and compound in s.compound_codes]
    return min(matches, key=lambda s: s.code) if matches else None


def sibling_schools(child: Kin, born: dt.date, students: Iterable[Enrolled]) -> frozenset[str]:
    """Schools where an elder sibling's student status is ``enrolled`` (for ``sibling_priority``)."""
    return frozenset(
        s.school_code
        for s in students
        if s.school_code and s.status == "enrolled" and s.birth_date < born
        if are_siblings(child, s.child)
    )
