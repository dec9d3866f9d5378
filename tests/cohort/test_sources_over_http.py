"""Over HTTP, against a version-2 sandbox: the cohort's facts come from their real sources (the
police's residence permits, the points department, 人社, the hukou's ``moved_in_on``, the bureau's
seat history and priority list), asked during the family's department fetch, and a real family
gets its real category."""

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from ruxue.cohort.models import CohortEntry
from ruxue.cohort.policy_keys import CohortPolicy
from ruxue.cohort.rank import rank_key
from ruxue.cohort.repository import candidate_of
from ruxue.dataset.service import parse_dataset
from ruxue.kit.db import Database
from ruxue.person.rules import make_id_number
from ruxue.sandbox.app import create_sandbox_app
from ruxue.settings import Settings
from tests.support.cohort_cases import WANG_HOME, shipped_policy
from tests.support.dataset import NEW_CITIZENS, example_v2
from tests.support.flow import apply
from tests.support.helpers import ServerThread, free_port
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in

ALLOCATION = 'placement = "allocation"\npublish_on = "07-10"\nseat_lock_years = { primary = 6 }\n'
FATHER, MOTHER, NEW_CHILD = NEW_CITIZENS
SUN, SUN_CHILD = "320508198603030110", "320508202002020311"  # on the military priority list
LI, LI_CHILD = "320508199105060629", "320508201911200446"  # moved in on 2026-03-15
SUN_HOME = "苏(2019)苏州市不动产权第0000066号"
ELDER = make_id_number("320508", dt.date(2016, 10, 15), 31)  # 王小明's elder brother
STRANGER = make_id_number("320508", dt.date(2017, 3, 3), 33)
PINGJIANG_SCHOOL = "3205080101"
PERMIT_SERVICES = {"police.residence_permits", "points.points", "hrss.social_insurance"}


def city() -> dict[str, Any]:
    """``example_v2`` with 王小明's elder brother in the family's booklet and 孙's home registered
    after 王's (so that only the priority list puts 孙浩宇 first)."""
    data = example_v2()
    data["persons"].append(
        {
            "id_number": ELDER,
            "name": "王小刚",
            "gender": "M",
            "birth_date": "2016-10-15",
            "father_id_number": WANG,
            "mother_id_number": LIU,
            "booklet_no": "HK320508000001",
        }
    )
    data["hukou_booklets"][0]["members"].append({"id_number": ELDER, "relation": "子"})
    sun_home = next(p for p in data["properties"] if p["cert_no"] == SUN_HOME)
    sun_home["registered_on"] = "2021-01-01"
    data["seat_history"] = [s for s in data["seat_history"] if s["cert_no"] != SUN_HOME]
    return data


@pytest.fixture(scope="module")
def v2(settings: Settings) -> Iterator[tuple[ServerThread, ServerThread]]:
    """A version-2 sandbox and an app whose departments and login are that sandbox."""
    from ruxue.web.app import create_app

    sandbox_port, web_port = free_port(), free_port()
    base = f"http://127.0.0.1:{sandbox_port}"
    data = parse_dataset(json.dumps(city()).encode())
    local = settings.model_copy(
        update={
            "public_url": f"http://127.0.0.1:{web_port}",
            "exchange_url": f"{base}/exchange",
            "idp_url": f"{base}/idp",
            "sms_url": f"{base}/_sandbox/sms",
        }
    )
    with (
        ServerThread(create_sandbox_app(data, settings, base), sandbox_port) as sandbox,
        ServerThread(create_app(local), web_port) as web,
    ):
        yield web, sandbox


async def bureau(db: Database, seats: list[dict[str, Any]] | None = None) -> None:
    """The schools and the bureau's records (seat history, priority list) of the city."""
    from ruxue.schools.service import import_schools

    data = city()
    if seats is not None:
        data["seat_history"] = seats
    async with db.write_session() as session:
        await import_schools(session, parse_dataset(json.dumps(data).encode()))


async def applies(
    v2: tuple[ServerThread, ServerThread], guardian: str, child: str, spouse: str | None
) -> tuple[dict[str, Any], set[str]]:
    """The family applies online; the case and the services the sandbox answered meanwhile."""
    web, sandbox = v2
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        before = len((await http.get("/_sandbox/calls", params={"limit": 2000})).json())
    client = await logged_in(web, sandbox, guardian)
    case = await apply(client, sandbox, "primary", child, spouse)
    await client.aclose()
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        calls = (await http.get("/_sandbox/calls", params={"limit": 2000})).json()
    return case, {c["service"] for c in calls[: len(calls) - before]}


def seat(child: str, year: int) -> dict[str, Any]:
    return {
        "cert_no": WANG_HOME,
        "child_id_number": child,
        "year": year,
        "segment": "primary",
        "school_code": PINGJIANG_SCHOOL,
    }


async def test_a_new_citizen_family_ends_d_with_its_points_in_the_rank_key(
    v2: tuple[ServerThread, ServerThread], db: Database, tmp_path: Path
) -> None:
    """Hukou in 武汉, no home: the father's permit (2024-03-01, 姑苏区), 30 months of insurance
    and 132.5 points make the family D; the district is the permit's."""
    await bureau(db)
    with shipped_policy(tmp_path, ALLOCATION):
        case, asked = await applies(v2, FATHER, NEW_CHILD, MOTHER)
    assert (case["status"], case["category"], case["school_code"]) == (
        "qualified",
        "D",
        PINGJIANG_SCHOOL,
    )
    assert case["rank"] == "D类 132.5分 居住证 2024-03-01"
    assert asked >= PERMIT_SERVICES
    async with db.read_session() as session:
        entry = (await session.scalars(select(CohortEntry))).one()
    assert (entry.district_code, entry.candidate["points"]) == ("320508", 132.5)


