"""Hypothesis properties of the run (cohort.md, "The run"; issue 21, "Must show")."""

import dataclasses
import datetime as dt
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ruxue.cohort.policy_keys import CohortPolicy
from ruxue.cohort.rank import rank_key
from ruxue.cohort.records import Candidate, Priority, School
from ruxue.cohort.run import Allocation, allocate
from tests.support.cohort import DISTRICT, candidate, policy

BOUNDED = settings(max_examples=80, deadline=None)
CODES = tuple(f"32050801{n:02d}" for n in range(1, 5))
DATES = (None, dt.date(2018, 1, 1), dt.date(2019, 5, 1), dt.date(2020, 9, 1))  # few: many ties
RULES = (
    policy(),
    policy(priority_groups=["military", "talent"], sibling_priority=True),
)
seeds = st.text("0123456789abcdefABCDEF", min_size=1, max_size=8)


@st.composite
def schools(draw: st.DrawFn) -> tuple[School, ...]:
    codes = CODES[: draw(st.integers(1, len(CODES)))]
    built = []
    for code in codes:
        others = [c for c in codes if c != code]
        overflow = draw(st.permutations(others).map(lambda p: tuple(p)))
        overflow = overflow[: draw(st.integers(0, len(overflow)))]
        capacity = draw(st.integers(0, 4))
        built.append(School(code, DISTRICT, "primary", capacity, frozenset({code}), overflow))
    return tuple(built)


GROUPS = (None, "military", "talent", "firefighter")
POINTS = (0.0, 90.0, 120.5)
# one case as small integers (cheap to draw and to shrink): category, school, registered_on,
# moved_in_on, points, permit_from, priority group, priority district, sibling school
CASE = st.tuples(*(st.integers(0, n - 1) for n in (4, 4, 4, 4, 3, 4, 4, 2, 5)))


@st.composite
def cases(draw: st.DrawFn, codes: tuple[str, ...]) -> list[Candidate]:
    drawn = draw(st.lists(CASE, max_size=16))
    return [_case(number, codes, values) for number, values in enumerate(drawn, 1)]


def _case(number: int, codes: tuple[str, ...], values: tuple[int, ...]) -> Candidate:
    category, school, registered, moved, points, permit, group, where, sibling = values
    name = GROUPS[group]
    return candidate(
        number,
        "ABCD"[category],
        school_code=codes[school % len(codes)],
        registered_on=DATES[registered],
        moved_in_on=DATES[moved],
        points=POINTS[points],
        permit_from=DATES[permit],
        priorities=(Priority(name, (DISTRICT, "320506")[where]),) if name else (),
        sibling_schools=frozenset({codes[sibling]}) if sibling < len(codes) else frozenset(),
    )


@st.composite
def districts(draw: st.DrawFn) -> tuple[CohortPolicy, tuple[School, ...], list[Candidate]]:
    found = draw(schools())
    return draw(st.sampled_from(RULES)), found, draw(cases(tuple(s.code for s in found)))


def _placed(run: Allocation) -> dict[str, str | None]:
    return {s.case_id: s.school_code for s in run.seats}


@BOUNDED
@given(districts(), seeds)
def test_no_school_over_capacity(district: Any, seed: str) -> None:
    rules, found, people = district
    run = allocate(rules, DISTRICT, found, people, seed)
    counts = Counter(code for code in _placed(run).values() if code)
    assert all(counts[s.code] <= s.capacity for s in found)
    assert sorted(_placed(run)) == sorted(c.case_id for c in people)  # one seat record each


@BOUNDED
@given(districts(), seeds, st.data())
def test_seats_already_placed_are_not_given_again(district: Any, seed: str, data: Any) -> None:
    rules, found, people = district
    taken = {s.code: data.draw(st.integers(0, s.capacity + 1)) for s in found}
    counts = Counter(
        c for c in _placed(allocate(rules, DISTRICT, found, people, seed, taken)).values() if c
    )
    assert all(counts[s.code] + taken[s.code] <= max(s.capacity, taken[s.code]) for s in found)


