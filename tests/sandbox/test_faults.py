"""The sandbox's ``hang`` fault: a request is taken and not answered until the fault is lifted."""

import asyncio

from ruxue.sandbox.faults import Fault, Faults


async def test_a_hanging_department_answers_only_once_the_fault_is_lifted() -> None:
    faults = Faults(seed=1)
    faults.set("health", Fault(hang=True))
    waiting = asyncio.create_task(faults.apply("health"))
    done, _ = await asyncio.wait({waiting}, timeout=0.3)
    assert not done  # still unanswered
    faults.set("health", Fault())
    assert await asyncio.wait_for(waiting, timeout=2) == 504
    assert await faults.apply("health") is None  # lifted: answered at once


async def test_other_departments_do_not_hang() -> None:
    faults = Faults(seed=1)
    faults.set("health", Fault(hang=True))
    assert await asyncio.wait_for(faults.apply("police"), timeout=1) is None
    faults.clear()
