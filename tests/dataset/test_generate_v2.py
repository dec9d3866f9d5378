"""The version-2 synthetic city carries what cohort.md reads, and one oversubscribed school per
district and segment; version 1 stays what it was."""

import datetime as dt
from collections import defaultdict
from typing import Any

import msgspec
import pytest

from ruxue.dataset.generate import generate_city
from ruxue.dataset.rules import first_problem
from ruxue.dataset.schemas import Dataset

YEAR = 2026
FAMILIES = 3000
V2_KEYS = {"residence_permits", "points", "seat_history", "priority_children"}


@pytest.fixture(scope="module")
def city() -> dict[str, Any]:
    return generate_city(FAMILIES, seed=11, year=YEAR, version=2)


def test_version_2_city_breaks_no_rule(city: dict[str, Any]) -> None:
    assert city["version"] == 2
    assert first_problem(msgspec.convert(city, Dataset)) is None


def test_version_1_stays_without_version_2_data() -> None:
    v1 = generate_city(300, seed=11, year=YEAR)
    assert v1["version"] == 1 and not V2_KEYS & set(v1)
    assert not any("moved_in_on" in m for b in v1["hukou_booklets"] for m in b["members"])
    assert not any("school_code" in s for s in v1["student_status"])
    assert not any("overflow_to" in s for s in v1["schools"])


def test_new_citizens_rent_with_permits_and_points(city: dict[str, Any]) -> None:
    booklets = {b["booklet_no"]: b for b in city["hukou_booklets"]}
    outside = {
        p["id_number"]
        for p in city["persons"]
        if not booklets[p["booklet_no"]]["district_code"].startswith("3205")
    }
    owners = {o["id_number"] for p in city["properties"] for o in p["owners"]}
    holders = {p["id_number"] for p in city["residence_permits"]}
    assert holders <= outside and not outside & owners
    families = sum(1 for b in booklets.values() if not b["district_code"].startswith("3205"))
    assert 0.05 * FAMILIES < families < 0.11 * FAMILIES
    assert {p["id_number"] for p in city["points"]} <= holders
    assert all(p["district_code"].startswith("3205") for p in city["residence_permits"])
    applied = dt.date(YEAR, 5, 1)
    short = [p for p in city["residence_permits"] if (applied - p["valid_from"]).days < 180]
    expired = [p for p in city["residence_permits"] if p["valid_to"] < applied]
    assert short and expired


def test_moved_in_dates_some_late(city: dict[str, Any]) -> None:
    members = [m for b in city["hukou_booklets"] for m in b["members"]]
    dated = [m for m in members if "moved_in_on" in m]
    assert 0.6 * len(members) < len(dated) < len(members)
    late = [m for m in dated if m["moved_in_on"] >= dt.date(YEAR - 1, 9, 1)]
    assert late


def test_seat_history_priorities_overflow_and_school_codes(city: dict[str, Any]) -> None:
    persons = {p["id_number"] for p in city["persons"]}
    seats = city["seat_history"]
    assert seats and all(s["year"] < YEAR for s in seats)
    assert any(s["child_id_number"] in persons for s in seats)  # an elder sibling's seat
    assert any(s["child_id_number"] not in persons for s in seats)  # an earlier year's child
    assert {p["group"] for p in city["priority_children"]} >= {"military", "talent"}
    schools = {s["code"]: s for s in city["schools"]}
    with_overflow = [s for s in city["schools"] if s["overflow_to"]]
    assert with_overflow
    for school in with_overflow:
        for code in school["overflow_to"]:
            other = schools[code]
            assert (other["district_code"], other["segment"]) == (
                school["district_code"],
                school["segment"],
            )
    coded = [s for s in city["student_status"] if "school_code" in s]
    assert coded and all(schools[s["school_code"]]["name"] == s["school_name"] for s in coded)


def _applicants(city: dict[str, Any], segment: str) -> list[set[str]]:
    """Each child of the segment's age with the compounds its family could apply from."""
    start = dt.date(YEAR - (13 if segment == "junior" else 7), 9, 1)
    end = dt.date(start.year + 1, 8, 31)
    booklets = {b["booklet_no"]: b for b in city["hukou_booklets"]}
    homes: dict[str, set[str]] = defaultdict(set)
    for prop in city["properties"]:
        if prop["usage"] == "residential":
            for owner in prop["owners"]:
                homes[owner["id_number"]].add(prop["compound_code"])
    for permit in city["residence_permits"]:
        homes[permit["id_number"]].add(permit["compound_code"])
    found = []
    for p in city["persons"]:
        parents = [x for x in (p["father_id_number"], p["mother_id_number"]) if x]
        if parents and start <= p["birth_date"] <= end:
            compounds = {booklets[p["booklet_no"]]["compound_code"]}
            found.append(compounds.union(*(homes[x] for x in parents)))
    return found


@pytest.mark.parametrize("segment", ["primary", "junior"])
def test_every_district_has_an_oversubscribed_school(city: dict[str, Any], segment: str) -> None:
    applicants = _applicants(city, segment)
    over = set()
    for school in city["schools"]:
        if school["segment"] == segment:
            catchment = set(school["compound_codes"])
            wanted = sum(1 for compounds in applicants if compounds & catchment)
            if wanted > school["capacity"]:
                over.add(school["district_code"])
    assert over == {s["district_code"] for s in city["schools"]}
