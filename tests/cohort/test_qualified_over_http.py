"""Over HTTP, against the sandbox: in an ``allocation`` district an eligible family ends
``qualified`` with its category and catchment school (API and status page), and the cross-case
rules of cohort.md decide through this year's (and earlier years') cases."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ruxue.cohort.models import CohortEntry
from ruxue.cohort.records import Kin, SeatUse
from ruxue.kit.db import Database
from ruxue.notify.models import Notification
from ruxue.person.rules import make_id_number
from tests.support.cohort_cases import (
    WANG_HOME,
    child_of,
    earlier_case,
    feed,
    shipped_policy,
)
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.review import BOTH, PINGJIANG, sun_needs_materials
from tests.support.session import logged_in
from tests.support.staff import make_staff, staff_client

ALLOCATION = 'placement = "allocation"\npublish_on = "07-10"\nseat_lock_years = { primary = 6 }\n'
AT_SUBMISSION = 'placement = "at_submission"\nseat_lock_years = { primary = 6 }\n'
PINGJIANG_SCHOOL = "3205080101"
BOTH_MODES = [(ALLOCATION, "qualified"), (AT_SUBMISSION, "notice_issued")]
MODES = ["allocation", "at_submission"]


def stranger(sequence: int) -> str:
    return make_id_number("320508", dt.date(2019, 9, 9), sequence)


async def wang_applies(web: ServerThread, sandbox: ServerThread) -> tuple[dict[str, Any], str]:
    http = await logged_in(web, sandbox, WANG)
    case = await apply(http, sandbox, "primary", WANG_CHILD, LIU)
    page = await http.get(f"/cases/{case['case_no']}")
    assert page.status_code == 200, page.text
    await http.aclose()
    return case, page.text


async def test_allocation_a_family_ends_qualified_with_category_and_school(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, tmp_path: Path
) -> None:
    with shipped_policy(tmp_path, ALLOCATION):
        case, page = await wang_applies(web, sandbox)
    assert (case["status"], case["outcome"]) == ("qualified", "qualified")
    assert (case["category"], case["school_code"]) == ("A", PINGJIANG_SCHOOL)
    assert case["category_label"].startswith("A类") and case["status_label"] == "资格审核通过"
    assert case["notice_no"] is None and case["notice_url"] is None
    assert case["publish_on"] == "2026-07-10" and case["rank"] == "A类 2020-06-01"
    assert "资格审核通过" in case["explanation"] and "2026年7月10日" in case["explanation"]
    assert "qualify" not in page  # the trace in words: 资格审核通过，待统一安排学位
    for words in ("资格审核通过", "A类", "苏州市平江实验学校", "A类 2020-06-01", "2026年7月10日"):
        assert words in page, words
    async with db.read_session() as session:
        entry = (await session.scalars(select(CohortEntry))).one()
        texts = (await session.scalars(select(Notification.text))).all()
    assert (entry.category, entry.school_code, entry.district_code) == (
        "A",
        PINGJIANG_SCHOOL,
        "320508",
    )
    assert any("资格审核通过" in t for t in texts)


async def test_allocation_a_family_may_withdraw_its_qualified_case(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, tmp_path: Path
) -> None:
    with shipped_policy(tmp_path, ALLOCATION):
        http = await logged_in(web, sandbox, WANG)
        case = await apply(http, sandbox, "primary", WANG_CHILD, LIU)
        confirm = await http.get(f"/cases/{case['case_no']}/withdraw")
        withdrawn = await http.post(f"/api/v1/cases/{case['case_no']}/withdraw")
        await http.aclose()
    assert confirm.status_code == 200 and "放弃本次入学资格" in confirm.text
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    async with db.read_session() as session:  # the run will not place it
        assert (await session.scalars(select(CohortEntry))).all() == []


@pytest.mark.parametrize("toml", [ALLOCATION, AT_SUBMISSION], ids=MODES)
async def test_property_in_use_by_another_family_this_year_sends_the_later_case_to_review(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, tmp_path: Path, toml: str
) -> None:
    other = child_of(stranger(11), "320508198501010019", "320508198601010028")
    await earlier_case(db, other, WANG_HOME)
    with shipped_policy(tmp_path, toml):
        case, page = await wang_applies(web, sandbox)
    assert case["status"] == "manual_review" and "已被其他家庭" in page
    assert "PROPERTY_IN_USE" in case["reasons"] and "已被其他家庭" in case["explanation"]
    assert case["school_code"] is None and case["category"] is None


@pytest.mark.parametrize(("toml", "outcome"), BOTH_MODES, ids=MODES)
async def test_property_in_use_exempts_a_sibling(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, tmp_path: Path,
    toml: str, outcome: str,
) -> None:  # fmt: skip
    elder = child_of(stranger(13), WANG, None)  # same father by the police record
    await earlier_case(db, elder, WANG_HOME)
    with shipped_policy(tmp_path, toml):
        case, _ = await wang_applies(web, sandbox)
    assert (case["status"], case["category"]) == (outcome, "A")
    assert "PROPERTY_IN_USE" not in case["reasons"]


@pytest.mark.parametrize(("toml", "outcome"), BOTH_MODES, ids=MODES)
async def test_seat_locked_by_an_earlier_years_case_goes_on_without_the_property(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, tmp_path: Path,
    toml: str, outcome: str,
) -> None:  # fmt: skip
    other = child_of(stranger(15), "320508198501010019", "320508198601010028")
    await earlier_case(db, other, WANG_HOME, year=2022)
    with shipped_policy(tmp_path, toml):
        case, page = await wang_applies(web, sandbox)
    assert (case["status"], case["category"], case["school_code"]) == (
        outcome,
        "C",
        PINGJIANG_SCHOOL,
    )
    assert "SEAT_LOCKED" in case["reasons"]
    assert "2022年" in case["explanation"] and "2022年" in page


async def test_seat_locked_by_the_bureaus_seat_history_adapter(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    feed(monkeypatch, seat_uses_of=[SeatUse(WANG_HOME, Kin(stranger(17)), 2021, "primary")])
    with shipped_policy(tmp_path, ALLOCATION):
        case, _ = await wang_applies(web, sandbox)
    assert (case["status"], case["category"]) == ("qualified", "C")
    assert "SEAT_LOCKED" in case["reasons"] and "2021年" in case["explanation"]


async def test_seat_locked_not_after_the_lock_years(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, tmp_path: Path
) -> None:
    other = child_of(stranger(19), "320508198501010019", "320508198601010028")
    await earlier_case(db, other, WANG_HOME, year=2020)  # 2026 - 2020 = 6, not < 6
    with shipped_policy(tmp_path, ALLOCATION):
        case, _ = await wang_applies(web, sandbox)
    assert (case["status"], case["category"]) == ("qualified", "A")
    assert "SEAT_LOCKED" not in case["reasons"]


async def test_at_submission_without_cohort_keys_issues_the_notice_as_before(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, tmp_path: Path
) -> None:
    other = child_of(stranger(21), "320508198501010019", "320508198601010028")
    await earlier_case(db, other, WANG_HOME)  # no cohort key: no cross-case rule
    with shipped_policy(tmp_path, "# no cohort keys\n"):
        case, _ = await wang_applies(web, sandbox)
    assert (case["status"], case["category"], case["reasons"]) == ("notice_issued", "A", [])


async def test_allocation_a_desk_case_is_qualified_too(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, tmp_path: Path
) -> None:
    desk = await staff_client(web, "desk-q1", await make_staff(db, "desk-q1", "desk", PINGJIANG))
    with shipped_policy(tmp_path, ALLOCATION):
        registered = await desk.post(
            "/api/v1/staff/offline-cases",
            json={
                "segment": "primary",
                "guardian_id_number": WANG,
                "child_id_number": WANG_CHILD,
                "spouse_id_number": LIU,
                "consent_signed": True,
                "originals_seen": ["HUKOU_BOOKLET", "PROPERTY_CERTIFICATE"],
            },
        )
    await desk.aclose()
    assert registered.status_code == 201, registered.text
    case = registered.json()
    assert (case["status"], case["category"], case["school_code"]) == (
        "qualified",
        "A",
        PINGJIANG_SCHOOL,
    )
    assert case["notice_no"] is None and case["status_label"] == "资格审核通过"
    async with db.read_session() as session:
        assert (await session.scalars(select(CohortEntry.category))).one() == "A"


@pytest.mark.parametrize(
    ("moved_in_on", "rank"),
    [(dt.date(2026, 4, 1), "B类 2020-06-01"), (dt.date(2025, 1, 1), "A类 2025-01-01")],
)
async def test_hukou_before_a_child_moved_in_after_the_cutoff_has_no_counting_hukou(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, moved_in_on: dt.date, rank: str,
) -> None:  # fmt: skip
    """A: the later of the property's registration and the child's moving in."""
    feed(monkeypatch, moved_in_on_of=moved_in_on)
    with shipped_policy(tmp_path, ALLOCATION + 'hukou_before = "03-01"\n'):
        case, _ = await wang_applies(web, sandbox)
    assert (case["status"], case["category"], case["rank"]) == ("qualified", rank[0], rank)


@pytest.mark.parametrize(("cutoff", "category"), [("2020-01-01", "C"), ("2020-06-01", "A")])
async def test_property_before_a_property_registered_after_the_cutoff_does_not_count(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, tmp_path: Path,
    cutoff: str, category: str,
) -> None:  # fmt: skip
    with shipped_policy(tmp_path, ALLOCATION + f'property_before = "{cutoff}"\n'):
        case, _ = await wang_applies(web, sandbox)
    assert (case["status"], case["category"]) == ("qualified", category)
    assert case["school_code"] == PINGJIANG_SCHOOL and case["reasons"] == []


async def test_allocation_materials_completed_at_the_desk_qualify_the_case(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, tmp_path: Path
) -> None:
    """The decision again once nothing is missing (``materials.supplement.redecide``)."""
    guardian, no = await sun_needs_materials(web, sandbox)
    desk = await staff_client(web, "desk-q2", await make_staff(db, "desk-q2", "desk", PINGJIANG))
    with shipped_policy(tmp_path, ALLOCATION):
        seen = await desk.post(f"/api/v1/staff/cases/{no}/originals", json={"materials": BOTH})
        view = (await guardian.get(f"/api/v1/cases/{no}")).json()
    for client in (guardian, desk):
        await client.aclose()
    assert seen.status_code == 200, seen.text
    assert (view["status"], view["channel"], view["school_code"]) == (
        "qualified",
        "online",
        PINGJIANG_SCHOOL,
    )
    assert view["category"] in ("A", "C") and view["rank"].startswith(view["category"])
