"""The case search of the district and the city: by case number, by the child's ID number (in
full, or its last four characters) and by the child's name. Narrowed by ``visible_to_staff``;
the caller audits every search. ID numbers and names travel in a POST body, never in a URL."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.repository import visible_to_staff
from ruxue.kit import pii
from ruxue.kit.errors import RuxueError
from ruxue.person.rules import mask_name
from ruxue.policy.facts import read_facts
from ruxue.staff.auth import Staff, require

MAY_SEARCH = ("reviewer", "admin")
SCANNED = 20_000  # the newest cases a search by the last four characters or a name reads
FOUND = 50


@dataclass(frozen=True)
class Terms:
    case_no: str = ""
    id_part: str = ""  # the full ID number or its last four characters
    name: str = ""

    def cleaned(self) -> "Terms":
        return Terms(self.case_no.strip().upper(), self.id_part.strip().upper(), self.name.strip())

    def used(self) -> list[str]:
        """Which terms a search used (for the audit; the terms themselves are personal data)."""
        named = {"case_no": self.case_no, "id_part": self.id_part, "name": self.name}
        return [k for k, v in named.items() if v]


def check(terms: Terms) -> None:
    if not terms.used():
        raise RuxueError("请至少填写一项：办件编号、身份证号码（或后四位）、学生姓名。")
    if terms.id_part and len(terms.id_part) not in (4, 18):
        raise RuxueError("身份证号码请填写完整的18位，或最后4位。", field="id_part")


async def search(session: AsyncSession, staff: Staff, terms: Terms) -> Sequence[Case]:
    require(staff, *MAY_SEARCH)
    terms = terms.cleaned()
    check(terms)
    query = visible_to_staff(staff)
    if terms.case_no:
        query = query.where(Case.case_no.startswith(terms.case_no, autoescape=True))
    if len(terms.id_part) == 18:
        query = query.where(Case.child_index.in_(pii.blind_indexes(terms.id_part)))
    if terms.name:
        query = query.where(Case.child_name_masked == mask_name(terms.name))
    rows = await session.scalars(query.order_by(Case.created_at.desc()).limit(SCANNED))
    return [c for c in rows if _matches(c, terms)][:FOUND]


def _matches(case: Case, terms: Terms) -> bool:
    """What the indexed columns cannot tell: the last four characters and the name in full."""
    if len(terms.id_part) == 4 and not pii.decrypt(case.child_enc).endswith(terms.id_part):
        return False
    return not (terms.name and case.draft_enc and read_facts(case).child.name != terms.name)
