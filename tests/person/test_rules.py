import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ruxue.person.rules import (
    IdNumberError,
    check_character,
    is_valid_id_number,
    make_id_number,
    mask_id_number,
    mask_name,
    mask_person,
    mask_phone,
    parse_id_number,
)


def _with_check(first17: str) -> str:
    return first17 + check_character(first17)


REGIONS = ["320508", "320505", "320506", "320507", "320509", "320571", "320581", "320583", "110101"]


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("32050819880101011", "length"),
        ("3205081988010101100", "length"),
        ("32050819880101011A", "format"),
        ("3205081988A101011X", "format"),
        ("320508198801010111", "check"),
        (_with_check("32050819880230011"), "date"),
        (_with_check("32990819880101011"), "region"),
        (_with_check("32050818900101011"), "date"),
    ],
)
def test_invalid_numbers_are_named(number: str, code: str) -> None:
    with pytest.raises(IdNumberError) as exc:
        parse_id_number(number)
    assert exc.value.problem == code
    assert exc.value.code == "id_number" and exc.value.status_code == 400
    assert exc.value.message  # a Chinese message for the user


def test_example_numbers_parse() -> None:
    parsed = parse_id_number(" 32050820130601037x ")
    assert parsed.value == "32050820130601037X"
    assert parsed.birth_date == dt.date(2013, 6, 1)
    assert parsed.gender == "M"
    assert parse_id_number("320508199002020421").gender == "F"
    # a district created in 2012 on a number of someone born in 1988 is accepted (re-issued numbers)
    assert is_valid_id_number("320508198801010110")
    # the industrial park's functional-area code is not in GB/T 2260 but is used in Suzhou
    assert is_valid_id_number(make_id_number("320571", dt.date(2019, 3, 3), 5))


@given(
    region=st.sampled_from(REGIONS),
    birth=st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2025, 12, 31)),
    seq=st.integers(0, 999),
)
def test_made_numbers_are_valid(region: str, birth: dt.date, seq: int) -> None:
    number = make_id_number(region, birth, seq)
    parsed = parse_id_number(number)
    assert parsed.birth_date == birth
    assert parsed.gender == ("M" if seq % 2 else "F")


@given(
    birth=st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2025, 12, 31)),
    seq=st.integers(0, 999),
    position=st.integers(0, 16),
    delta=st.integers(1, 9),
)
def test_any_single_digit_change_is_caught(
    birth: dt.date, seq: int, position: int, delta: int
) -> None:
    number = make_id_number("320508", birth, seq)
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    assert not is_valid_id_number(changed)


def test_masking() -> None:
    assert mask_id_number("320508201910150213") == "320508********0213"
    assert mask_name("王小明") == "王*明"
    assert mask_name("李娜") == "李*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_person("刘芳", "320508199002020421") == "刘* 320508********0421"
    assert mask_phone("13800000001") == "138****0001"
    assert mask_phone("12345") == "*****"
