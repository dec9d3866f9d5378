"""The queue's depth and the age of its oldest job per kind, read back from the queue itself: a
job's id records when it was enqueued, and a retry keeps it."""

import time
import uuid

from huey import MemoryHuey

from ruxue.ops.jobs import enqueued_at, install, queue_state


def test_depth_and_age_per_kind() -> None:
    huey = MemoryHuey("jobs-test", immediate=False)
    install(huey)
    install(huey)  # once per queue, however often the roots ask

    @huey.task()
    def build(case_no: str) -> str:
        return case_no

    @huey.task()
    def deliver() -> None:
        return None

    before = time.time()
    build("RX2026P0123456789")
    build("RX2026P0123456790")
    deliver()
    state = queue_state(huey, now=before + 60)
    assert dict(state.depth) == {"build": 2, "deliver": 1}
    assert 59 <= state.oldest_s["build"] <= 61 and 59 <= state.oldest_s["deliver"] <= 61


def test_an_id_from_elsewhere_has_no_time_and_a_stamped_one_keeps_it() -> None:
    assert enqueued_at(str(uuid.uuid4())) is None
    assert enqueued_at("not-a-uuid") is None
    stamped = str(uuid.uuid1())
    assert abs((enqueued_at(stamped) or 0) - time.time()) < 5
