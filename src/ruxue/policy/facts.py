"""What the departments told us about one family, as the policy rules read it. Plain data."""

from typing import Protocol

import msgspec
from msgspec import Struct, field

from ruxue.exchange.records import (
    BirthCertificate,
    Booklet,
    Marriage,
    Person,
    Points,
    Property,
    ResidencePermit,
    SocialInsurance,
    StudentStatus,
)
from ruxue.kit import pii
from ruxue.reference.schools import SchoolRef as SchoolRef

# the basis of an approved guardianship request (domain.md "A guardian who is not a parent"):
# the guardian stands in the parents' place, or fills in for parents who authorise
STANDS_IN = frozenset({"court_order", "parents_deceased", "parents_incapable"})
ENTRUSTED = "entrusted"
BASES = STANDS_IN | {ENTRUSTED}

# names of facts that a department could not give (after retries); they send the case to review
STUDENT_STATUS, RESIDENCES, HOUSING_PROOF, BIRTH, MARRIAGE = (
    "student_status", "residences", "housing_proof", "birth_certificate", "marriage",
)  # fmt: skip


class HousingProof(Struct, frozen=True):
    """The property registry's unique-housing / no-housing answer for the family."""

    residences: int
    cert_nos: list[str] = field(default_factory=list)


class Facts(Struct, kw_only=True):
    year: int
    segment: str
    guardian: Person
    child: Person
    spouse: Person | None = None
    booklets: dict[str, Booklet] = field(default_factory=dict)
    student_status: list[StudentStatus] = field(default_factory=list)
    residences: list[Property] = field(default_factory=list)
    chosen_cert: str | None = None
    housing_proof: HousingProof | None = None
    birth_certificate: BirthCertificate | None = None
    marriages: list[Marriage] = field(default_factory=list)
    unavailable: set[str] = field(default_factory=set)
    provided: set[str] = field(default_factory=set)  # materials whose originals staff have seen
    uploaded: set[str] = field(default_factory=set)  # materials uploaded, to be checked by a person
    bring: set[str] = field(default_factory=set)  # materials the guardian will bring to the school
    # the approved guardianship request of an applicant who is not a parent (checked by a reviewer)
    guardianship_request: str | None = None
    guardianship_basis: str | None = None  # one of BASES, recorded by the reviewer
    requested: set[str] = field(default_factory=set)  # materials a reviewer asked for (tell-once)
    keyed_in: dict[str, str] = field(default_factory=dict)  # numbers staff keyed in from originals
    # what the cohort rules read (``cohort.gather``), by the parent's ID number: asked only where
    # the district-year sets cohort keys (or the child's hukou is not in the city)
    permits: dict[str, list[ResidencePermit]] = field(default_factory=dict)
    points: dict[str, Points] = field(default_factory=dict)
    insurance: dict[str, SocialInsurance] = field(default_factory=dict)
    sibling_status: list[StudentStatus] = field(default_factory=list)  # consented siblings only

    @property
    def entrusted(self) -> bool:
        """A relative fills in for parents who authorise: the parents' records count."""
        return self.guardianship_request is not None and self.guardianship_basis == ENTRUSTED

    @property
    def stands_in(self) -> bool:
        """A guardian in the parents' place: applies alone, their records count as a parent's."""
        return self.guardianship_request is not None and self.guardianship_basis in STANDS_IN

    @property
    def family_ids(self) -> set[str]:
        """The family whose records count: the child, the guardian and the spouse; for an
        entrusted relative, the authorising parent, and the relative only when the child's hukou
        is in the relative's booklet."""
        ids = {self.guardian.id_number, self.child.id_number}
        if self.entrusted and self.guardian.booklet_no != self.child.booklet_no:
            ids.discard(self.guardian.id_number)
        if self.spouse:
            ids.add(self.spouse.id_number)
        return ids


class HoldsFacts(Protocol):
    """A row that keeps a family's facts encrypted (the case's ``draft_enc``)."""

    draft_enc: str


def read_facts(case: HoldsFacts) -> Facts:
    """The facts kept on the case, encrypted (``kit.pii``)."""
    return msgspec.json.decode(pii.decrypt(case.draft_enc).encode(), type=Facts)


def write_facts(case: HoldsFacts, facts: Facts) -> None:
    case.draft_enc = pii.encrypt(msgspec.json.encode(facts).decode())
