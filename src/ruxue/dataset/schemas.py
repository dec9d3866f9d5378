"""The sandbox dataset format, version 1 (``spec/sandbox-dataset.md``), as msgspec structs.

msgspec rather than pydantic here: a city of 200,000 families is a 390 MB file, which pydantic
validated in 32 s into 2.7 GB of dicts on this machine, and msgspec decodes in 4 s into compact
structs (under 1 GB) that the sandbox keeps as they are. ID numbers and references are checked
afterwards by ``rules.py``.
"""

import datetime as dt
from typing import Annotated, Literal

from msgspec import Meta, Struct

Text = Annotated[str, Meta(min_length=1, max_length=200)]
Code6 = Annotated[str, Meta(pattern=r"^\d{6}$")]
Relation = Literal[
    "户主", "配偶", "子", "女", "父", "母", "祖父", "祖母",
    "外祖父", "外祖母", "孙子", "孙女", "兄弟", "姐妹", "其他",
]  # fmt: skip
Segment = Literal["primary", "junior"]


class Person(Struct, gc=False):
    id_number: str
    name: Text
    gender: Literal["M", "F"]
    birth_date: dt.date
    father_id_number: str | None
    mother_id_number: str | None
    booklet_no: Text


class Member(Struct, gc=False):
    id_number: str
    relation: Relation


class Booklet(Struct, gc=False):
    booklet_no: Text
    district_code: Code6
    address: Text
    compound_code: Text
    members: Annotated[list[Member], Meta(min_length=1)]


class Owner(Struct, gc=False):
    id_number: str
    share: Annotated[float, Meta(gt=0, le=1)]


class Property(Struct, gc=False):
    cert_no: Text
    district_code: Code6
    address: Text
    compound_code: Text
    building_area_m2: Annotated[float, Meta(gt=0, lt=100000)]
    usage: Literal["residential", "commercial"]
    registered_on: dt.date
    owners: Annotated[list[Owner], Meta(min_length=1)]


class Marriage(Struct, gc=False):
    cert_no: Text
    party_a: str
    party_b: str
    registered_on: dt.date
    status: Literal["married", "divorced"]


class BirthCertificate(Struct, gc=False):
    cert_no: Text
    child_id_number: str
    father_id_number: str | None
    mother_id_number: str | None
    birth_date: dt.date
    hospital: Text


class SocialInsurance(Struct, gc=False):
    id_number: str
    city_code: Code6
    months_paid: Annotated[int, Meta(ge=0, le=1200)]
    since: Annotated[str, Meta(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class StudentStatus(Struct, gc=False):
    id_number: str
    stage: Segment
    school_name: Text
    status: Literal["enrolled", "graduated", "left"]
    graduation_year: Annotated[int, Meta(ge=1950, le=2100)]


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
