"""Cross-record rules of the dataset format that a type check cannot see. Pure functions."""

from collections.abc import Iterator

from ruxue.dataset.rules_common import Problem, ref, unique
from ruxue.dataset.rules_v2 import problems_v2
from ruxue.dataset.schemas import Dataset
from ruxue.person.rules import IdNumberError, id_number_problem

ODD = frozenset("13579")


def first_problem(data: Dataset) -> Problem | None:
    return next(problems(data), None)


def problems(data: Dataset) -> Iterator[Problem]:
    persons: set[str] = set()
    booklets = {b.booklet_no for b in data.hukou_booklets}
    for i, p in enumerate(data.persons):
        path = f"persons[{i}]"
        if bad := id_number_problem(p.id_number):
            yield f"{path}.id_number", IdNumberError.ENGLISH[bad]
        if p.id_number in persons:
            yield f"{path}.id_number", "duplicate person"
        persons.add(p.id_number)
        if ("M" if p.id_number[16] in ODD else "F") != p.gender:
            yield f"{path}.gender", "does not agree with the ID number's sequence digit"
        if p.birth_date.strftime("%Y%m%d") != p.id_number[6:14]:
            yield f"{path}.birth_date", "does not agree with the ID number"
        if p.booklet_no not in booklets:
            yield f"{path}.booklet_no", "no such hukou booklet"
        for key in ("father_id_number", "mother_id_number"):
            yield from _outside_ref(f"{path}.{key}", getattr(p, key), persons)
    yield from _booklet_problems(data, persons)
    yield from _property_problems(data, persons)
    yield from _people_refs(data, persons)
    yield from unique(data.schools, "code", "schools")
    if data.version >= 2:
        yield from problems_v2(data, persons)


def _outside_ref(path: str, value: str | None, persons: set[str]) -> Iterator[Problem]:
    """A parent, who may be null or a person outside the dataset, but with a valid number."""
    if value is not None and value not in persons and (bad := id_number_problem(value)):
        yield path, IdNumberError.ENGLISH[bad]


def _booklet_problems(data: Dataset, persons: set[str]) -> Iterator[Problem]:
    yield from unique(data.hukou_booklets, "booklet_no", "hukou_booklets")
    for i, b in enumerate(data.hukou_booklets):
        for j, m in enumerate(b.members):
            yield from ref(f"hukou_booklets[{i}].members[{j}].id_number", m.id_number, persons)


def _property_problems(data: Dataset, persons: set[str]) -> Iterator[Problem]:
    yield from unique(data.properties, "cert_no", "properties")
    for i, prop in enumerate(data.properties):
        for j, owner in enumerate(prop.owners):
            yield from ref(f"properties[{i}].owners[{j}].id_number", owner.id_number, persons)
        total = sum(o.share for o in prop.owners)
        if abs(total - 1.0) > 1e-6:
            yield f"properties[{i}].owners", f"shares add up to {total:g}, not 1"


def _people_refs(data: Dataset, persons: set[str]) -> Iterator[Problem]:
    yield from unique(data.marriages, "cert_no", "marriages")
    for i, m in enumerate(data.marriages):
        for key in ("party_a", "party_b"):
            yield from ref(f"marriages[{i}].{key}", getattr(m, key), persons)
    yield from unique(data.birth_certificates, "cert_no", "birth_certificates")
    for i, c in enumerate(data.birth_certificates):
        yield from ref(f"birth_certificates[{i}].child_id_number", c.child_id_number, persons)
        for key in ("father_id_number", "mother_id_number"):
            yield from _outside_ref(f"birth_certificates[{i}].{key}", getattr(c, key), persons)
    for section in ("social_insurance", "student_status"):
        for i, row in enumerate(getattr(data, section)):
            yield from ref(f"{section}[{i}].id_number", row.id_number, persons)
