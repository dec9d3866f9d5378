"""Checks shared by the rules of every dataset version. Pure functions."""

from collections.abc import Iterator, Sequence
from typing import Any

from ruxue.person.rules import IdNumberError, id_number_problem

Problem = tuple[str, str]  # (path, message)


def ref(path: str, value: str, persons: set[str]) -> Iterator[Problem]:
    """A reference that must name a person of the dataset."""
    if value not in persons:
        bad = id_number_problem(value)
        yield path, IdNumberError.ENGLISH[bad] if bad else "no such person"


def id_problem(path: str, value: str) -> Iterator[Problem]:
    """A person who may lie outside the dataset, but with a valid number."""
    if bad := id_number_problem(value):
        yield path, IdNumberError.ENGLISH[bad]


def unique(rows: Sequence[Any], key: str, path: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, row in enumerate(rows):
        value = getattr(row, key)
        if value in seen:
            yield f"{path}[{i}].{key}", f"duplicate {key}"
        seen.add(value)
