"""Which stages a trace event reports."""

import pytest

from ruxue.county.rules import stages_of


@pytest.mark.parametrize(
    ("action", "status", "submitted", "stages"),
    [
        ("submit", "notice_issued", True, [("apply", "")]),
        ("desk_consent", "notice_issued", True, [("apply", "")]),
        ("decide", "notice_issued", True, [("accept", ""), ("done", "notice_issued")]),
        ("decide", "manual_review", True, [("accept", ""), ("process", "manual_review")]),
        ("review_reject", "rejected", True, [("accept", ""), ("done", "rejected")]),
        (
            "review_request_materials",
            "needs_materials",
            True,
            [("accept", ""), ("process", "needs_materials")],
        ),
        ("withdraw", "withdrawn", True, [("done", "withdrawn")]),
        ("withdraw", "withdrawn", False, []),  # a draft withdrawn was never applied for
        ("fetch", "draft", False, []),
        ("rated", "notice_issued", True, []),
    ],
)
def test_stages_of(
    action: str, status: str, submitted: bool, stages: list[tuple[str, str]]
) -> None:
    assert stages_of(action, status, submitted) == stages
