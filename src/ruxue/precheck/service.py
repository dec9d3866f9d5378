"""A precheck run over a whole cohort: split into chunks (``precheck_run``), in this process or in
several (``precheck_processes``), resumed where a stopped run left off; the CSV at the end."""

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from ruxue.exchange.client import ExchangeClient
from ruxue.kit.db import Database
from ruxue.precheck.precheck import cohort
from ruxue.precheck.precheck_processes import run_processes
from ruxue.precheck.precheck_run import RunDir, RunOptions, identity, run_chunks


async def precheck(
    db: Database,
    client: ExchangeClient,
    options: RunOptions,
    out: Path,
    progress: Callable[[int, int], None] | None = None,
) -> Counter[str]:
    """Assess the cohort into ``out`` (CSV); ``progress(done, total)`` after every chunk."""
    children = (await cohort(client, options.year, options.segment))[: options.limit]
    run = RunDir.beside(out)
    run.open(identity(options, children))
    size = options.batch_size
    chunks = [(n, children[i : i + size]) for n, i in enumerate(range(0, len(children), size))]
    pending = [(n, c) for n, c in chunks if not run.done(n)]
    done = len(children) - sum(len(c) for _, c in pending)
    report = progress or (lambda done, total: None)
    report(done, len(children))

    def on_done(count: int) -> None:
        nonlocal done
        done += count
        report(done, len(children))

    if options.processes > 1 and len(pending) > 1:
        await asyncio.to_thread(run_processes, client.settings, options, run, pending, on_done)
    else:
        await run_chunks(db, client, options, run, pending, on_done)
    return run.assemble(out)
