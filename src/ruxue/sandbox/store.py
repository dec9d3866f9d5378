"""The sandbox's in-memory city: the decoded dataset with the indexes the departments need."""

from collections import defaultdict
from typing import Any

from ruxue.dataset.schemas import Dataset
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


class Store:
    def __init__(self, data: Dataset) -> None:
        self.data = data
        self.persons: dict[str, Person] = {p.id_number: p for p in data.persons}
        self.booklets: dict[str, Booklet] = {b.booklet_no: b for b in data.hukou_booklets}
        self.properties: dict[str, Property] = {p.cert_no: p for p in data.properties}
        self.owned: dict[str, list[str]] = defaultdict(list)
        for prop in data.properties:
            for owner in prop.owners:
                self.owned[owner.id_number].append(prop.cert_no)
        self.marriages: dict[str, list[Marriage]] = defaultdict(list)
        for m in data.marriages:
            self.marriages[m.party_a].append(m)
            self.marriages[m.party_b].append(m)
        self.births: dict[str, BirthCertificate] = {
            c.child_id_number: c for c in data.birth_certificates
        }
        self.insurance: dict[str, SocialInsurance] = {s.id_number: s for s in data.social_insurance}
        self.student_status: dict[str, list[StudentStatus]] = defaultdict(list)
        for st in data.student_status:
            self.student_status[st.id_number].append(st)
        self.permits: dict[str, list[ResidencePermit]] = defaultdict(list)
        for permit in data.residence_permits:
            self.permits[permit.id_number].append(permit)
        self.points: dict[str, Points] = {p.id_number: p for p in data.points}
        self.licences: dict[str, dict[str, Any]] = {}  # the e-licence library's issued licences

    def adults(self, limit: int) -> list[Person]:
        """Test accounts for the login page: parents with a child in the dataset."""
        parents: list[str] = []
        for p in self.data.persons:
            for pid in (p.father_id_number, p.mother_id_number):
                if pid and pid in self.persons and pid not in parents:
                    parents.append(pid)
            if len(parents) >= limit:
                break
        return [self.persons[pid] for pid in parents[:limit]]