@BOUNDED
@given(districts(), seeds)
def test_no_child_left_out_of_its_school_while_a_lower_rank_holds_a_seat(
    district: Any, seed: str
) -> None:
    rules, found, people = district
    run = allocate(rules, DISTRICT, found, people, seed)
    for step in run.steps:
        code = step.school.code
        mine = [c for c in people if c.school_code == code]
        admitted = {c.case_id for _, c in step.admitted}
        out = [c for c in mine if c.case_id not in admitted]
        key = {c.case_id: rank_key(rules, c, seed, DISTRICT, code) for c in mine}
        if out:
            worst_in = max((key[i] for i in admitted), default=None)
            assert worst_in is None or worst_in < min(key[c.case_id] for c in out)
            assert not any(s.school_code == code for s in run.overflow)  # the school was full
        assert len(admitted) == min(len(mine), step.free)


@BOUNDED
@given(districts(), seeds)
def test_no_child_sent_to_overflow_while_a_lower_rank_holds_a_seat_it_wanted(
    district: Any, seed: str
) -> None:
    rules, found, people = district
    run = allocate(rules, DISTRICT, found, people, seed)
    by_code = {s.code: s for s in found}
    by_case = {c.case_id: c for c in people}
    got = {s.case_id: s.school_code for s in run.overflow}
    key = {c: rank_key(rules, by_case[c], seed, DISTRICT) for c in got}
    for higher in got:
        home = by_code.get(by_case[higher].school_code)
        wanted = home.overflow_to if home else ()
        better = wanted[: wanted.index(got[higher])] if got[higher] in wanted else wanted
        for lower in got:
            if key[lower] > key[higher]:
                assert got[lower] not in better


@BOUNDED
@given(districts(), seeds, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_the_order_of_the_input(
    district: Any, seed: str, rnd: Any
) -> None:
    rules, found, people = district
    first = allocate(rules, DISTRICT, found, people, seed)
    shuffled_people, shuffled_schools = list(people), list(found)
    rnd.shuffle(shuffled_people)
    rnd.shuffle(shuffled_schools)
    assert allocate(rules, DISTRICT, shuffled_schools, shuffled_people, seed) == first


@BOUNDED
@given(districts(), seeds)
def test_same_seed_same_result(district: Any, seed: str) -> None:
    rules, found, people = district
    again = [dataclasses.replace(c) for c in people]
    assert allocate(rules, DISTRICT, found, people, seed) == allocate(
        rules, DISTRICT, found, again, seed.upper()
    )


@BOUNDED
@given(districts(), seeds, seeds)
def test_different_seed_changes_only_ties(district: Any, seed: str, other: str) -> None:
    rules, found, people = district
    for code in (None, *(s.code for s in found)):
        keys = [
            (rank_key(rules, c, seed, DISTRICT, code), rank_key(rules, c, other, DISTRICT, code))
            for c in people
        ]
        for a, b in keys:
            for c, d in keys:
                if a.merit < c.merit:
                    assert a < c and b < d
    one, two = (allocate(rules, DISTRICT, found, people, s) for s in (seed, other))
    for step_one, step_two in zip(one.steps, two.steps, strict=True):
        assert Counter(k.merit for k, _ in step_one.admitted) == Counter(
            k.merit for k, _ in step_two.admitted
        )


@BOUNDED
@given(districts(), seeds, seeds)
def test_different_seed_same_result_without_ties(district: Any, seed: str, other: str) -> None:
    rules, found, people = district
    merits = [rank_key(rules, c, seed, DISTRICT).merit for c in people]
    at_schools = [rank_key(rules, c, seed, DISTRICT, c.school_code).merit for c in people]
    if len(set(merits)) == len(merits) and len(set(at_schools)) == len(at_schools):
        assert _placed(allocate(rules, DISTRICT, found, people, seed)) == _placed(
            allocate(rules, DISTRICT, found, people, other)
        )
