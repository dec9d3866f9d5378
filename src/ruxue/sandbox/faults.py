"""Faults on demand, per department: latency (fixed + jitter), error rate, timeouts, outage, and a
hang (the connection is taken, no answer comes until the fault is lifted)."""

import asyncio
import random

from pydantic import BaseModel, Field


class Fault(BaseModel):
    latency_ms: int = Field(default=0, ge=0, le=120_000)
    jitter_ms: int = Field(default=0, ge=0, le=120_000)
    error_rate: float = Field(default=0.0, ge=0, le=1)
    timeout_rate: float = Field(default=0.0, ge=0, le=1)
    outage: bool = False
    hang: bool = False  # every request waits, unanswered, until the fault is lifted


HANG_SECONDS = 120.0


class Faults:
    def __init__(self, seed: int | None = None) -> None:
        self.by_department: dict[str, Fault] = {}
        self.rng = random.Random(seed)

    def set(self, department: str, fault: Fault) -> None:
        self.by_department[department] = fault

    def clear(self) -> None:
        self.by_department.clear()

    async def apply(self, department: str) -> int | None:
        """Wait as the fault says; returns an HTTP status to fail with, or None."""
        fault = self.by_department.get(department)
        if fault is None:
            return None
        if fault.outage:
            return 503
        if fault.hang:
            await self._until_lifted(department, fault)
            return 504
        delay = fault.latency_ms + (self.rng.uniform(0, fault.jitter_ms) if fault.jitter_ms else 0)
        if delay:
            await asyncio.sleep(delay / 1000)
        if fault.timeout_rate and self.rng.random() < fault.timeout_rate:
            await asyncio.sleep(HANG_SECONDS)
            return 504
        if fault.error_rate and self.rng.random() < fault.error_rate:
            return 500
        return None

    async def _until_lifted(self, department: str, fault: Fault) -> None:
        deadline = asyncio.get_running_loop().time() + HANG_SECONDS
        while self.by_department.get(department) is fault:
            if asyncio.get_running_loop().time() > deadline:
                return
            await asyncio.sleep(0.05)
