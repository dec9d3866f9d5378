"""What version 2 of the synthetic city adds (``cohort.md``): moved_in_on dates, 新市民 families
with residence permits, social insurance and points, seats given in earlier years, elder siblings
enrolled at the catchment school, priority children, 统筹 lists, school codes on student statuses
and, in every district and segment, one school with more applicants than seats.

Nothing here runs for version 1, so a version-1 city stays the same bytes it always was."""

import datetime as dt
from collections import Counter
from collections.abc import Callable

from ruxue.dataset.city import Applicant, City, Compound, Row, birth_between, person_id
from ruxue.dataset.names import DISTRICTS, District
from ruxue.dataset.newcomers import NewCitizenFamily, add_priority

V2_SECTIONS = ("residence_permits", "points", "seat_history", "priority_children")


def begin(city: City, families: int) -> int:
    """Set version 2 up; returns how many of the families are 新市民 (none in version 1)."""
    if city.version < 2:
        return 0
    for section in V2_SECTIONS:
        city.out[section] = []
    return round(families * city.mix.new_citizen)


def finish(
    city: City, newcomers: int, per_district: list[int], progress: Callable[[int], None] | None
) -> None:
    if city.version < 2:
        return
    weights = [max(c, 1) for c in per_district]
    for i in range(newcomers):
        district = city.rng.choices(DISTRICTS, weights=weights)[0]
        NewCitizenFamily(city, district).build()
        if progress and (i + 1) % 1000 == 0:
            progress(1000)
    if progress:
        progress(newcomers % 1000)
    moved_in_dates(city)
    oversubscribe(city)


def overflow_lists(city: City, district_code: str) -> None:
    """Each school's 统筹 list: the next two schools of its district and segment, in turn."""
    if city.version < 2:
        return
    for segment in ("primary", "junior"):
        schools = [
            s
            for s in city.out["schools"]
            if s["district_code"] == district_code and s["segment"] == segment
        ]
        for i, school in enumerate(schools):
            others = [schools[(i + k) % len(schools)]["code"] for k in (1, 2)]
            school["overflow_to"] = list(dict.fromkeys(o for o in others if o != school["code"]))
            for code in school["compound_codes"]:
                city.catchments[(segment, code)] = school


def family_extras(
    city: City,
    d: District,
    home: Compound,
    segment: str,
    children: tuple[Row, Row | None],
    homes: list[tuple[Row, Compound]],
) -> None:
    """A family of the city: its seats given, its elder sibling's school, its priority."""
    child, sibling = children
    rng = city.rng
    for prop, compound in homes:
        if rng.random() < city.mix.seat_given:
            _earlier_seat(city, prop, compound)
    if sibling is not None:
        _sibling_at_school(city, d, home, sibling, homes)
    if rng.random() < city.mix.priority:
        add_priority(city, child, d.code)
    compounds = {home.code, *(c.code for _, c in homes)}
    city.cohort.append(Applicant(d.code, segment, frozenset(compounds)))


def _earlier_seat(city: City, prop: Row, compound: Compound) -> None:
    """A child of an earlier year (outside the dataset) took a seat with this residence."""
    rng = city.rng
    segment = "primary" if rng.random() < 0.8 else "junior"
    school = city.catchments.get((segment, compound.code))
    year = city.year - rng.randint(1, 9)
    if school is None or year < prop["registered_on"].year:
        return
    age = 6 if segment == "primary" else 12
    born = birth_between(city, dt.date(year - age - 1, 9, 1), dt.date(year - age, 8, 31))
    gender = rng.choice("MF")
    child_id = person_id(city, compound.district.code, born, gender)
    _seat(city, prop["cert_no"], child_id, year, segment, school["code"])


def _seat(city: City, cert_no: str, child_id: str, year: int, segment: str, school: str) -> None:
    city.out["seat_history"].append(
        {
            "cert_no": cert_no,
            "child_id_number": child_id,
            "year": year,
            "segment": segment,
            "school_code": school,
        }
    )


def _sibling_at_school(
    city: City, d: District, home: Compound, sibling: Row, homes: list[tuple[Row, Compound]]
) -> None:
    """An elder sibling of primary-school age: enrolled (mostly at the home's catchment school),
    and the seat it took with the family's home when it entered."""
    rng, born = city.rng, sibling["birth_date"]
    entered = born.year + 7 if born.month >= 9 else born.year + 6
    if not city.year - 6 < entered < city.year:
        return
    school = city.catchments.get(("primary", home.code))
    if school is None or rng.random() >= city.mix.sibling_enrolled:
        district = [s for s in city.out["schools"] if s["district_code"] == d.code]
        school = rng.choice([s for s in district if s["segment"] == "primary"] or [None])
    if school is None:
        return
    city.out["student_status"].append(
        {
            "id_number": sibling["id_number"],
            "stage": "primary",
            "school_name": school["name"],
            "status": "enrolled",
            "graduation_year": entered + 6,
            "school_code": school["code"],
        }
    )
    home_rows = [p for p, c in homes if c.code == home.code]
    if home_rows and rng.random() < city.mix.sibling_seat:
        _seat(
            city, home_rows[0]["cert_no"], sibling["id_number"], entered, "primary", school["code"]
        )


def moved_in_dates(city: City) -> None:
    """When each member moved into the booklet: a child soon after birth (a few this school
    year, after any cut-off), an adult some time after coming of age; absent for some adults
    (records older than the register's dates: counts as always there)."""
    rng, persons = city.rng, {p["id_number"]: p for p in city.out["persons"]}
    late_from, late_to = dt.date(city.year - 1, 9, 1), dt.date(city.year, 5, 31)
    for booklet in city.out["hukou_booklets"]:
        for member in booklet["members"]:
            born = persons[member["id_number"]]["birth_date"]
            if born.year >= city.year - 18:
                if rng.random() < city.mix.moved_in_late and born < late_from:
                    member["moved_in_on"] = birth_between(city, late_from, late_to)
                else:
                    member["moved_in_on"] = born + dt.timedelta(days=rng.randint(5, 90))
            elif rng.random() < 0.7:
                adult = dt.date(born.year + 18, born.month, min(born.day, 28))
                member["moved_in_on"] = birth_between(city, adult, dt.date(city.year - 1, 12, 31))


def oversubscribe(city: City) -> None:
    """In every district and segment, the school with the most applicants gets fewer seats
    than applicants (about two thirds, in classes of 45 where there are that many)."""
    counts: Counter[str] = Counter()
    for applicant in city.cohort:
        schools = {
            city.catchments[(applicant.segment, c)]["code"]
            for c in applicant.compounds
            if (applicant.segment, c) in city.catchments
        }
        counts.update(schools)
    busiest: dict[tuple[str, str], Row] = {}
    for school in city.out["schools"]:
        key = (school["district_code"], school["segment"])
        if counts[school["code"]] > counts[busiest[key]["code"]] if key in busiest else True:
            busiest[key] = school
    for school in busiest.values():
        wanted = counts[school["code"]]
        if wanted >= 2:
            seats = wanted * 2 // 3
            school["capacity"] = seats // 45 * 45 if seats >= 45 else seats
