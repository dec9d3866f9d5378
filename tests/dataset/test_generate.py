"""The synthetic city carries every edge case of domain.md, in plausible proportions."""

from collections import Counter
from typing import Any

import msgspec
import pytest

from ruxue.dataset.generate import generate_city
from ruxue.dataset.rules import first_problem
from ruxue.dataset.schemas import Dataset

YEAR = 2026


@pytest.fixture(scope="module")
def city() -> dict[str, Any]:
    return generate_city(3000, seed=11, year=YEAR)


def _children(city: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        p
        for p in city["persons"]
        if p["birth_date"].year >= YEAR - 14 and (p["father_id_number"] or p["mother_id_number"])
    ]


def test_generated_city_breaks_no_rule(city: dict[str, Any]) -> None:
    assert first_problem(msgspec.convert(city, Dataset)) is None


def test_edge_case_shares(city: dict[str, Any]) -> None:
    persons = {p["id_number"]: p for p in city["persons"]}
    kids = _children(city)
    n = 3000
    single = sum(
        1
        for k in kids
        if not (k["father_id_number"] in persons and k["mother_id_number"] in persons)
    )
    split = sum(
        1
        for k in kids
        if k["father_id_number"] in persons
        and k["mother_id_number"] in persons
        and persons[k["father_id_number"]]["booklet_no"]
        != persons[k["mother_id_number"]]["booklet_no"]
    )
    owned: Counter[str] = Counter()
    commercial = 0
    for prop in city["properties"]:
        if prop["usage"] == "commercial":
            commercial += 1
        for owner in prop["owners"]:
            if prop["usage"] == "residential":
                owned[owner["id_number"]] += 1
    several = sum(1 for c in owned.values() if c >= 2)
    child_owned = sum(1 for k in kids if owned[k["id_number"]])
    with_birth = {b["child_id_number"] for b in city["birth_certificates"]}
    missing_birth = sum(1 for k in kids if k["id_number"] not in with_birth)
    registered = sum(1 for s in city["student_status"] if s["graduation_year"] == YEAR + 6)
    graduating = sum(1 for s in city["student_status"] if s["graduation_year"] == YEAR)
    next_year = sum(1 for s in city["student_status"] if s["graduation_year"] == YEAR + 1)
    relations = Counter(m["relation"] for b in city["hukou_booklets"] for m in b["members"])
    divorced = sum(1 for m in city["marriages"] if m["status"] == "divorced")
    no_school = {b["compound_code"] for b in city["hukou_booklets"]} - {
        c for s in city["schools"] for c in s["compound_codes"]
    }

    k = len(kids)
    assert 0.03 * k < single < 0.15 * k
    assert 0.08 * k < split < 0.22 * k
    assert 0.01 * n < commercial < 0.06 * n
    assert several > 0.03 * n
    assert child_owned > 0
    assert 0.01 * k < missing_birth < 0.06 * k
    assert registered > 0 and next_year > 0 and graduating > 0.3 * n
    assert relations["祖父"] > 0.05 * n and relations["祖母"] > 0.05 * n
    assert divorced > 0
    assert no_school  # some compounds lie in no catchment


def test_names_and_addresses_look_real(city: dict[str, Any]) -> None:
    person = city["persons"][0]
    assert 2 <= len(person["name"]) <= 4
    booklet = city["hukou_booklets"][0]
    assert booklet["address"].startswith(("苏州市", "常熟市", "张家港市", "昆山市", "太仓市"))
    assert "号" in booklet["address"]
    assert all(s["capacity"] % 45 == 0 for s in city["schools"])
