"""Load and check a dataset file; a bad file is refused with the first bad path."""

import gc
import re
from pathlib import Path

import msgspec

from ruxue.dataset.rules import first_problem
from ruxue.dataset.schemas import Dataset

DECODER = msgspec.json.Decoder(Dataset)
ERROR_AT = re.compile(r"^(?P<message>.*) - at `\$(?P<path>[^`]*)`$", re.S)


class DatasetError(ValueError):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _error(exc: Exception) -> DatasetError:
    """msgspec says "bad check digit - at `$.persons[3]`"; name the field when the message does."""
    match = ERROR_AT.match(str(exc))
    if not match:
        return DatasetError("(root)", str(exc))
    path, message = match["path"].lstrip("."), match["message"]
    field, sep, rest = message.partition(": ")
    if sep and field.isidentifier():
        path, message = f"{path}.{field}", rest
    if message.startswith("Object missing required field "):
        path, message = f"{path}.{message.rsplit(' ', 1)[-1].strip('`')}", "required field missing"
    return DatasetError(path or "(root)", message)


def parse_dataset(raw: bytes) -> Dataset:
    """Validate JSON bytes; raises DatasetError naming the first bad path."""
    gc.disable()  # millions of new objects: generational GC passes would double the time
    try:
        data = DECODER.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise _error(exc) from None
    finally:
        gc.enable()
    problem = first_problem(data)
    if problem:
        raise DatasetError(*problem)
    return data


def load_dataset(path: Path) -> Dataset:
    return parse_dataset(path.read_bytes())


def summary(data: Dataset) -> dict[str, int]:
    return {key: len(rows) for key, rows in data.sections().items()}
