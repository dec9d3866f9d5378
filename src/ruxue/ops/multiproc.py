"""The directory prometheus-client's multi-process mode shares between the processes of one host
(``serve --workers N`` and the worker). Imports nothing of prometheus-client: the variable must be
set before that library is first imported, which decides its mode once."""

import os
import re
import sys
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
PID = re.compile(r"_(\d+)\.db$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prepare(directory: Path) -> Path:
    """Use ``directory`` for this process and its children, removing the files of processes that
    are gone (a counter restarts from zero at a restart, which ``rate()`` takes as a reset)."""
    if "prometheus_client" in sys.modules and ENV not in os.environ:
        raise RuntimeError(
            "prometheus_client was imported before its multi-process directory was set"
        )
    directory = Path(os.environ.setdefault(ENV, str(directory.resolve())))
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*.db"):
        match = PID.search(path.name)
        if match and not _alive(int(match.group(1))):
            path.unlink(missing_ok=True)
    return directory


def mark_dead(pid: int | None) -> None:
    """A process that ended: its live gauges (pool, breakers) leave the sums."""
    if pid is not None and os.environ.get(ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
