"""A family's gathered facts (``policy.facts.Facts``) as the cohort rules read them. Pure: what
``cohort.gather`` kept (permits, points, insurance) and ``moved_in_on`` come in as parameters, from
the adapters of ``cohort.sources``."""

import datetime as dt
from collections.abc import Mapping, Sequence

from ruxue.cohort.records import Home, Hukou, Kin, Parent, School, Segment
from ruxue.cohort.rules import CaseFacts
from ruxue.exchange.records import Person, Property
from ruxue.policy.facts import Facts, SchoolRef

CITY = "320500"  # 苏州市: social insurance counts for category D only in this city
CHILDREN = ("子", "女")  # relations to the booklet's head that make a child of the head


def kin(person: Person) -> Kin:
    return Kin(person.id_number, person.father_id_number, person.mother_id_number)


def hukou(facts: Facts, moved_in_on: dt.date | None) -> Hukou | None:
    """The child's booklet (None: not in the city)."""
    booklet = facts.booklets.get(facts.child.booklet_no)
    if booklet is None or not in_city(facts):
        return None
    return Hukou(booklet.district_code, booklet.compound_code, moved_in_on)


def in_city(facts: Facts) -> bool:
    """The child's hukou is in the city (a district code of 苏州市, 3205xx)."""
    booklet = facts.booklets.get(facts.child.booklet_no)
    return booklet is not None and booklet.district_code[:4] == CITY[:4]


def moved_in_on(facts: Facts) -> dt.date | None:
    """When the child moved into its booklet (absent: always there)."""
    booklet = facts.booklets.get(facts.child.booklet_no)
    members = booklet.members if booklet else []
    return next((m.moved_in_on for m in members if m.id_number == facts.child.id_number), None)


def known_siblings(facts: Facts) -> dict[str, Kin]:
    """The family's other children as its own records show them: a 子 or 女 of a booklet whose
    head is the child's father or mother is that parent's child (no department is asked)."""
    child, found = facts.child, {}
    for booklet in facts.booklets.values():
        head = next((m.id_number for m in booklet.members if m.relation == "户主"), None)
        if head is None or head not in (child.father_id_number, child.mother_id_number):
            continue
        father = head if head == child.father_id_number else None
        mother = head if head == child.mother_id_number else None
        for m in booklet.members:
            if m.relation in CHILDREN and m.id_number != child.id_number:
                found[m.id_number] = Kin(m.id_number, father, mother)
    return found


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
