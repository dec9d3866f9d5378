"""What the staff API answers about a case: its codes, each with its Chinese label beside it."""

from ruxue.cases.models import Case
from ruxue.policy.explain import labels

SUMMARY = (
    "case_no",
    "year",
    "segment",
    "channel",
    "status",
    "school_code",
    "category",
    "reasons",
    "missing",
    "explanation",
    "notice_no",
    "child_name_masked",
)


def case_summary(case: Case) -> dict[str, object]:
    """The case's codes, each with its Chinese label beside it (``status`` and ``status_label``)."""
    return {**{k: getattr(case, k) for k in SUMMARY}, **labels(case)}
