"""Which tests the PostgreSQL pass runs (tests/support/passes.py)."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest

from tests.support import passes

TESTS = Path(__file__).resolve().parent


@dataclass
class Item:
    """What passes reads of a collected test."""

    fixturenames: list[str]
    function: Any
    path: Path = TESTS / "cases" / "test_x.py"
    marks: set[str] = field(default_factory=set)

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self.marks else None


def collected(
    fixturenames: list[str],
    function: Any,
    path: Path | None = None,
    marks: frozenset[str] = frozenset(),
) -> pytest.Item:
    found = Item(fixturenames, function, path or TESTS / "cases" / "test_x.py", set(marks))
    return cast(pytest.Item, found)


def pure(value: int) -> None: ...


def asks_for_the_url(database_url: str) -> None: ...


AUTOUSE = ["settings", "database_url", "wired"]  # every test has these through autouse fixtures


def test_a_database_fixture_anywhere_in_the_closure_puts_a_test_in() -> None:
    for name in passes.DATABASE_FIXTURES:
        assert passes.in_postgresql_pass(collected([*AUTOUSE, name], pure))


def test_the_autouse_fixtures_alone_leave_a_test_out() -> None:
    assert not passes.in_postgresql_pass(collected(AUTOUSE, pure))


def test_asking_for_database_url_or_the_mark_puts_a_test_in() -> None:
    assert passes.in_postgresql_pass(collected(AUTOUSE, asks_for_the_url))
    marked = collected(AUTOUSE, pure, marks=frozenset({"database"}))
    assert passes.in_postgresql_pass(marked)


@pytest.mark.parametrize(
    "item",
    [
        collected([*AUTOUSE, "web"], pure, path=TESTS / "browser" / "test_walk.py"),
        collected([*AUTOUSE, "web"], pure, marks=frozenset({"once"})),
    ],
)
def test_browser_walks_run_once(item: pytest.Item) -> None:
    assert passes.uses_the_database(item)
    assert not passes.in_postgresql_pass(item)
