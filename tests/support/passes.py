"""Which tests the PostgreSQL pass runs, and a check in the SQLite pass that keeps the choice honest.

``scripts/test.sh`` runs the whole suite on SQLite, then again on PostgreSQL with
``RUXUE_TEST_DATABASE_URL``. The second pass proves only what depends on the database, so it
runs the tests that use the database under test: those that request one of ``DATABASE_FIXTURES``
(directly or through another fixture), request ``database_url`` themselves, or are marked
``database``. The rest (pure rules, the sandbox alone, command lines on a database of their own,
file formats) would run the same code twice; they run once, in the SQLite pass. The browser
walks (``tests/browser/`` and the tests marked ``once``) run once too although they use the
database: they drive, in Chromium, pages whose queries and writes the HTTP tests prove on both
databases.

The check: in the SQLite pass every statement on the database under test is attributed to the
running test; a test left out of the PostgreSQL pass that runs one fails and says how to put it
in (request ``db``, or mark it ``database``). ``RUXUE_TEST_ALL_PASSES=1`` runs every test on
PostgreSQL as well.
"""

import inspect
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine

DATABASE_FIXTURES = frozenset(
    {"db", "schools", "web", "county", "standard", "cli_env", "archive_env"}
)
ALL_PASSES = "RUXUE_TEST_ALL_PASSES"
BROWSER = Path(__file__).resolve().parents[1] / "browser"

_touched = pytest.StashKey[list[str]]()


def on_postgresql() -> bool:
    return os.environ.get("RUXUE_TEST_DATABASE_URL", "").startswith("postgresql")


def uses_the_database(item: pytest.Item) -> bool:
    """The test needs the database under test (before its ``once`` mark is read)."""
    if item.get_closest_marker("database"):
        return True
    closure = set(getattr(item, "fixturenames", ()))
    function = getattr(item, "function", None)
    direct = inspect.signature(function).parameters if function is not None else {}
    return bool(closure & DATABASE_FIXTURES) or "database_url" in direct


def runs_once(item: pytest.Item) -> bool:
    return item.get_closest_marker("once") is not None or BROWSER in Path(item.path).parents


def in_postgresql_pass(item: pytest.Item) -> bool:
    return uses_the_database(item) and not runs_once(item)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not on_postgresql() or os.environ.get(ALL_PASSES) == "1":
        return
    keep = [item for item in items if in_postgresql_pass(item)]
    left = [item for item in items if not in_postgresql_pass(item)]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = keep


@pytest.fixture(scope="session", autouse=True)
def statements_seen(database_url: str) -> Iterator[None]:
    """In the SQLite pass, note each statement run on the database under test (not on a
    database a test makes for itself)."""
    if on_postgresql():
        yield
        return
    path = make_url(database_url).database

    def seen(conn: Any, *args: Any) -> None:
        running = _running.get("test")
        if running is not None and conn.engine.url.database == path:
            running.stash.setdefault(_touched, []).append(args[1][:80])

    event.listen(Engine, "before_cursor_execute", seen)
    yield
    event.remove(Engine, "before_cursor_execute", seen)


_running: dict[str, pytest.Item] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    _running["test"] = item
    try:
        result = yield
    finally:
        _running.pop("test", None)
    statements = item.stash.get(_touched, [])
    if statements and not uses_the_database(item):
        pytest.fail(
            f"{item.nodeid} ran {len(statements)} statement(s) on the database under test "
            f"(first: {statements[0]!r}) but the PostgreSQL pass leaves it out: request the db "
            "fixture or mark it @pytest.mark.database (tests/support/passes.py)",
            pytrace=False,
        )
    return result
