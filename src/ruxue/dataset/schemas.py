"""The sandbox dataset format, versions 1 and 2 (``spec/sandbox-dataset.md``), as msgspec structs.

msgspec rather than pydantic here: a city of 200,000 families is a 390 MB file, which pydantic
validated in 32 s into 2.7 GB of dicts on this machine, and msgspec decodes in 4 s into compact
structs (under 1 GB) that the sandbox keeps as they are. ID numbers and references are checked
afterwards by ``rules.py``.

Version 2 adds what ``cohort.md`` needs: optional fields on version-1 records (defaults: absent)
and new sections (defaults: empty). A version-1 file keeps none of them (``service.py``).
"""

from typing import Annotated, Literal

from msgspec import Meta, Struct

from ruxue.exchange.records import (
    BirthCertificate,
    Booklet,
    Code6,
    Marriage,
    Person,
    Points,
    Property,
    ResidencePermit,
    SchoolCode,
    Segment,
    SocialInsurance,
    StudentStatus,
    Text,
)

VERSION_2_SECTIONS = ("residence_permits", "points", "seat_history", "priority_children")


class School(Struct, omit_defaults=True):
    code: SchoolCode
    name: Text
    district_code: Code6
    segment: Segment
    capacity: Annotated[int, Meta(ge=0, le=100000)]
    compound_codes: list[Text]
    overflow_to: list[SchoolCode] = []  # version 2: 统筹 schools, in order


class SeatHistoryRow(Struct, gc=False):
    """A seat a property gave in an earlier year (the bureau's own record, version 2). The child,
    the school and the certificate may lie outside the dataset."""

    cert_no: Text
    child_id_number: str
    year: Annotated[int, Meta(ge=1990, le=2100)]
    segment: Segment
    school_code: SchoolCode


class PriorityChild(Struct, gc=False):
    """A child on the district's priority list (军人子女, 人才 …), version 2."""

    child_id_number: str
    group: Annotated[str, Meta(min_length=1, max_length=40)]
    district_code: Code6


class Dataset(Struct):
    version: Literal[1, 2]
    city_code: Code6
    persons: list[Person]
    hukou_booklets: list[Booklet]
    properties: list[Property]
    marriages: list[Marriage]
    birth_certificates: list[BirthCertificate]
    social_insurance: list[SocialInsurance]
    student_status: list[StudentStatus]
    schools: list[School]
    residence_permits: list[ResidencePermit] = []
    points: list[Points] = []
    seat_history: list[SeatHistoryRow] = []
    priority_children: list[PriorityChild] = []

    def sections(self) -> dict[str, list[Struct]]:
        return {
            f: getattr(self, f)
            for f in self.__struct_fields__
            if isinstance(getattr(self, f), list)
            and (self.version >= 2 or f not in VERSION_2_SECTIONS)
        }
