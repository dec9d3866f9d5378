"""The sandbox dataset format, version 1 (``spec/sandbox-dataset.md``), as typed dicts.

pydantic validates the JSON bytes directly into dicts (no intermediate parse), which keeps a
city-sized file fast to load and small in memory. Unknown keys are ignored.
"""

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, Strict, TypeAdapter
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

from ruxue.person.rules import IdNumberError, parse_id_number


def _check_id(value: str) -> str:
    try:
        return parse_id_number(value).value
    except IdNumberError as exc:
        raise PydanticCustomError("id_number", exc.english) from None


IdNo = Annotated[str, Strict(), AfterValidator(_check_id)]
Day = Annotated[dt.date, Strict()]
Text = Annotated[str, Strict(), Field(min_length=1, max_length=200)]
Relation = Literal[
    "户主",
    "配偶",
    "子",
    "女",
    "父",
    "母",
    "祖父",
    "祖母",
    "外祖父",
    "外祖母",
    "孙子",
    "孙女",
    "兄弟",
    "姐妹",
    "其他",
]
DistrictCode = Annotated[str, Strict(), Field(pattern=r"^\d{6}$")]
Segment = Literal["primary", "junior"]


class Person(TypedDict):
    id_number: IdNo
    name: Text
    gender: Literal["M", "F"]
    birth_date: Day
    father_id_number: IdNo | None
    mother_id_number: IdNo | None
    booklet_no: Text


class Member(TypedDict):
    id_number: IdNo
    relation: Relation


class Booklet(TypedDict):
    booklet_no: Text
    district_code: DistrictCode
    address: Text
    compound_code: Text
    members: Annotated[list[Member], Field(min_length=1)]


class Owner(TypedDict):
    id_number: IdNo
    share: Annotated[float, Field(gt=0, le=1)]


class Property(TypedDict):
    cert_no: Text
    district_code: DistrictCode
    address: Text
    compound_code: Text
    building_area_m2: Annotated[float, Field(gt=0, lt=100000)]
    usage: Literal["residential", "commercial"]
    registered_on: Day
    owners: Annotated[list[Owner], Field(min_length=1)]


class Marriage(TypedDict):
    cert_no: Text
    party_a: IdNo
    party_b: IdNo
    registered_on: Day
    status: Literal["married", "divorced"]


class BirthCertificate(TypedDict):
    cert_no: Text
    child_id_number: IdNo
    father_id_number: IdNo | None
    mother_id_number: IdNo | None
    birth_date: Day
    hospital: Text


class SocialInsurance(TypedDict):
    id_number: IdNo
    city_code: DistrictCode
    months_paid: Annotated[int, Field(ge=0, le=1200)]
    since: Annotated[str, Strict(), Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class StudentStatus(TypedDict):
    id_number: IdNo
    stage: Segment
    school_name: Text
    status: Literal["enrolled", "graduated", "left"]
    graduation_year: Annotated[int, Field(ge=1950, le=2100)]


class School(TypedDict):
    code: Annotated[str, Strict(), Field(pattern=r"^\d{10}$")]
    name: Text
    district_code: DistrictCode
    segment: Segment
    capacity: Annotated[int, Field(ge=0, le=100000)]
    compound_codes: list[Text]


class Dataset(TypedDict):
    version: Literal[1]
    city_code: DistrictCode
    persons: list[Person]
    hukou_booklets: list[Booklet]
    properties: list[Property]
    marriages: list[Marriage]
    birth_certificates: list[BirthCertificate]
    social_insurance: list[SocialInsurance]
    student_status: list[StudentStatus]
    schools: list[School]


DATASET_ADAPTER: TypeAdapter[Dataset] = TypeAdapter(Dataset)
SCHOOLS_ADAPTER: TypeAdapter[list[School]] = TypeAdapter(list[School])
