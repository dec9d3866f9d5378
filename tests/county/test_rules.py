"""Which stages a trace event reports; which system takes a child's application."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ruxue.county.rules import (
    BY_CITY,
    BY_COUNTY,
    CountySystem,
    Routing,
    elsewhere,
    key_set_problem,
    stages_of,
)


@pytest.mark.parametrize(
    ("action", "status", "submitted", "stages"),
    [
        ("submit", "notice_issued", True, [("apply", "")]),
        ("desk_consent", "notice_issued", True, [("apply", "")]),
        ("decide", "notice_issued", True, [("accept", ""), ("done", "notice_issued")]),
        ("decide", "manual_review", True, [("accept", ""), ("process", "manual_review")]),
        ("review_reject", "rejected", True, [("accept", ""), ("done", "rejected")]),
        (
            "review_request_materials",
            "needs_materials",
            True,
            [("accept", ""), ("process", "needs_materials")],
        ),
        ("qualify", "qualified", True, [("accept", "")]),  # allocation: 受理, 办结 after the run
        ("withdraw", "withdrawn", True, [("done", "withdrawn")]),
        ("withdraw", "withdrawn", False, []),  # a draft withdrawn was never applied for
        ("fetch", "draft", False, []),
        ("rated", "notice_issued", True, []),
    ],
)
def test_stages_of(
    action: str, status: str, submitted: bool, stages: list[tuple[str, str]]
) -> None:
    assert stages_of(action, status, submitted) == stages


WUZHONG = CountySystem("吴中区入学系统", "https://wz.example/")
CITY = Routing(counties={"320506": WUZHONG})
COUNTY = Routing(district="320506", city_url="https://city.example/")
districts = st.from_regex(r"\d{6}", fullmatch=True)


def test_the_city_sends_a_county_served_district_to_its_system() -> None:
    where = elsewhere(CITY, "320506")
    assert where is not None and (where.code, where.url) == (BY_COUNTY, "https://wz.example/")
    assert where.reason == (
        "孩子户籍在吴中区，吴中区使用本区的入学报名系统“吴中区入学系统”办理，本系统不能受理。"
    )
    assert where.label == "前往吴中区入学系统"  # the button, named after the county's system
    assert where.message == f"{where.reason}请前往吴中区入学系统办理：https://wz.example/"
    assert elsewhere(CITY, "320508") is None  # 姑苏区 applies at the city


def test_a_county_takes_its_own_district_and_sends_the_others_to_the_city() -> None:
    assert elsewhere(COUNTY, "320506") is None
    where = elsewhere(COUNTY, "320508")
    assert where is not None and (where.code, where.url) == (BY_CITY, "https://city.example/")
    assert where.reason == "孩子户籍在姑苏区，本系统只受理吴中区户籍学生的入学报名。"
    assert where.label == "前往市级入学报名系统"
    assert where.message == f"{where.reason}请前往市级入学报名系统办理：https://city.example/"
    unlinked = elsewhere(Routing(district="320506"), "320508")
    assert unlinked is not None and unlinked.url == "" and "https" not in unlinked.message


@pytest.mark.slow
@given(districts, st.dictionaries(districts, st.just(WUZHONG), max_size=4))
def test_the_city_refuses_exactly_the_county_served_districts(
    district: str, counties: dict[str, CountySystem]
) -> None:
    where = elsewhere(Routing(counties=counties), district)
    assert (where is not None) == (district in counties)


@given(districts, districts)
def test_a_county_takes_exactly_its_own_district(own: str, district: str) -> None:
    where = elsewhere(Routing(district=own, counties={own: WUZHONG}), district)
    assert (where is None) == (district == own)
    assert where is None or where.code == BY_CITY  # never sent to a county by a county


RSA_PUBLIC = {"kty": "RSA", "kid": "k1", "n": "sXch", "e": "AQAB"}


@pytest.mark.parametrize(
    ("jwks", "problem"),
    [
        ({"keys": [RSA_PUBLIC]}, None),
        ({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}]}, None),
        ({"keys": [RSA_PUBLIC, {"kty": "oct", "k": "c2VjcmV0"}]}, "RSA 或 EC 公钥"),
        ({"keys": [{**RSA_PUBLIC, "d": "private"}]}, "不能包含私钥"),
        ({"keys": []}, "keys 列表"),
        ({"n": "x"}, "keys 列表"),
    ],
)
def test_a_county_registers_public_asymmetric_keys_only(
    jwks: dict[str, object], problem: str | None
) -> None:
    found = key_set_problem(jwks)
    assert found == problem if problem is None else problem in (found or "")
