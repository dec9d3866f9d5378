"""Resident ID numbers (GB 11643-1999) and masking of personal data. Pure functions, no I/O.

Region codes come from python-stdnum's GB/T 2260 table. Unlike ``stdnum.cn.ric.validate`` we accept a
code from any era regardless of the birth year: numbers are re-issued when districts are renamed
(a person born in 1988 may hold 320508, created in 2012), so the birth-year check would reject real
numbers. Functional-area codes that GB/T 2260 lacks are listed in ``EXTRA_REGIONS``.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from stdnum import numdb

from ruxue.kit.errors import RuxueError

EXTRA_REGIONS = {"320571": "苏州工业园区"}
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class IdNumberError(RuxueError):
    """An ID number that breaks GB 11643-1999; ``message`` is for the user (Chinese), ``problem``
    names the rule broken (length, format, check, date, region)."""

    code = "id_number"
    title = "身份证号码有误"

    ENGLISH: ClassVar[dict[str, str]] = {
        "length": "must be 18 characters",
        "format": "bad format",
        "check": "bad check digit",
        "date": "bad birth date",
        "region": "unknown region code",
    }

    def __init__(self, problem: str, message: str) -> None:
        super().__init__(message, problem=problem)
        self.problem = problem

    @property
    def english(self) -> str:
        return self.ENGLISH[self.problem]


@dataclass(frozen=True, slots=True)
class IdNumber:
    value: str
    region: str
    birth_date: dt.date
    gender: str  # "M" or "F"


@lru_cache(maxsize=8192)
def region_known(code: str) -> bool:
    if code in EXTRA_REGIONS:
        return True
    if code[2:] == "0000":
        return bool(numdb.get("cn/loc").info(code)[0][1])
    parts = numdb.get("cn/loc").info(code)
    return len(parts) > 1 and bool(parts[1][1])


CHECK_CHARS = "0123456789X"


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits (stdnum's arithmetic, inline:
    it runs millions of times when a city-sized dataset loads)."""
    return CHECK_CHARS[(1 - 2 * int(first17, 13)) % 11]


MESSAGES = {
    "length": "身份证号码应为18位",
    "format": "身份证号码前17位应为数字，最后一位为数字或X",
    "check": "身份证号码校验位不正确，请核对后重新输入",
    "date": "身份证号码中的出生日期不存在",
    "region": "身份证号码中的地区代码不存在",
}
DIGITS_OR_X = frozenset("0123456789X")


@lru_cache(maxsize=65536)
def _birth_date(yyyymmdd: str) -> dt.date | None:
    try:
        birth = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None
    return birth if birth.year >= 1900 else None


def id_number_problem(value: str) -> str | None:
    """The first rule a normalised number breaks (a key of ``MESSAGES``), or None. Fast path
    for bulk checks: builds no objects."""
    if len(value) != 18:
        return "length"
    if not value[:17].isdigit() or value[17] not in DIGITS_OR_X:
        return "format"
    if check_character(value[:17]) != value[17]:
        return "check"
    if _birth_date(value[6:14]) is None:
        return "date"
    if not region_known(value[:6]):
        return "region"
    return None


def parse_id_number(raw: str) -> IdNumber:
    """Validate and parse; raises IdNumberError with a plain-Chinese message."""
    value = raw.strip().upper()
    problem = id_number_problem(value)
    if problem:
        raise IdNumberError(problem, MESSAGES[problem])
    birth = _birth_date(value[6:14])
    assert birth is not None
    gender = "M" if int(value[16]) % 2 == 1 else "F"
    return IdNumber(value=value, region=value[:6], birth_date=birth, gender=gender)


def is_valid_id_number(raw: str) -> bool:
    try:
        parse_id_number(raw)
    except IdNumberError:
        return False
    return True


def make_id_number(region: str, birth: dt.date, sequence: int) -> str:
    """Build a valid number; ``sequence`` is 0-999 and its parity gives the gender (odd = male)."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def mask_id_number(value: str) -> str:
    """320508********0213 style: region kept, birth date and sequence hidden."""
    if len(value) != 18:
        return "*" * len(value)
    return value[:6] + "*" * 8 + value[14:]


def mask_phone(phone: str) -> str:
    """13800000001 → 138****0001: enough for a person to recognise their own number."""
    if len(phone) != 11:
        return "*" * len(phone)
    return phone[:3] + "****" + phone[7:]


def mask_name(name: str) -> str:
    """王小明 → 王*明, 李娜 → 李*."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_person(name: str, id_number: str) -> str:
    """刘芳, 320508199002020421 → 刘* 320508********0421: who, as pages show a person."""
    return f"{mask_name(name)} {mask_id_number(id_number)}"
