"""Cohort decisions over real cases: a district-year's shipped policy file with cohort keys, an
earlier case of another family using a property, and the adapters fed by a test."""

import datetime as dt
import itertools
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ruxue.cases.models import Case
from ruxue.cohort import sources
from ruxue.exchange.records import Person
from ruxue.kit import pii
from ruxue.kit.db import Database
from ruxue.policy import loader
from ruxue.policy import service as policy_service
from ruxue.policy.facts import Facts, write_facts

GUSU, YEAR = "320508", 2026
WANG_HOME = "苏(2020)苏州市不动产权第0000001号"  # the example dataset's 王/刘 family's home
_numbers = itertools.count(1)


@contextmanager
def shipped_policy(tmp: Path, toml: str, district: str = GUSU) -> Iterator[None]:
    """The shipped policy files with ``toml`` as the district's for ``YEAR`` (the app in the test
    process reads them: the web server runs in a thread)."""
    original, root = loader.POLICIES, tmp / "policies"
    shutil.copytree(original, root)
    (root / str(YEAR)).mkdir(exist_ok=True)
    (root / str(YEAR) / f"{district}.toml").write_text(toml)
    loader.load_policy.cache_clear()
    policy_service.shipped_policy.cache_clear()
    loader.POLICIES = root
    try:
        yield
    finally:
        loader.POLICIES = original
        loader.load_policy.cache_clear()
        policy_service.shipped_policy.cache_clear()


def feed(monkeypatch: pytest.MonkeyPatch, **answers: Any) -> None:
    """Each adapter of ``cohort.sources`` named answers with the value given (per ID number when a
    dict is given for a per-person adapter)."""
    for name, value in answers.items():
        missing = None if name == "points_of" else ()

        async def answer(*args: Any, _value: Any = value, _missing: Any = missing) -> Any:
            if isinstance(_value, dict):
                person = next(a for a in args if isinstance(a, str))
                return _value.get(person, _missing)
            return _value

        monkeypatch.setattr(sources, name, answer)


async def earlier_case(
    db: Database,
    child: Person,
    cert_no: str,
    *,
    year: int = YEAR,
    category: str = "A",
    status: str = "notice_issued",
) -> str:
    """A case already decided for ``child`` on the property ``cert_no`` (another channel, another
    day): the cohort rules read it as a use of the property."""
    number = next(_numbers)
    case_no = f"EARLIER-{year}-{number:06d}"
    guardian = child.father_id_number or child.mother_id_number or "320508198001010011"
    case = Case(
        case_no=case_no,
        year=year,
        segment="primary",
        status=status,
        outcome=status,
        district_code=GUSU,
        guardian_index=pii.blind_index(f"{guardian}-{number}"),
        guardian_enc=pii.encrypt(guardian),
        child_index=pii.blind_index(child.id_number),
        child_enc=pii.encrypt(child.id_number),
        chosen_cert=cert_no,
        category=category,
        school_code="3205080101",
        submitted_at=dt.datetime(year, 5, 20, 2, 0, tzinfo=dt.UTC),
    )
    write_facts(case, Facts(year=year, segment="primary", guardian=child, child=child))
    async with db.write_session() as session:
        session.add(case)
    return case_no


def child_of(id_number: str, father: str | None, mother: str | None) -> Person:
    return Person(
        id_number=id_number,
        name="某某",
        gender="M",
        birth_date=dt.date(2019, 10, 1),
        father_id_number=father,
        mother_id_number=mother,
        booklet_no="HK-OTHER",
    )
