"""A deterministic synthetic city in the dataset format: same seed, same bytes.

Families are drawn with the edge cases of ``domain.md`` in rough real-life proportions (the shares
are in ``Mix``). The output is ordinary data: nothing marks a family as an edge case, so the
system must find the case from the data as it would in production.
"""

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from ruxue.dataset import generate_v2 as v2
from ruxue.dataset.city import (
    City,
    Compound,
    Mix,
    Row,
    add_person,
    address_in,
    birth_between,
    new_booklet,
)
from ruxue.dataset.names import (
    CN_ORDINALS,
    COMPOUND_STEMS,
    COMPOUND_SUFFIXES,
    DISTRICTS,
    HOSPITALS,
    OUTSIDE_REGIONS,
    District,
)
from ruxue.person.rules import make_id_number

VERSIONS = (1, 2)


def generate_city(
    families: int,
    seed: int,
    year: int = 2026,
    mix: Mix | None = None,
    progress: Callable[[int], None] | None = None,
    version: int = 1,
) -> dict[str, Any]:
    """Version 1 is the city of ``domain.md``; version 2 adds what ``cohort.md`` reads and makes a
    share of the families 新市民 (``generate_v2.py``)."""
    if version not in VERSIONS:
        raise ValueError(f"no dataset version {version}")
    city = City(random.Random(seed), year, mix or Mix(), version=version)
    city.out = {
        k: []
        for k in (
            "persons",
            "hukou_booklets",
            "properties",
            "marriages",
            "birth_certificates",
            "social_insurance",
            "student_status",
            "schools",
        )
    }
    newcomers = v2.begin(city, families)
    per_district = _split(families, [d.weight for d in DISTRICTS])
    for district, count in zip(DISTRICTS, per_district, strict=True):
        _build_district(city, district, count)
    for i in range(families - newcomers):
        _family(city, _pick_district(city, per_district, families))
        if progress and (i + 1) % 1000 == 0:
            progress(1000)
    if progress:
        progress((families - newcomers) % 1000)
    v2.finish(city, newcomers, per_district, progress)
    return {"version": version, "city_code": "320500", **city.out}


def _split(total: int, weights: list[float]) -> list[int]:
    counts = [int(total * w / sum(weights)) for w in weights]
    counts[-1] += total - sum(counts)
    return counts


def _pick_district(city: City, per_district: list[int], families: int) -> District:
    return city.rng.choices(DISTRICTS, weights=[max(c, 1) for c in per_district])[0]


