"""The sandbox dataset format, version 1 (``spec/sandbox-dataset.md``), as msgspec structs.

msgspec rather than pydantic here: a city of 200,000 families is a 390 MB file, which pydantic
validated in 32 s into 2.7 GB of dicts on this machine, and msgspec decodes in 4 s into compact
structs (under 1 GB) that the sandbox keeps as they are. ID numbers and references are checked
afterwards by ``rules.py``.
"""

from typing import Annotated, Literal

from msgspec import Meta, Struct

from ruxue.exchange.records import (
    BirthCertificate,
    Booklet,
    Code6,
    Marriage,
    Person,
    Property,
    Segment,
    SocialInsurance,
    StudentStatus,
    Text,
)


class School(Struct):
    code: Annotated[str, Meta(pattern=r"^\d{10}$")]
    name: Text
    district_code: Code6
    segment: Segment
    capacity: Annotated[int, Meta(ge=0, le=100000)]
    compound_codes: list[Text]


class Dataset(Struct):
    version: Literal[1]
    city_code: Code6
    persons: list[Person]
    hukou_booklets: list[Booklet]
    properties: list[Property]
    marriages: list[Marriage]
    birth_certificates: list[BirthCertificate]
    social_insurance: list[SocialInsurance]
    student_status: list[StudentStatus]
    schools: list[School]

    def sections(self) -> dict[str, list[Struct]]:
        return {
            f: getattr(self, f)
            for f in self.__struct_fields__
            if isinstance(getattr(self, f), list)
        }
