"""Which reporting stages (申报, 受理, 办理, 办结) a trace event of a case makes; the backoff of
a delivery retried (the relay's, and the provider's back-channel logouts). Pure but for the
jitter's random draw."""

import random

STAGES = {"apply": "申报", "accept": "受理", "process": "办理", "done": "办结"}
ITEM_CODE = "320500-JY-RX-001"  # 义务教育入学报名 in the city's item catalogue (configurable)
ITEM_VERSION = "1"
IN_PROCESS = ("manual_review", "needs_materials")
FINISHED = ("notice_issued", "rejected", "withdrawn")
DECIDING = ("decide", "review_approve", "review_reject", "review_request_materials")


def stages_of(action: str, status: str, submitted: bool) -> list[tuple[str, str]]:
    """The (stage, result) pairs the event ``action`` reports for a case now in ``status``.
    申报 when the guardian submits (online) or the desk registers (offline); 受理 with the first
    decision of any channel; 办理 while a reviewer or missing materials hold it; 办结 with the
    final document or a withdrawal after submission. A stage reported again is a new version."""
    if action in ("submit", "desk_consent"):
        return [("apply", "")]
    if action in DECIDING:
        tail = ("process", status) if status in IN_PROCESS else ("done", status)
        return [("accept", ""), tail] if status in IN_PROCESS + FINISHED else [("accept", "")]
    if action == "withdraw" and submitted:
        return [("done", "withdrawn")]
    return []


BACKOFF_CAP_S = 3600.0


def backoff_s(attempts: int, base_s: float) -> float:
    """The wait before the next try after ``attempts`` failed ones: exponential, capped at an
    hour, with full jitter (uniform in [0, cap]) so that retries of many rows spread out."""
    return random.uniform(0, min(BACKOFF_CAP_S, base_s * 2 ** (attempts - 1)))
