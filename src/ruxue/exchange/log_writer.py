"""Group commit for the call log: concurrent fan-outs hand their rows to one writer task, which
appends everything waiting in a single transaction. One writer per process means no two
transactions of this process fight over the chain head, and a burst costs one commit, not many."""

import asyncio
from collections import defaultdict
from typing import Any

from ruxue.exchange.repository import append_entries
from ruxue.kit.db import Database

Item = tuple[int, list[dict[str, Any]], asyncio.Future[None]]


class CallLogWriter:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.queue: asyncio.Queue[Item] | None = None
        self.task: asyncio.Task[None] | None = None

    async def append(self, chain: int, rows: list[dict[str, Any]]) -> None:
        """Returns once the rows are committed; raises what the commit raised."""
        if self.task is None or self.task.done():
            self.queue = asyncio.Queue()
            self.task = asyncio.create_task(self._run(self.queue))
        assert self.queue is not None
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self.queue.put((chain, rows, done))
        await done

    async def _run(self, queue: asyncio.Queue[Item]) -> None:
        while True:
            batch = [await queue.get()]
            while not queue.empty():
                batch.append(queue.get_nowait())
            await self._write(batch)

    async def _write(self, batch: list[Item]) -> None:
        by_chain: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for chain, rows, _ in batch:
            by_chain[chain].extend(rows)
        try:
            async with self.db.write_session() as session:
                for chain in sorted(by_chain):  # one lock order: no deadlock between processes
                    await append_entries(session, chain, by_chain[chain])
        except Exception as exc:  # the callers decide; the writer keeps running
            for _, _, done in batch:
                if not done.done():
                    done.set_exception(exc)
            return
        for _, _, done in batch:
            if not done.done():
                done.set_result(None)

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
            self.task = None
