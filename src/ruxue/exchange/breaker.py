"""A circuit breaker per department.

Written here rather than taken from pybreaker (no asyncio support) or aiobreaker (unmaintained):
the state machine is a few lines, and an injectable clock lets tests move time without sleeping.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


@dataclass
class Breaker:
    failures_to_open: int
    reset_after_s: float
    clock: Callable[[], float] = time.monotonic
    state: str = CLOSED
    failures: int = 0
    opened_at: float = 0.0
    trial_running: bool = field(default=False)

    def allow(self) -> bool:
        """May a call go out now? In half-open state one trial call at a time."""
        if self.state == OPEN and self.clock() - self.opened_at >= self.reset_after_s:
            self.state, self.trial_running = HALF_OPEN, False
        if self.state == CLOSED:
            return True
        if self.state == HALF_OPEN and not self.trial_running:
            self.trial_running = True
            return True
        return False

    def succeeded(self) -> None:
        self.state, self.failures, self.trial_running = CLOSED, 0, False

    def failed(self) -> None:
        self.failures += 1
        if self.state == HALF_OPEN or self.failures >= self.failures_to_open:
            self.state, self.opened_at, self.trial_running = OPEN, self.clock(), False


class Breakers:
    def __init__(
        self,
        failures_to_open: int,
        reset_after_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures_to_open, self.reset_after_s, self.clock = (
            failures_to_open,
            reset_after_s,
            clock,
        )
        self.by_department: dict[str, Breaker] = {}

    def __getitem__(self, department: str) -> Breaker:
        if department not in self.by_department:
            self.by_department[department] = Breaker(
                self.failures_to_open, self.reset_after_s, self.clock
            )
        return self.by_department[department]
