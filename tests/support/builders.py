"""Builders for policy-rule tests: a family in one booklet by default, changed per test."""

import datetime as dt
import itertools
from typing import Any

from ruxue.exchange.records import (
    BirthCertificate,
    Booklet,
    Marriage,
    Member,
    Owner,
    Person,
    Property,
    StudentStatus,
)
from ruxue.person.rules import make_id_number
from ruxue.policy.facts import Facts, SchoolRef

YEAR = 2026
_seq = itertools.count(1)
SCHOOLS = [
    SchoolRef(
        "3205080101",
        "苏州市平江实验学校",
        "320508",
        "primary",
        frozenset({"GS-PJ-001", "GS-PJ-002"}),
    ),
    SchoolRef(
        "3205080201", "苏州市第十六中学", "320508", "junior", frozenset({"GS-PJ-001", "GS-PJ-002"})
    ),
    SchoolRef("3205080102", "苏州市沧浪实验小学", "320508", "primary", frozenset({"GS-CL-001"})),
]


def person(born: dt.date, gender: str = "M", booklet: str = "HK1", **kw: Any) -> Person:
    seq = next(_seq) * 2 % 1000 + (1 if gender == "M" else 0)
    return Person(
        id_number=make_id_number("320508", born, seq), name=kw.pop("name", "测试"), gender=gender,
        birth_date=born, father_id_number=kw.pop("father", None), mother_id_number=kw.pop("mother", None),
        booklet_no=booklet,
    )  # fmt: skip


def booklet(no: str, compound: str, *people: Person) -> Booklet:
    return Booklet(
        no, "320508", "苏州市姑苏区某路1号", compound, [Member(p.id_number, "其他") for p in people]
    )


def residence(
    compound: str,
    area: float,
    *owners: Person,
    usage: str = "residential",
    extra_owner: str | None = None,
) -> Property:
    ids = [o.id_number for o in owners] + ([extra_owner] if extra_owner else [])
    share = 1 / len(ids)
    return Property(
        cert_no=f"苏(2020)苏州市不动产权第{next(_seq):07d}号", district_code="320508", address="苏州市姑苏区某路2号",
        compound_code=compound, building_area_m2=area, usage=usage, registered_on=dt.date(2020, 1, 1),
        owners=[Owner(i, share) for i in ids],
    )  # fmt: skip


def family(
    *, child_born: dt.date = dt.date(YEAR - 6, 3, 1), segment: str = "primary", single: bool = False,
    split: bool = False, compound: str = "GS-PJ-001",
) -> Facts:  # fmt: skip
    father = person(dt.date(1988, 1, 1), "M", name="父亲")
    mother = person(dt.date(1990, 2, 2), "F", booklet="HK2" if split else "HK1", name="母亲")
    child = person(
        child_born,
        "M",
        father=father.id_number,
        mother=None if single else mother.id_number,
        name="孩子",
    )
    members = [father, child] if single or split else [father, mother, child]
    books = {"HK1": booklet("HK1", compound, *members)}
    if split:
        books["HK2"] = booklet("HK2", "GS-CL-001", mother)
    status = (
        [StudentStatus(child.id_number, "primary", "苏州市平江实验学校", "enrolled", YEAR)]
        if segment == "junior"
        else []
    )
    return Facts(
        year=YEAR, segment=segment, guardian=father, child=child, spouse=None if single else mother,
        booklets=books, student_status=status,
    )  # fmt: skip


def with_certificates(facts: Facts, *, birth: bool = True, marriage: bool = True) -> Facts:
    if birth:
        c = facts.child
        facts.birth_certificate = BirthCertificate(
            "P1", c.id_number, c.father_id_number, c.mother_id_number, c.birth_date, "苏州市立医院"
        )
    if marriage and facts.spouse:
        facts.marriages = [
            Marriage(
                "J1",
                facts.guardian.id_number,
                facts.spouse.id_number,
                dt.date(2015, 1, 1),
                "married",
            )
        ]
    return facts
