"""The run's report as people read it: one row per school, the columns in the order a reviewer
checks them (capacity, places by category, 录取线, overflow, unplaced). Pure."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

HEADINGS = (
    "学校",
    "学位数",
    "此前已占",
    "录取（按类别）",
    "录取线",
    "统筹转入",
    "统筹转出",
    "未安排",
)


@dataclass(frozen=True)
class Row:
    school: str
    capacity: int
    taken_before: int
    by_category: str
    line: str
    overflow_in: int
    overflow_out: int
    unplaced: int

    def cells(self) -> tuple[str, ...]:
        return tuple(str(getattr(self, name)) for name in self.__dataclass_fields__)


class Reported(Protocol):
    """What a row is made of: a dry run's ``SchoolReport`` or a published ``CohortLine``."""

    @property
    def school_code(self) -> str: ...
    @property
    def capacity(self) -> int: ...
    @property
    def taken_before(self) -> int: ...
    @property
    def by_category(self) -> dict[str, int]: ...
    @property
    def line(self) -> str | None: ...
    @property
    def full(self) -> bool: ...
    @property
    def overflow_in(self) -> int: ...
    @property
    def overflow_out(self) -> int: ...
    @property
    def unplaced(self) -> int: ...


def rows(reports: Iterable[Reported], names: Mapping[str, str]) -> list[Row]:
    return [
        Row(
            school=f"{names.get(r.school_code, r.school_code)}（{r.school_code}）",
            capacity=r.capacity,
            taken_before=r.taken_before,
            by_category="，".join(f"{c}类 {n}" for c, n in r.by_category.items()) or "无",
            line=line_text(r.line, r.full),
            overflow_in=r.overflow_in,
            overflow_out=r.overflow_out,
            unplaced=r.unplaced,
        )
        for r in reports
    ]


def line_text(line: str | None, full: bool) -> str:
    if line is None:
        return "无录取"
    return line if full else f"{line}（未满额）"
