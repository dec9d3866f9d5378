"""Ask the departments for the facts of one family, step by step, through the exchange client.

Each step asks its departments at once. Bad input (a number the police do not know, a spouse who is
not the other parent) raises ``StepError`` with a message for the guardian; a department that
cannot be reached for an essential fact raises ``DepartmentDown`` (the draft is kept, the step can
be retried); a non-essential fact that cannot be fetched is marked unavailable on the facts, and
the rules send the case to review.
"""

from collections.abc import Sequence
from typing import Any, TypeVar

import msgspec

from ruxue.county.routing import refuse_elsewhere
from ruxue.county.rules import EVERY_DISTRICT, Routing
from ruxue.exchange.client import NO_RECORD, OK, Answer, Ask, CallContext, ExchangeClient
from ruxue.exchange.records import (
    BirthCertificate,
    Booklet,
    Marriage,
    Person,
    Property,
    StudentStatus,
)
from ruxue.exchange.schemas import DEPARTMENT_NAMES
from ruxue.kit.errors import RuxueError, Unavailable
from ruxue.policy.facts import (
    BIRTH,
    HOUSING_PROOF,
    MARRIAGE,
    RESIDENCES,
    STUDENT_STATUS,
    Facts,
    HousingProof,
)
from ruxue.policy.rules import parents_of, residence_counts

T = TypeVar("T")


class StepError(RuxueError):
    code = "step"


class DepartmentDown(Unavailable):
    code = "department_unavailable"


class Down(Exception):
    """A fact that could not be fetched (internal marker)."""


def _value(answer: Answer, kind: type[T]) -> T | None:
    if answer.outcome == NO_RECORD:
        return None
    if answer.outcome != OK:
        raise Down(answer.ask.department)
    return msgspec.convert(answer.data, kind)


def _essential(answer: Answer, kind: type[T]) -> T | None:
    try:
        return _value(answer, kind)
    except Down:
        name = DEPARTMENT_NAMES.get(answer.ask.department, answer.ask.department)
        raise DepartmentDown(f"{name}暂时无法访问，请稍后重试；您已填写的内容已保存。") from None


def person_asks(id_number: str) -> list[Ask]:
    body = {"id_number": id_number}
    return [
        Ask(
            "police.person",
            body,
            ("name", "gender", "birth_date", "father_id_number", "mother_id_number", "booklet_no"),
        ),
        Ask("police.hukou", body, ("booklet_no", "address", "compound_code", "members")),
    ]


def read_record(answer: Answer, kind: type[T], who: str) -> T:
    value = _essential(answer, kind)
    if value is None:
        raise StepError(f"公安部门未查到{who}的户籍信息，请核对身份证号码。")
    return value


def read_person(answers: Sequence[Answer], who: str) -> tuple[Person, Booklet]:
    return read_record(answers[0], Person, who), read_record(answers[1], Booklet, who)


async def fetch_birth(
    client: ExchangeClient, ctx: CallContext, child_id: str
) -> BirthCertificate | None:
    """The birth certificate, when the check of who may act for the child needs it."""
    return _essential(await client.ask(ctx, birth_ask(child_id)), BirthCertificate)


async def fetch_person(
    client: ExchangeClient, ctx: CallContext, id_number: str, who: str
) -> tuple[Person, Booklet]:
    return read_person(await client.ask_all(ctx, person_asks(id_number)), who)


NOT_OTHER_PARENT = (
    "该身份证号码不是学生的父亲或母亲（依据户籍和出生医学证明），请核对配偶的身份证号码。"
)


def check_spouse(spouse: Person, child: Person, birth: BirthCertificate | None) -> None:
    if spouse.id_number not in parents_of(child, birth):
        raise StepError(NOT_OTHER_PARENT)


def birth_ask(child_id: str) -> Ask:
    return Ask(
        "health.birth_certificate",
        {"id_number": child_id},
        ("cert_no", "father_id_number", "mother_id_number"),
    )


def other_asks(facts: Facts) -> list[Ask]:
    """Student status, residences, marriage and birth records, all at once."""
    asks = [
        Ask(
            "xueji.student_status",
            {"id_number": facts.child.id_number},
            ("stage", "status", "graduation_year"),
        )
    ]
    asks += [Ask("property.residences", {"id_number": i}, ("cert_no", "compound_code", "building_area_m2", "usage", "owners"))
             for i in sorted(facts.family_ids)]  # fmt: skip
    asks.append(marriage_ask(facts.guardian.id_number))
    asks.append(birth_ask(facts.child.id_number))
    return asks


