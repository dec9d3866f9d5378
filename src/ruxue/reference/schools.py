"""A school as the policy rules read it: plain data, no database."""

from msgspec import Struct


class SchoolRef(Struct, frozen=True):
    code: str
    name: str
    district_code: str
    segment: str
    compound_codes: frozenset[str]
