"""The facts of many families at once (the precheck): the same asks as ``gather_facts``, sent in
batches (one request per service and batch, not per family) and read by the same functions."""

from collections.abc import Sequence
from dataclasses import dataclass

from ruxue.county.routing import ServedElsewhere, refuse_elsewhere
from ruxue.county.rules import EVERY_DISTRICT, Routing
from ruxue.enrollment.gather import (
    DepartmentDown,
    StepError,
    apply_housing,
    apply_others,
    check_spouse,
    housing_ask,
    other_asks,
    person_asks,
    read_person,
)
from ruxue.exchange.client import Answer, CallContext, ExchangeClient
from ruxue.policy.facts import Facts

Failure = StepError | DepartmentDown | ServedElsewhere


@dataclass(frozen=True)
class Family:
    child: str
    guardian: str
    spouse: str | None = None

    @property
    def ids(self) -> list[str]:
        return [self.child, self.guardian] + ([self.spouse] if self.spouse else [])


async def gather_many(
    client: ExchangeClient,
    ctx: CallContext,
    *,
    year: int,
    segment: str,
    families: Sequence[Family],
    routing: Routing = EVERY_DISTRICT,
) -> list[Facts | Failure]:
    """Per family, its facts or why it could not be assessed; the three rounds of
    ``gather_facts`` (persons, other departments, housing proof), each one batch per service.
    A child whose district applies in another system (``routing``) is asked no further."""
    ids = sorted({i for f in families for i in f.ids})
    answers = await client.ask_many(ctx, [a for i in ids for a in person_asks(i)])
    persons = {i: answers[2 * n : 2 * n + 2] for n, i in enumerate(ids)}
    results = [_first_round(f, persons, year, segment, routing) for f in families]
    await _other_round(client, ctx, results)
    pending = [r for r in results if isinstance(r, Facts)]
    housing = await client.ask_many(ctx, [housing_ask(f) for f in pending])
    for facts, answer in zip(pending, housing, strict=True):
        apply_housing(facts, answer)
    return results


def _first_round(
    family: Family, persons: dict[str, list[Answer]], year: int, segment: str, routing: Routing
) -> Facts | Failure:
    try:
        child, child_booklet = read_person(persons[family.child], "学生")
        refuse_elsewhere(routing, child_booklet.district_code)
        guardian, guardian_booklet = read_person(persons[family.guardian], "监护人")
        facts = Facts(
            year=year,
            segment=segment,
            guardian=guardian,
            child=child,
            booklets={child_booklet.booklet_no: child_booklet},
        )
        facts.booklets[guardian_booklet.booklet_no] = guardian_booklet
        if family.spouse:
            facts.spouse, spouse_booklet = read_person(persons[family.spouse], "配偶")
            facts.booklets[spouse_booklet.booklet_no] = spouse_booklet
    except (StepError, DepartmentDown, ServedElsewhere) as exc:
        return exc
    return facts


async def _other_round(
    client: ExchangeClient, ctx: CallContext, results: list[Facts | Failure]
) -> None:
    """Student status, residences, marriage and birth; then the spouse check."""
    pending = [(n, r) for n, r in enumerate(results) if isinstance(r, Facts)]
    asks = [other_asks(facts) for _, facts in pending]
    answers = await client.ask_many(ctx, [a for family in asks for a in family])
    start = 0
    for (n, facts), family in zip(pending, asks, strict=True):
        apply_others(facts, answers[start : start + len(family)])
        start += len(family)
        if facts.spouse:
            try:
                check_spouse(facts.spouse, facts.child, facts.birth_certificate)
            except StepError as exc:
                results[n] = exc
