"""The progress bar of a long CLI run: done of total, children per second, elapsed and ETA."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f} 人/秒" if speed else "- 人/秒")


@contextmanager
def progress_bar(console: Console, label: str = "预审") -> Iterator[Callable[[int, int], None]]:
    """Yields ``show(done, total)``. The first call starts the clock: what an earlier run of a
    resumed run did counts as done, not as speed."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), RateColumn())
    times = (TimeElapsedColumn(), TextColumn("剩余"), TimeRemainingColumn())
    with Progress(*columns, *times, console=console) as bar:
        task = bar.add_task(label, total=None)

        def show(done: int, total: int) -> None:
            if bar.tasks[0].total is None:
                bar.reset(task, total=total, completed=done)
            else:
                bar.update(task, completed=done)

        yield show
