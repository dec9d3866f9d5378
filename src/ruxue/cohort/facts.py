"""A family's gathered facts (``policy.facts.Facts``) as the cohort rules read them. Pure: what
the departments do not give yet (permits, points, ``moved_in_on``) comes in as parameters, from
the adapters of ``cohort.sources``."""

import datetime as dt
from collections.abc import Mapping, Sequence

from ruxue.cohort.records import Home, Hukou, Kin, Parent, School, Segment
from ruxue.cohort.rules import CaseFacts
from ruxue.exchange.records import Person, Property
from ruxue.policy.facts import Facts, SchoolRef

CITY = "320500"  # 苏州市: social insurance counts for category D only in this city


def kin(person: Person) -> Kin:
    return Kin(person.id_number, person.father_id_number, person.mother_id_number)


def hukou(facts: Facts, moved_in_on: dt.date | None) -> Hukou | None:
    """The child's booklet (None: not in the city)."""
    booklet = facts.booklets.get(facts.child.booklet_no)
    if booklet is None:
        return None
    return Hukou(booklet.district_code, booklet.compound_code, moved_in_on)


def home(chosen: Property | None) -> Home | None:
    """The chosen residence once it qualified under ``domain.md`` (area, usage, ownership)."""
    if chosen is None:
        return None
    return Home(chosen.cert_no, chosen.district_code, chosen.compound_code, chosen.registered_on)


def parents(facts: Facts, known: Mapping[str, Parent]) -> tuple[Parent, ...]:
    """The guardian, then the spouse, with what category D reads of each (``known``)."""
    people = [facts.guardian, *([facts.spouse] if facts.spouse else [])]
    return tuple(known.get(p.id_number, Parent(p.id_number)) for p in people)


def case_facts(
    facts: Facts,
    applied_on: dt.date,
    chosen: Property | None,
    moved_in_on: dt.date | None,
    known: Mapping[str, Parent],
) -> CaseFacts:
    segment: Segment = "junior" if facts.segment == "junior" else "primary"
    return CaseFacts(
        segment=segment,
        child=kin(facts.child),
        applied_on=applied_on,
        city_code=CITY,
        hukou=hukou(facts, moved_in_on),
        home=home(chosen),
        parents=parents(facts, known),
    )


def schools(refs: Sequence[SchoolRef]) -> list[School]:
    """The reference schools for classification (capacity is the run's, not read here)."""
    return [
        School(s.code, s.district_code, s.segment, 0, s.compound_codes)  # type: ignore[arg-type]
        for s in refs
        if s.segment in ("primary", "junior")
    ]
