"""Load and check a dataset file; a bad file is refused with the first bad path."""

from pathlib import Path

from pydantic import ValidationError

from ruxue.dataset.rules import first_problem
from ruxue.dataset.schemas import DATASET_ADAPTER, Dataset


class DatasetError(ValueError):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def parse_dataset(raw: bytes) -> Dataset:
    """Validate JSON bytes; raises DatasetError naming the first bad path."""
    try:
        data = DATASET_ADAPTER.validate_json(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise DatasetError(format_loc(tuple(first["loc"])), first["msg"]) from None
    problem = first_problem(data)
    if problem:
        raise DatasetError(*problem)
    return data


def load_dataset(path: Path) -> Dataset:
    return parse_dataset(path.read_bytes())


def summary(data: Dataset) -> dict[str, int]:
    return {key: len(value) for key, value in data.items() if isinstance(value, list)}
