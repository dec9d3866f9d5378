"""Demo and benchmark data only: the status fields of a case row written straight into the table
in bulk (``dashboard.seed``). No subscriber hears of these rows, no trace event is checked against
the transition table: real cases move through ``cases.lifecycle``."""

from ruxue.cases.status import FINAL, OUTCOMES, Status


def seeded_status(status: Status) -> dict[str, object]:
    """``status`` and the ``outcome`` a case in it has (none before a decision)."""
    if status not in (Status.DRAFT, *OUTCOMES):
        raise ValueError(f"a seeded case is a draft or decided, not {status}")
    return {"status": status.value, "outcome": None if status == Status.DRAFT else status.value}


def decided_for_good(status: str) -> bool:
    return status in FINAL
