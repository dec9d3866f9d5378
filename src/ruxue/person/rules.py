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
from stdnum.cn.ric import calc_check_digit

EXTRA_REGIONS = {"320571": "苏州工业园区"}
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class IdNumberError(ValueError):
    """An ID number that breaks GB 11643-1999; ``message`` is for the user (Chinese)."""

    ENGLISH: ClassVar[dict[str, str]] = {
        "length": "must be 18 characters",
        "format": "bad format",
        "check": "bad check digit",
        "date": "bad birth date",
        "region": "unknown region code",
    }

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def english(self) -> str:
        return self.ENGLISH[self.code]


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


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    return calc_check_digit(first17 + "0")


def parse_id_number(raw: str) -> IdNumber:
    """Validate and parse; raises IdNumberError with a plain-Chinese message."""
    value = raw.strip().upper()
    if len(value) != 18:
        raise IdNumberError("length", "身份证号码应为18位")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise IdNumberError("format", "身份证号码前17位应为数字，最后一位为数字或X")
    if check_character(value[:17]) != value[17]:
        raise IdNumberError("check", "身份证号码校验位不正确，请核对后重新输入")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError("date", "身份证号码中的出生日期不存在") from None
    if birth.year < 1900:
        raise IdNumberError("date", "身份证号码中的出生日期不合理")
    if not region_known(value[:6]):
        raise IdNumberError("region", "身份证号码中的地区代码不存在")
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


def mask_name(name: str) -> str:
    """王小明 → 王*明, 李娜 → 李*."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
