"""A precheck run in several processes: each takes every Nth pending chunk and runs its own event
loop, database engine and exchange client; the parent counts what they report for the progress
bar. Processes are spawned, not forked: nothing of the parent's loop or connections is shared."""

import asyncio
import multiprocessing
import queue
from collections.abc import Callable, Sequence

from ruxue.exchange.client import ExchangeClient
from ruxue.kit import process
from ruxue.kit.db import Database
from ruxue.kit.errors import Unavailable
from ruxue.precheck.precheck_run import Chunk, RunDir, RunOptions, run_chunks
from ruxue.settings import Settings


class ProcessesFailed(Unavailable):
    code = "precheck_process_failed"


def run_processes(
    settings: Settings,
    options: RunOptions,
    run: RunDir,
    pending: Sequence[Chunk],
    on_done: Callable[[int], None],
) -> None:
    context = multiprocessing.get_context("spawn")
    reports: multiprocessing.Queue[int] = context.Queue()
    workers = [
        context.Process(
            target=work,
            args=(settings, options, run, list(pending[n :: options.processes]), reports),
            name=f"precheck-{n}",
        )
        for n in range(options.processes)
    ]
    for worker in workers:
        worker.start()
    try:
        while any(w.is_alive() for w in workers) or not reports.empty():
            try:
                on_done(reports.get(timeout=0.2))
            except queue.Empty:
                continue
    finally:
        for worker in workers:
            if worker.is_alive():  # the parent stopped first: its workers stop with it
                worker.terminate()
            worker.join()
    failed = [w.name for w in workers if w.exitcode != 0]
    if failed:
        raise ProcessesFailed(
            f"{len(failed)} 个预审进程异常退出；已完成的部分已保存，用相同参数重新运行即可继续。"
        )


def work(
    settings: Settings,
    options: RunOptions,
    run: RunDir,
    chunks: list[Chunk],
    reports: "multiprocessing.Queue[int]",
) -> None:
    """One process's share of the chunks (runs in the spawned process, whose root this is: it
    hands the parent's settings to the kit, as the CLI did in the parent)."""
    process.configure(settings)
    asyncio.run(_work(settings, options, run, chunks, reports))


async def _work(
    settings: Settings,
    options: RunOptions,
    run: RunDir,
    chunks: list[Chunk],
    reports: "multiprocessing.Queue[int]",
) -> None:
    db = Database(settings.resolved_database_url())
    client = ExchangeClient(settings, db)
    chunks_done = asyncio.create_task(run_chunks(db, client, options, run, chunks, reports.put))
    orphaned = asyncio.create_task(_parent_gone())
    try:
        await asyncio.wait((chunks_done, orphaned), return_when=asyncio.FIRST_COMPLETED)
        if not chunks_done.done():  # the parent was killed: a new run must not meet this one
            chunks_done.cancel()
            await asyncio.gather(chunks_done, return_exceptions=True)
            raise SystemExit("precheck parent gone")
        chunks_done.result()
    finally:
        orphaned.cancel()
        await client.aclose()
        await db.dispose()


async def _parent_gone() -> None:
    """Returns when the parent process has gone (its sentinel pipe closes)."""
    parent, gone = multiprocessing.parent_process(), asyncio.Event()
    assert parent is not None, "runs in a spawned worker"
    loop = asyncio.get_running_loop()
    loop.add_reader(parent.sentinel, gone.set)
    try:
        await gone.wait()
    finally:
        loop.remove_reader(parent.sentinel)
