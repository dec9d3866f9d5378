"""What a statement costs on SQLite, cut where the driver pays for being asynchronous.

aiosqlite runs each call on its connection's own thread and waits for the answer: a queue, a
wake-up of the event loop, a future, a turn of the GIL. SQLAlchemy's adapter makes four such
calls per statement (open a cursor, execute, fetch the rows, close the cursor) and one per
ROLLBACK; on a request of two reads they were a third of the app's CPU (py-spy, issue 24). Here
a statement is one call, which does those four steps in the thread, and a ROLLBACK is sent only
when a transaction is open. What SQLite does, and what SQLAlchemy sees (rows, description,
rowcount, lastrowid, errors), is unchanged.

Why our own code: neither library offers it (SQLAlchemy's adapter is written for any asyncio
driver, aiosqlite mirrors sqlite3 call for call). It leans on their internals — the adapter's
``_execute_async``/``_execute_mutex``, aiosqlite's ``Connection._execute`` — as pinned in
``constraints.txt``; ``tests/kit/test_sqlite.py`` fails if an upgrade moves them.
"""

import collections
from collections.abc import Sequence
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.engine import Engine
from sqlalchemy.util import EMPTY_DICT


def _run(
    connection: Any, operation: str, parameters: Any, many: bool
) -> tuple[Any, list[Any], int, int | None]:
    """In aiosqlite's thread: the statement from cursor to close, and what it left."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneCallCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, each statement one call to the connection's thread."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no driver cursor: made per statement
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount, self._lastrowid = -1, None
        self._arraysize = 1  # sqlite3's default: what fetchmany() without a size takes

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    async def _call(self, operation: Any, parameters: Any, many: bool) -> None:
        driver = self._connection
        async with self._adapt_connection._execute_mutex:
            answer = await driver._execute(_run, driver._conn, operation, parameters, many)
        self._description, rows, self._rowcount, self._lastrowid = answer
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._call(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> None:
        await self._call(operation, seq_of_parameters, many=True)


class OneCallConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneCallCursor


def fewer_thread_calls(engine: Engine) -> None:
    """Install both on an aiosqlite engine: connections it opens make one call per statement,
    and its dialect rolls back only an open transaction."""

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, record: Any, cargs: Any, cparams: Any) -> Any:
        adapted = dialect.loaded_dbapi.connect(*cargs, **cparams)
        return OneCallConnection(adapted.dbapi, adapted._connection)

    rollback = engine.dialect.do_rollback

    def do_rollback(dbapi_connection: Any) -> None:
        """A read leaves no transaction open (Python's sqlite3 opens one only before a write):
        its ROLLBACK would roll back nothing, yet cost a call to the thread."""
        try:
            open_ = bool(dbapi_connection.driver_connection.in_transaction)
        except Exception:  # closed, or a connection that cannot tell: roll back as before
            open_ = True
        if open_:
            rollback(dbapi_connection)

    engine.dialect.do_rollback = do_rollback  # type: ignore[method-assign]
