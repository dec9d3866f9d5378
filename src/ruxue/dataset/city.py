"""The synthetic city under construction: its mix of edge cases, its compounds, its output rows
and the low-level helpers every builder shares (``generate.py``, ``generate_v2.py``)."""

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from ruxue.dataset.names import FEMALE_CHARS, MALE_CHARS, SURNAMES, District
from ruxue.person.rules import make_id_number

Row = dict[str, Any]


@dataclass(frozen=True)
class Mix:
    """Shares of the edge cases (each a probability per family)."""

    junior: float = 0.45
    single_parent: float = 0.09
    split_booklet: float = 0.14
    split_without_marriage: float = 0.3  # of split families
    grandparents_in_booklet: float = 0.12
    grandparent_applies: float = 0.02
    sibling: float = 0.2
    no_residence: float = 0.13
    commercial_only: float = 0.03
    several_residences: float = 0.09
    small_residence: float = 0.05
    child_owner: float = 0.005
    outside_co_owner: float = 0.02
    property_elsewhere: float = 0.15
    missing_birth_certificate: float = 0.03
    primary_registered: float = 0.015
    out_of_age: float = 0.02
    junior_next_year: float = 0.04
    junior_no_record: float = 0.03
    outside_spouse: float = 0.08
    social_insurance: float = 0.85
    # version 2 (cohort.md)
    new_citizen: float = 0.08  # 新市民: hukou outside the city, renting, permit and points
    moved_in_late: float = 0.06  # a child who moved into the booklet this school year
    seat_given: float = 0.12  # a residence that gave a seat in an earlier year
    sibling_seat: float = 0.3  # of families with an elder sibling and a home: the sibling's seat
    sibling_enrolled: float = 0.8  # an elder sibling of school age enrolled at the catchment
    priority: float = 0.012  # a child on a priority list


@dataclass
class Compound:
    code: str
    name: str
    street: str
    district: District


@dataclass(frozen=True, slots=True)
class Applicant:
    """A child of this year's cohort and the compounds its family could apply from (hukou,
    residences, residence permits): what makes a school oversubscribed."""

    district_code: str
    segment: str
    compounds: frozenset[str]


@dataclass
class City:
    rng: random.Random
    year: int
    mix: Mix
    compounds: dict[str, list[Compound]] = field(default_factory=dict)
    out: dict[str, list[Row]] = field(default_factory=dict)
    seq: dict[tuple[str, dt.date], int] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    version: int = 1
    cohort: list[Applicant] = field(default_factory=list)  # version 2: who applies where
    catchments: dict[tuple[str, str], Row] = field(default_factory=dict)  # (segment, compound)

    def next(self, name: str) -> int:
        self.counters[name] = self.counters.get(name, 0) + 1
        return self.counters[name]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


def birth_between(city: City, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=city.rng.randint(0, (end - start).days))


def person_id(city: City, region: str, birth: dt.date, gender: str) -> str:
    k = city.seq.get((region, birth), 0)
    city.seq[(region, birth)] = k + 1
    if k >= 500:
        raise ValueError(f"too many people born {birth} in {region}")
    return make_id_number(region, birth, 2 * k + (1 if gender == "M" else 0))


def person_name(city: City, gender: str, surname: str | None = None) -> str:
    chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
    given = "".join(city.rng.choice(chars) for _ in range(city.rng.choice((1, 2, 2))))
    return (surname or city.rng.choice(SURNAMES)) + given


def add_person(
    city: City,
    region: str,
    birth: dt.date,
    gender: str,
    booklet: str,
    *,
    surname: str | None = None,
    father: str | None = None,
    mother: str | None = None,
) -> Row:
    row = {
        "id_number": person_id(city, region, birth, gender),
        "name": person_name(city, gender, surname),
        "gender": gender,
        "birth_date": birth,
        "father_id_number": father,
        "mother_id_number": mother,
        "booklet_no": booklet,
    }
    city.out["persons"].append(row)
    return row


def new_booklet(city: City, compound: Compound) -> Row:
    d = compound.district
    row: Row = {
        "booklet_no": f"HK{d.code}{city.next('booklet'):07d}",
        "district_code": d.code,
        "address": address_in(city, compound),
        "compound_code": compound.code,
        "members": [],
    }
    city.out["hukou_booklets"].append(row)
    return row


def address_in(city: City, c: Compound) -> str:
    r = city.rng
    return f"{c.district.address}{c.street}{r.randint(1, 999)}号{c.name}{r.randint(1, 40)}幢{r.randint(1, 30)}{r.randint(1, 4):02d}室"
