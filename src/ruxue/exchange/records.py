"""The departments' records as the exchange carries them (police, property, civil affairs,
health, social insurance, student status, points): msgspec structs shared by the sandbox dataset
(``dataset/schemas.py``), the gathering of facts and the policy rules.

Fields added by dataset version 2 default to "absent" and are left out of an answer when absent
(``omit_defaults``), so a version-1 city answers byte for byte as before."""

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
SchoolCode = Annotated[str, Meta(pattern=r"^\d{10}$")]


class Person(Struct, gc=False):
    id_number: str
    name: Text
    gender: Literal["M", "F"]
    birth_date: dt.date
    father_id_number: str | None
    mother_id_number: str | None
    booklet_no: Text


class Member(Struct, gc=False, omit_defaults=True):
    id_number: str
    relation: Relation
    moved_in_on: dt.date | None = None  # version 2; absent counts as always there


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


class StudentStatus(Struct, gc=False, omit_defaults=True):
    id_number: str
    stage: Segment
    school_name: Text
    status: Literal["enrolled", "graduated", "left"]
    graduation_year: Annotated[int, Meta(ge=1950, le=2100)]
    school_code: SchoolCode | None = None  # version 2; absent: not known


class ResidencePermit(Struct, gc=False):
    """A residence permit (居住证), served by the police (version 2)."""

    permit_no: Text
    id_number: str
    district_code: Code6
    address: Text
    compound_code: Text
    valid_from: dt.date
    valid_to: dt.date


class Points(Struct, gc=False):
    """A person's 流动人口积分, served by the department ``points`` (version 2)."""

    id_number: str
    points: Annotated[float, Meta(ge=0, le=100000)]
    as_of: dt.date
