"""Exit 0 when the PostgreSQL URL given accepts a connection within five seconds."""

import asyncio
import sys

import asyncpg


async def main(url: str) -> int:
    try:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"), timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        print(f"PostgreSQL: {exc}", file=sys.stderr)
        return 1
    await conn.close()
    return 0


sys.exit(asyncio.run(main(sys.argv[1])))
