"""Load and check a dataset file; a bad file is refused naming its bad paths (the first in the
error's text, up to ``MAX_PROBLEMS`` in ``problems``); nothing of it is loaded."""

import gc
import itertools
import re
from pathlib import Path

import msgspec

from ruxue.dataset.rules import Problem, problems
from ruxue.dataset.schemas import VERSION_2_SECTIONS, Dataset

DECODER = msgspec.json.Decoder(Dataset)
ERROR_AT = re.compile(r"^(?P<message>.*) - at `\$(?P<path>[^`]*)`$", re.S)
MAX_PROBLEMS = 50


class DatasetError(ValueError):
    def __init__(self, path: str, message: str, more: list[Problem] | None = None) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message
        self.problems: list[Problem] = [(path, message), *(more or [])]


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
    found = list(itertools.islice(problems(data), MAX_PROBLEMS))
    if found:
        raise DatasetError(*found[0], more=found[1:])
    if data.version == 1:
        _drop_version_2(data)
    return data


def _drop_version_2(data: Dataset) -> None:
    """A version-1 file decides exactly as before: what only version 2 means is ignored, as any
    unknown key is."""
    for section in VERSION_2_SECTIONS:
        setattr(data, section, [])
    for booklet in data.hukou_booklets:
        for member in booklet.members:
            member.moved_in_on = None
    for status in data.student_status:
        status.school_code = None
    for school in data.schools:
        school.overflow_to = []


def load_dataset(path: Path) -> Dataset:
    return parse_dataset(path.read_bytes())


def summary(data: Dataset) -> dict[str, int]:
    return {key: len(rows) for key, rows in data.sections().items()}