async def test_no_cohort_key_asks_no_permit_points_or_insurance(
    v2: tuple[ServerThread, ServerThread], db: Database, tmp_path: Path
) -> None:
    await bureau(db)
    with shipped_policy(tmp_path, "# no cohort keys\n"):
        case, asked = await applies(v2, WANG, WANG_CHILD, LIU)
    assert (case["status"], case["category"]) == ("notice_issued", "A")
    assert not asked & PERMIT_SERVICES


@pytest.mark.parametrize(
    ("earlier_child", "status", "category"),
    [(STRANGER, "qualified", "C"), (ELDER, "qualified", "A")],
    ids=["another-family", "elder-brother"],
)
async def test_a_home_that_gave_a_seat_two_years_ago_is_seat_locked_by_the_bureaus_history(
    v2: tuple[ServerThread, ServerThread],
    db: Database,
    tmp_path: Path,
    earlier_child: str,
    status: str,
    category: str,
) -> None:
    """The seat history names only the earlier child: another family's child locks the home, the
    family's own elder son (its booklet, same father) does not."""
    await bureau(db, [seat(earlier_child, 2024)])
    with shipped_policy(tmp_path, ALLOCATION):
        case, _ = await applies(v2, WANG, WANG_CHILD, LIU)
    assert (case["status"], case["category"]) == (status, category)
    locked = "SEAT_LOCKED" in case["reasons"]
    assert locked == (earlier_child == STRANGER)
    assert ("2024年" in case["explanation"]) == locked


async def test_a_priority_child_ranks_first(
    v2: tuple[ServerThread, ServerThread], db: Database, tmp_path: Path
) -> None:
    """孙浩宇 (military list) ranks before 王小明, whose A date is earlier."""
    await bureau(db, seats=[])
    toml = ALLOCATION + 'priority_groups = ["military"]\n'
    with shipped_policy(tmp_path, toml):
        wang, _ = await applies(v2, WANG, WANG_CHILD, LIU)
        sun, _ = await applies(v2, SUN, SUN_CHILD, None)
    assert (wang["category"], sun["category"]) == ("A", "A")
    assert sun["rank"] == "优先群体 军人子女 A类 2021-01-01"
    async with db.read_session() as session:
        entries = (await session.scalars(select(CohortEntry))).all()
    found = {e.case_id: candidate_of(str(e.case_id), e.candidate) for e in entries}
    by_child = {c.id_number: c for c in found.values()}
    assert [(p.group, p.district_code) for p in by_child[SUN_CHILD].priorities] == [
        ("military", "320508")
    ]
    with_groups = CohortPolicy(year=2026, priority_groups=("military",))
    without = CohortPolicy(year=2026)
    for policy, first in ((with_groups, SUN_CHILD), (without, WANG_CHILD)):
        ranked = sorted(found.values(), key=lambda c: rank_key(policy, c, "ab", "320508"))
        assert ranked[0].id_number == first


@pytest.mark.parametrize(
    ("hukou_before", "status", "category"),
    [("03-01", "manual_review", None), ("04-01", "qualified", "C")],
)
async def test_a_child_moved_in_after_hukou_before_is_not_c(
    v2: tuple[ServerThread, ServerThread],
    db: Database,
    tmp_path: Path,
    hukou_before: str,
    status: str,
    category: str | None,
) -> None:
    """李思琪 moved into her booklet on 2026-03-15 (the police's hukou answer); no home."""
    await bureau(db)
    with shipped_policy(tmp_path, ALLOCATION + f'hukou_before = "{hukou_before}"\n'):
        case, _ = await applies(v2, LI, LI_CHILD, None)
    assert (case["status"], case["category"]) == (status, category)
    assert ("NO_CATCHMENT" in case["reasons"]) == (category is None)


async def test_a_new_citizen_family_registered_at_the_desk_ends_d(
    v2: tuple[ServerThread, ServerThread], db: Database, tmp_path: Path
) -> None:
    """The desk gathers with the same asks (``cohort.gather.fetch_cohort``)."""
    from tests.support.staff import make_staff, staff_client

    await bureau(db)
    web, _ = v2
    desk = await staff_client(web, "desk-d1", await make_staff(db, "desk-d1", "desk", "3205080101"))
    application = {
        "segment": "primary",
        "guardian_id_number": FATHER,
        "child_id_number": NEW_CHILD,
        "spouse_id_number": MOTHER,
        "consent_signed": True,
        "originals_seen": ["HUKOU_BOOKLET"],
    }
    with shipped_policy(tmp_path, ALLOCATION):
        registered = await desk.post("/api/v1/staff/offline-cases", json=application)
    await desk.aclose()
    assert registered.status_code == 201, registered.text
    case = registered.json()
    assert (case["status"], case["category"], case["school_code"]) == (
        "qualified",
        "D",
        PINGJIANG_SCHOOL,
    )
