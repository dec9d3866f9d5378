"""Cross-record rules of the dataset format that a type check cannot see. Pure functions."""

from collections.abc import Iterator

from ruxue.dataset.schemas import Dataset
from ruxue.person.rules import parse_id_number

Problem = tuple[str, str]  # (path, message)


def first_problem(data: Dataset) -> Problem | None:
    return next(problems(data), None)


def problems(data: Dataset) -> Iterator[Problem]:
    persons: set[str] = set()
    booklets = {b["booklet_no"] for b in data["hukou_booklets"]}
    for i, p in enumerate(data["persons"]):
        path = f"persons[{i}]"
        if p["id_number"] in persons:
            yield f"{path}.id_number", "duplicate person"
        persons.add(p["id_number"])
        parsed = parse_id_number(p["id_number"])
        if parsed.gender != p["gender"]:
            yield f"{path}.gender", "does not agree with the ID number's sequence digit"
        if parsed.birth_date != p["birth_date"]:
            yield f"{path}.birth_date", "does not agree with the ID number"
        if p["booklet_no"] not in booklets:
            yield f"{path}.booklet_no", "no such hukou booklet"
    yield from _booklet_problems(data, persons)
    yield from _property_problems(data, persons)
    yield from _people_refs(data, persons)
    yield from _unique(data["schools"], "code", "schools")


def _unique(rows: list, key: str, path: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, row in enumerate(rows):
        if row[key] in seen:
            yield f"{path}[{i}].{key}", f"duplicate {key}"
        seen.add(row[key])


def _booklet_problems(data: Dataset, persons: set[str]) -> Iterator[Problem]:
    yield from _unique(data["hukou_booklets"], "booklet_no", "hukou_booklets")
    for i, b in enumerate(data["hukou_booklets"]):
        for j, m in enumerate(b["members"]):
            if m["id_number"] not in persons:
                yield f"hukou_booklets[{i}].members[{j}].id_number", "no such person"


def _property_problems(data: Dataset, persons: set[str]) -> Iterator[Problem]:
    yield from _unique(data["properties"], "cert_no", "properties")
    for i, prop in enumerate(data["properties"]):
        for j, owner in enumerate(prop["owners"]):
            if owner["id_number"] not in persons:
                yield f"properties[{i}].owners[{j}].id_number", "no such person"
        total = sum(o["share"] for o in prop["owners"])
        if abs(total - 1.0) > 1e-6:
            yield f"properties[{i}].owners", f"shares add up to {total:g}, not 1"


def _people_refs(data: Dataset, persons: set[str]) -> Iterator[Problem]:
    yield from _unique(data["marriages"], "cert_no", "marriages")
    for i, m in enumerate(data["marriages"]):
        for key in ("party_a", "party_b"):
            if m[key] not in persons:
                yield f"marriages[{i}].{key}", "no such person"
    yield from _unique(data["birth_certificates"], "cert_no", "birth_certificates")
    for i, c in enumerate(data["birth_certificates"]):
        if c["child_id_number"] not in persons:
            yield f"birth_certificates[{i}].child_id_number", "no such person"
    for i, s in enumerate(data["social_insurance"]):
        if s["id_number"] not in persons:
            yield f"social_insurance[{i}].id_number", "no such person"
    for i, st in enumerate(data["student_status"]):
        if st["id_number"] not in persons:
            yield f"student_status[{i}].id_number", "no such person"
