"""What the load balancer asks: is the process up (liveness), and can it serve (readiness: the
database answers, the queue answers, the schema is the code's — not while a migration runs, whose
new version is written only when its transaction commits)."""

import asyncio
from collections.abc import Callable
from functools import cache

from alembic.script import ScriptDirectory
from huey import Huey
from sqlalchemy import text

from ruxue.kit.db import Database
from ruxue.kit.migrate import alembic_config

TIMEOUT_S = 2.0


@cache
def code_heads() -> frozenset[str]:
    """The migrations' heads this code was written for."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


async def _schema(db: Database) -> str | None:
    async with db.engine.connect() as connection:
        try:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
        except Exception:
            return "database: no migrations applied"
        found = frozenset(str(r[0]) for r in rows.all())
    if found != code_heads():
        return f"migrations: database at {','.join(sorted(found)) or 'none'}, code at {','.join(sorted(code_heads()))}"
    return None


async def database_problem(db: Database) -> str | None:
    try:
        async with asyncio.timeout(TIMEOUT_S):
            return await _schema(db)
    except TimeoutError:
        return "database: no answer within 2 s"
    except Exception as exc:
        return f"database: unreachable ({type(exc).__name__})"


async def queue_problem(huey: Callable[[], Huey]) -> str | None:
    try:
        async with asyncio.timeout(TIMEOUT_S):
            await asyncio.to_thread(lambda: huey().pending_count())
    except TimeoutError:
        return "queue: no answer within 2 s"
    except Exception as exc:
        return f"queue: unreachable ({type(exc).__name__})"
    return None


async def readiness(db: Database, huey: Callable[[], Huey]) -> list[str]:
    """Why this process cannot serve now; empty when it can."""
    found = await asyncio.gather(database_problem(db), queue_problem(huey))
    return [problem for problem in found if problem]
