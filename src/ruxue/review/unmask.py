"""What staff who check originals see unmasked: the names, ID numbers, certificate numbers and
addresses the departments returned, to compare with the paper in front of them. Only the roles
that check originals may see it, only on request, and every such view is audited."""

from dataclasses import dataclass

from ruxue.cases.models import Case
from ruxue.kit import pii
from ruxue.policy.explain import MATERIALS, STATUSES
from ruxue.policy.facts import Facts, read_facts

MAY_UNMASK = ("desk", "reviewer", "admin")  # the desk checks originals, the district materials


@dataclass(frozen=True)
class Line:
    label: str
    value: str


def unmasked(facts: Facts, phone_enc: str = "") -> list[Line]:
    """The records in full, in the order a clerk compares them with the originals."""
    lines = [Line("学生", f"{facts.child.name}  {facts.child.id_number}")]
    booklet = facts.booklets.get(facts.child.booklet_no)
    if booklet:
        lines.append(Line("学生户籍地址", booklet.address))
    lines.append(Line("监护人", f"{facts.guardian.name}  {facts.guardian.id_number}"))
    if phone_enc:
        lines.append(Line("监护人手机", pii.decrypt(phone_enc)))
    if facts.spouse:
        lines.append(Line("配偶", f"{facts.spouse.name}  {facts.spouse.id_number}"))
    if facts.birth_certificate:
        lines.append(Line("出生医学证明编号", facts.birth_certificate.cert_no))
    chosen = next((p for p in facts.residences if p.cert_no == facts.chosen_cert), None)
    if chosen:
        lines.append(Line("入学房产", f"{chosen.address}（不动产权证 {chosen.cert_no}）"))
    for code, number in sorted(facts.keyed_in.items()):
        name = MATERIALS[code]["name"] if code in MATERIALS else code
        lines.append(Line(f"{name}编号（按原件录入）", number))
    return lines


@dataclass(frozen=True)
class Applicant:
    """A line of a school's list for its staff: who, how to reach the family, where it stands."""

    case_no: str
    child: str
    guardian: str
    phone: str
    status: str


def applicant(case: Case) -> Applicant:
    """The school's staff (desk, district, city) see the names in full and the guardian's phone,
    to call families (报到, 回访); the list's views and exports are audited by the caller."""
    child, guardian = case.child_name_masked, ""
    if case.draft_enc:
        facts = read_facts(case)
        child, guardian = facts.child.name, facts.guardian.name
    phone = pii.decrypt(case.phone_enc) if case.phone_enc else ""
    return Applicant(case.case_no, child, guardian, phone, STATUSES.get(case.status, "办理中"))