def _build_district(city: City, d: District, families: int) -> None:
    n = max(8, families // 110)
    compounds = []
    for k in range(1, n + 1):
        stem = city.rng.choice(COMPOUND_STEMS)
        name = f"{stem}{city.rng.choice(COMPOUND_SUFFIXES)}{'' if k <= 30 else CN_ORDINALS[k % 10] + '期'}"
        compounds.append(Compound(f"{d.prefix}-{k:04d}", name, city.rng.choice(d.streets), d))
    city.compounds[d.code] = compounds
    served = compounds[: max(1, int(n * 0.97))]  # the last few compounds have no school
    _schools(city, d, served, "primary", 6, families * 0.55)
    _schools(city, d, served, "junior", 12, families * 0.45)
    v2.overflow_lists(city, d.code)


def _schools(
    city: City,
    d: District,
    served: list[Compound],
    segment: str,
    per: int,
    applicants: float,
) -> None:
    blocks = [served[i : i + per] for i in range(0, len(served), per)][:99]
    kind = (
        ("实验小学", "中心小学", "小学")
        if segment == "primary"
        else ("中学", "实验中学", "初级中学")
    )
    names: set[str] = set()
    for i, block in enumerate(blocks, start=1):
        name = f"{d.address}{block[0].street.rstrip('路街道大')}{kind[i % 3]}"
        while name in names:
            name = name.replace(kind[i % 3], f"第{CN_ORDINALS[len(names) % 10]}{kind[i % 3]}")
        names.add(name)
        seats = applicants / max(len(blocks), 1) * city.rng.uniform(0.9, 1.3)
        city.out["schools"].append(
            {
                "code": f"{d.code}{'01' if segment == 'primary' else '02'}{i:02d}",
                "name": name,
                "district_code": d.code,
                "segment": segment,
                "capacity": max(45, round(seats / 45) * 45),
                "compound_codes": [c.code for c in block],
            }
        )


def _family(city: City, d: District) -> None:
    FamilyBuilder(city, d).build()


class FamilyBuilder:
    """One household: parents, the child of the cohort, booklets, records and property."""

    def __init__(self, city: City, district: District) -> None:
        self.city, self.d, self.r, self.m = city, district, city.rng, city.mix
        self.home = self.r.choice(city.compounds[district.code])
        self.junior = city.chance(self.m.junior)
        self.ex: Row | None = None

    def build(self) -> None:
        c, m = self.city, self.m
        booklet = new_booklet(c, self.home)
        father_born = birth_between(c, dt.date(c.year - 48, 1, 1), dt.date(c.year - 29, 12, 31))
        mother_born = birth_between(c, dt.date(c.year - 45, 1, 1), dt.date(c.year - 27, 12, 31))
        single = c.chance(m.single_parent)
        lead_gender = "F" if (not single or c.chance(0.7)) else "M"
        parents = self._parents(booklet, father_born, mother_born, single, lead_gender)
        child = self._child(booklet, parents)
        for p in parents.values():
            if p["booklet_no"] == booklet["booklet_no"]:
                relation = "户主" if not booklet["members"] else "配偶"
                booklet["members"].append({"id_number": p["id_number"], "relation": relation})
        booklet["members"].append(
            {"id_number": child["id_number"], "relation": "子" if child["gender"] == "M" else "女"}
        )
        sibling = self._sibling(booklet, parents, child) if c.chance(m.sibling) else None
        if c.chance(m.grandparents_in_booklet):
            self._grandparents(booklet, father_born)
        if not booklet["members"] or booklet["members"][0]["relation"] != "户主":
            booklet["members"][0]["relation"] = "户主"
        self._records(parents, child)
        homes = self._property(list(parents.values()), child)
        if c.version >= 2:
            segment = "junior" if self.junior else "primary"
            v2.family_extras(c, self.d, self.home, segment, (child, sibling), homes)

    def _parents(
        self,
        booklet: Row,
        fb: dt.date,
        mb: dt.date,
        single: bool,
        lead: str,
    ) -> dict[str, Row]:
        c = self.city
        parents: dict[str, Row] = {}
        for gender, born in (("M", fb), ("F", mb)):
            if single and gender != lead:
                if c.chance(0.5):  # divorced: the other parent lives elsewhere
                    self.ex = self._elsewhere(gender, born)
                continue
            if not single and gender == "F" and c.chance(c.mix.split_booklet):
                parents[gender] = self._elsewhere(gender, born)
                continue
            region = (
                self.r.choice(OUTSIDE_REGIONS)
                if gender == "F" and c.chance(c.mix.outside_spouse)
                else self.d.code
            )
            parents[gender] = add_person(c, region, born, gender, booklet["booklet_no"])
        return parents

    def _elsewhere(self, gender: str, born: dt.date) -> Row:
        """A parent heading a booklet of their own, somewhere in the city."""
        c = self.city
        own = new_booklet(c, self.r.choice(c.compounds[self.r.choice(DISTRICTS).code]))
        person = add_person(c, self.d.code, born, gender, own["booklet_no"])
        own["members"].append({"id_number": person["id_number"], "relation": "户主"})
        return person

    def _child(self, booklet: Row, parents: dict[str, Row]) -> Row:
        c, y = self.city, self.city.year
        if self.junior:
            start, end = dt.date(y - 13, 9, 1), dt.date(y - 12, 8, 31)
        else:
            start, end = dt.date(y - 7, 9, 1), dt.date(y - 6, 8, 31)
        if c.chance(c.mix.out_of_age):
            start, end = (
                (end + dt.timedelta(days=1), end + dt.timedelta(days=120))
                if c.chance(0.5)
                else (start - dt.timedelta(days=120), start - dt.timedelta(days=1))
            )
        gender = self.r.choice("MF")
        known = dict(parents)
        if self.ex:
            known[self.ex["gender"]] = self.ex
        father, mother = known.get("M"), known.get("F")
        father_id = father["id_number"] if father else None
        if father is None and c.chance(0.5):  # a parent who is not in the dataset
            father_id = make_id_number(
                self.r.choice(OUTSIDE_REGIONS), dt.date(y - 35, 5, 5), self.r.randrange(1, 999, 2)
            )
        surname = (
            (father or mother or {"name": "王"})["name"][:1] if father or c.chance(0.3) else None
        )
        return add_person(
            c,
            self.d.code,
            birth_between(c, start, end),
            gender,
            booklet["booklet_no"],
            surname=surname,
            father=father_id,
            mother=mother["id_number"] if mother else None,
        )

    def _sibling(self, booklet: Row, parents: dict[str, Row], child: Row) -> Row:
        c = self.city
        born = birth_between(c, dt.date(c.year - 16, 1, 1), dt.date(c.year - 1, 12, 31))
        gender = self.r.choice("MF")
        sib = add_person(
            c,
            self.d.code,
            born,
            gender,
            booklet["booklet_no"],
            surname=child["name"][:1],
            father=child["father_id_number"],
            mother=child["mother_id_number"],
        )
        booklet["members"].append(
            {"id_number": sib["id_number"], "relation": "子" if gender == "M" else "女"}
        )
        self._birth_certificate(sib)
        return sib

    def _grandparents(self, booklet: Row, father_born: dt.date) -> None:
        c = self.city
        for gender, relation in (("M", "祖父"), ("F", "祖母")):
            born = birth_between(
                c, dt.date(father_born.year - 32, 1, 1), dt.date(father_born.year - 22, 12, 31)
            )
            gp = add_person(c, self.d.code, born, gender, booklet["booklet_no"])
            booklet["members"].append({"id_number": gp["id_number"], "relation": relation})
        if c.chance(c.mix.grandparent_applies / max(c.mix.grandparents_in_booklet, 1e-9)):
            booklet["members"].insert(
                0, booklet["members"].pop(-2)
            )  # grandfather heads the booklet
            booklet["members"][0]["relation"] = "户主"
            for member in booklet["members"][1:]:
                if member["relation"] in ("户主", "配偶"):
                    member["relation"] = "子" if member is booklet["members"][1] else "其他"

    def _records(self, parents: dict[str, Row], child: Row) -> None:
        c, y, out = self.city, self.city.year, self.city.out
        father, mother = parents.get("M"), parents.get("F")
        if (
            father
            and mother
            and not (
                father["booklet_no"] != mother["booklet_no"]
                and c.chance(c.mix.split_without_marriage)
            )
        ):
            out["marriages"].append(
                {
                    "cert_no": f"J{self.d.code}-{y - 8 - self.r.randint(0, 6)}-{c.next('marriage'):07d}",
                    "party_a": father["id_number"],
                    "party_b": mother["id_number"],
                    "registered_on": child["birth_date"]
                    - dt.timedelta(days=self.r.randint(300, 2500)),
                    "status": "married",
                }
            )
        elif self.ex:
            parent = father or mother
            assert parent
            out["marriages"].append(
                {
                    "cert_no": f"J{self.d.code}-{y - 12}-{c.next('marriage'):07d}",
                    "party_a": self.ex["id_number"],
                    "party_b": parent["id_number"],
                    "registered_on": dt.date(y - 14, 5, 1),
                    "status": "divorced",
                }
            )
        self._birth_certificate(child)
        for p in parents.values():
            if c.chance(c.mix.social_insurance):
                months = self.r.randint(6, 180)
                since = dt.date(y, 9, 1) - dt.timedelta(days=months * 30)
                out["social_insurance"].append(
                    {
                        "id_number": p["id_number"],
                        "city_code": "320500",
                        "months_paid": months,
                        "since": f"{since:%Y-%m}",
                    }
                )
        self._student_status(child)

    def _birth_certificate(self, child: Row) -> None:
        c = self.city
        if c.chance(c.mix.missing_birth_certificate):
            return
        c.out["birth_certificates"].append(
            {
                "cert_no": f"P32{c.next('birth'):08d}",
                "child_id_number": child["id_number"],
                "father_id_number": child["father_id_number"],
                "mother_id_number": child["mother_id_number"],
                "birth_date": child["birth_date"],
                "hospital": self.r.choice(HOSPITALS),
            }
        )

    def _student_status(self, child: Row) -> None:
        c, y, m = self.city, self.city.year, self.city.mix
        schools = [
            s
            for s in c.out["schools"]
            if s["district_code"] == self.d.code and s["segment"] == "primary"
        ]
        picked = self.r.choice(schools) if schools else None
        school = picked["name"] if picked else "苏州市实验小学"
        if self.junior:
            if c.chance(m.junior_no_record):
                return
            grad = y + 1 if c.chance(m.junior_next_year / (1 - m.junior_no_record)) else y
        elif c.chance(m.primary_registered):
            grad = y + 6
        else:
            return
        status = {
            "id_number": child["id_number"],
            "stage": "primary",
            "school_name": school,
            "status": "enrolled",
            "graduation_year": grad,
        }
        if c.version >= 2 and picked:
            status["school_code"] = picked["code"]
        c.out["student_status"].append(status)

    def _property(self, parents: list[Row], child: Row) -> list[tuple[Row, Compound]]:
        """The residences added, with their compounds."""
        c, m = self.city, self.m
        roll = self.r.random()
        if roll < m.no_residence:
            return []
        if roll < m.no_residence + m.commercial_only:
            self._add_property(parents, self.home, "commercial", 60.0)
            return []
        homes = []
        count = self.r.randint(2, 3) if c.chance(m.several_residences) else 1
        for k in range(count):
            compound = self.home
            if k > 0 or c.chance(m.property_elsewhere):
                compound = self.r.choice(c.compounds[self.d.code])
            area = (
                self.r.uniform(25, 60) if c.chance(m.small_residence) else self.r.uniform(55, 180)
            )
            owners = list(parents)
            if c.chance(m.child_owner):
                owners.append(child)
            homes.append((self._add_property(owners, compound, "residential", area), compound))
        return homes

    def _add_property(self, owners: list[Row], compound: Compound, usage: str, area: float) -> Row:
        c = self.city
        ids = [o["id_number"] for o in owners]
        if c.chance(c.mix.outside_co_owner) and len(c.out["persons"]) > 20:
            ids.append(
                c.out["persons"][self.r.randrange(0, len(c.out["persons"]) - 10)]["id_number"]
            )
        ids = list(dict.fromkeys(ids))
        shares = _shares(len(ids))
        year = self.r.randint(2005, c.year - 1)
        row: Row = {
            "cert_no": f"苏({year}){compound.district.registry}不动产权第{c.next('property'):07d}号",
            "district_code": compound.district.code,
            "address": address_in(c, compound),
            "compound_code": compound.code,
            "building_area_m2": round(area, 2),
            "usage": usage,
            "registered_on": dt.date(year, self.r.randint(1, 12), self.r.randint(1, 28)),
            "owners": [{"id_number": i, "share": s} for i, s in zip(ids, shares, strict=True)],
        }
        c.out["properties"].append(row)
        return row


def _shares(n: int) -> list[float]:
    if n == 1:
        return [1.0]
    if n == 2:
        return [0.5, 0.5]
    base = round(1 / n, 4)
    return [base] * (n - 1) + [round(1 - base * (n - 1), 4)]