def marriage_ask(id_number: str) -> Ask:
    return Ask(
        "civil.marriage", {"id_number": id_number}, ("cert_no", "party_a", "party_b", "status")
    )


def apply_marriage(facts: Facts, answer: Answer) -> None:
    try:
        facts.marriages = _value(answer, list[Marriage]) or []
        facts.unavailable.discard(MARRIAGE)
    except Down:
        facts.unavailable.add(MARRIAGE)


def apply_others(facts: Facts, answers: Sequence[Answer]) -> None:
    by_service = {a.ask.service: a for a in answers if a.ask.service != "property.residences"}
    try:
        facts.student_status = _value(by_service["xueji.student_status"], list[StudentStatus]) or []
        facts.unavailable.discard(STUDENT_STATUS)
    except Down:
        facts.unavailable.add(STUDENT_STATUS)
    try:
        found = _residences([a for a in answers if a.ask.service == "property.residences"])
        facts.residences = [p for p in found if residence_counts(facts, p)]
        facts.unavailable.discard(RESIDENCES)
    except Down:
        facts.unavailable.add(RESIDENCES)
    apply_marriage(facts, by_service["civil.marriage"])
    apply_birth(facts, by_service["health.birth_certificate"])


def apply_birth(facts: Facts, answer: Answer) -> None:
    try:
        facts.birth_certificate = _value(answer, BirthCertificate)
        facts.unavailable.discard(BIRTH)
    except Down:
        facts.unavailable.add(BIRTH)


def _residences(answers: Sequence[Answer]) -> list[Property]:
    found: dict[str, Property] = {}
    for answer in answers:
        for prop in _value(answer, list[Property]) or []:
            if prop.usage == "residential":
                found.setdefault(prop.cert_no, prop)
    return sorted(found.values(), key=lambda p: p.cert_no)


def housing_ask(facts: Facts) -> Ask:
    """The registry's unique-housing or no-housing proof for the family."""
    service = "property.no_housing" if not facts.residences else "property.unique_housing"
    return Ask(service, {"id_numbers": sorted(facts.family_ids)}, ("residences",))


def apply_housing(facts: Facts, answer: Answer) -> None:
    try:
        data = _value(answer, dict[str, Any]) or {}
        facts.housing_proof = HousingProof(
            residences=int(data.get("residences", 0)), cert_nos=list(data.get("cert_nos", []))
        )
        facts.unavailable.discard(HOUSING_PROOF)
    except Down:
        facts.unavailable.add(HOUSING_PROOF)


async def fetch_housing_proof(client: ExchangeClient, ctx: CallContext, facts: Facts) -> None:
    apply_housing(facts, await client.ask(ctx, housing_ask(facts)))


async def gather_facts(
    client: ExchangeClient, ctx: CallContext, *, year: int, segment: str, guardian_id: str, child_id: str,
    spouse_id: str | None = None, chosen_cert: str | None = None, routing: Routing = EVERY_DISTRICT,
) -> Facts:  # fmt: skip
    """Everything at once (``ruxue assess``, the desk): two rounds of concurrent calls. With
    ``routing``, a child whose district applies elsewhere is refused after the first round."""
    ids = [child_id, guardian_id] + ([spouse_id] if spouse_id else [])
    asks = [a for i in ids for a in person_asks(i)]
    answers = await client.ask_all(ctx, asks)
    child, child_booklet = read_person(answers[0:2], "学生")
    refuse_elsewhere(routing, child_booklet.district_code)
    guardian, guardian_booklet = read_person(answers[2:4], "监护人")
    facts = Facts(year=year, segment=segment, guardian=guardian, child=child,
                  booklets={child_booklet.booklet_no: child_booklet, guardian_booklet.booklet_no: guardian_booklet})  # fmt: skip
    if spouse_id:
        spouse, spouse_booklet = read_person(answers[4:6], "配偶")
        facts.spouse = spouse
        facts.booklets[spouse_booklet.booklet_no] = spouse_booklet
    apply_others(facts, await client.ask_all(ctx, other_asks(facts)))
    if facts.spouse:
        check_spouse(facts.spouse, child, facts.birth_certificate)
    if chosen_cert is not None:
        if chosen_cert not in {p.cert_no for p in facts.residences}:
            raise StepError("所选房产不在家庭名下的住宅中，请重新选择。")
        facts.chosen_cert = chosen_cert
    await fetch_housing_proof(client, ctx, facts)
    return facts
