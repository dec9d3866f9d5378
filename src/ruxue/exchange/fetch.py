"""What the cohort rules read from the departments beyond ``domain.md``'s facts: a person's
residence permits (police) and points (the department ``points``). Each look-up is an ``Ask`` (so
it can join a step's concurrent asks or a precheck batch), a reader of its answer, and a fetch that
does both. The hukou member's ``moved_in_on`` and the student status's ``school_code`` come with
the existing ``police.hukou`` and ``xueji.student_status`` answers (``records.py``).

A department that did not answer raises ``NotAnswered`` (503, a message naming it); no record is
an answer: no permit is an empty list, no points ``None``."""

from collections.abc import Sequence
from typing import TypeVar

import msgspec

from ruxue.exchange.client import NO_RECORD, OK, Answer, Ask, CallContext, ExchangeClient
from ruxue.exchange.records import Points, ResidencePermit
from ruxue.exchange.schemas import DEPARTMENT_NAMES
from ruxue.kit.errors import Unavailable

T = TypeVar("T")
PERMIT_FIELDS = ("permit_no", "district_code", "compound_code", "valid_from", "valid_to")


class NotAnswered(Unavailable):
    code = "department_unavailable"


def permits_ask(id_number: str) -> Ask:
    return Ask("police.residence_permits", {"id_number": id_number}, PERMIT_FIELDS)


def points_ask(id_number: str) -> Ask:
    return Ask("points.points", {"id_number": id_number}, ("points", "as_of"))


def _value(answer: Answer, kind: type[T]) -> T | None:
    if answer.outcome == NO_RECORD:
        return None
    if answer.outcome != OK:
        name = DEPARTMENT_NAMES.get(answer.ask.department, answer.ask.department)
        raise NotAnswered(f"{name}暂时无法访问，请稍后重试。", department=answer.ask.department)
    return msgspec.convert(answer.data, kind)


def read_permits(answer: Answer) -> list[ResidencePermit]:
    return _value(answer, list[ResidencePermit]) or []


def read_points(answer: Answer) -> Points | None:
    return _value(answer, Points)


async def fetch_permits(
    client: ExchangeClient, ctx: CallContext, id_number: str
) -> list[ResidencePermit]:
    """The residence permits of a person (居住证), valid or not."""
    return read_permits(await client.ask(ctx, permits_ask(id_number)))


async def fetch_points(client: ExchangeClient, ctx: CallContext, id_number: str) -> Points | None:
    """The points of a person (流动人口积分); None when the department has no record."""
    return read_points(await client.ask(ctx, points_ask(id_number)))


async def fetch_permits_and_points(
    client: ExchangeClient, ctx: CallContext, id_numbers: Sequence[str]
) -> dict[str, tuple[list[ResidencePermit], Points | None]]:
    """Both, for each parent, asked at once (category D reads the guardian's and the spouse's)."""
    asks = [a for i in id_numbers for a in (permits_ask(i), points_ask(i))]
    answers = await client.ask_all(ctx, asks)
    return {
        i: (read_permits(answers[2 * k]), read_points(answers[2 * k + 1]))
        for k, i in enumerate(id_numbers)
    }
