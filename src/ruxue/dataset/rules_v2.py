"""Cross-record rules of dataset version 2 (``sandbox-dataset.md``, "Version 2"). Pure functions.

A ``seat_history`` row's child, school and certificate may lie outside the dataset (earlier
years'); every other reference must exist, and ``overflow_to`` names schools of the same district
and segment."""

from collections.abc import Iterator

from ruxue.dataset.rules_common import Problem, id_problem, ref, unique
from ruxue.dataset.schemas import Dataset


def problems_v2(data: Dataset, persons: set[str]) -> Iterator[Problem]:
    yield from _permit_problems(data, persons)
    yield from _points_problems(data, persons)
    yield from _school_problems(data)
    yield from _seat_history_problems(data)
    yield from _priority_problems(data, persons)


def _permit_problems(data: Dataset, persons: set[str]) -> Iterator[Problem]:
    yield from unique(data.residence_permits, "permit_no", "residence_permits")
    for i, permit in enumerate(data.residence_permits):
        path = f"residence_permits[{i}]"
        yield from ref(f"{path}.id_number", permit.id_number, persons)
        if permit.valid_to < permit.valid_from:
            yield f"{path}.valid_to", "before valid_from"


def _points_problems(data: Dataset, persons: set[str]) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, row in enumerate(data.points):
        yield from ref(f"points[{i}].id_number", row.id_number, persons)
        if row.id_number in seen:
            yield f"points[{i}].id_number", "duplicate points record of this person"
        seen.add(row.id_number)


def _school_problems(data: Dataset) -> Iterator[Problem]:
    schools = {s.code: s for s in data.schools}
    for i, school in enumerate(data.schools):
        for j, code in enumerate(school.overflow_to):
            path = f"schools[{i}].overflow_to[{j}]"
            other = schools.get(code)
            if other is None:
                yield path, "no such school"
            elif code == school.code:
                yield path, "a school cannot overflow to itself"
            elif (other.district_code, other.segment) != (school.district_code, school.segment):
                yield path, "not a school of the same district and segment"
            elif code in school.overflow_to[:j]:
                yield path, "listed twice"
    for i, status in enumerate(data.student_status):
        if status.school_code is not None and status.school_code not in schools:
            yield f"student_status[{i}].school_code", "no such school"


def _seat_history_problems(data: Dataset) -> Iterator[Problem]:
    for i, row in enumerate(data.seat_history):
        yield from id_problem(f"seat_history[{i}].child_id_number", row.child_id_number)


def _priority_problems(data: Dataset, persons: set[str]) -> Iterator[Problem]:
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(data.priority_children):
        path = f"priority_children[{i}]"
        yield from ref(f"{path}.child_id_number", row.child_id_number, persons)
        if (row.child_id_number, row.group) in seen:
            yield f"{path}.group", "the child is already listed in this group"
        seen.add((row.child_id_number, row.group))
