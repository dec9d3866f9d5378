"""Where the decision reads a district-year's cohort policy (``cohort.md``, "Policy keys"): the
latest version the bureau imported (``ruxue policy import``), else the shipped files' cohort keys,
else the defaults (``at_submission``, no rule) — ``policy.service.cohort_policy``."""

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cohort.policy_keys import CohortPolicy
from ruxue.policy import service as policy_service
from ruxue.policy.service import Checked


async def cohort_policy_of(
    session: AsyncSession, district: str, year: int, checked: Checked | None = None
) -> CohortPolicy:
    """The cohort policy in force for the district and year (``checked``: its version, read
    with the case)."""
    return await policy_service.cohort_policy(session, district, year, checked)


def rules_set(policy: CohortPolicy) -> bool:
    """Some cohort key is set for the district-year: the cohort rules decide the category (else
    ``domain.md``'s rules alone, exactly as before)."""
    return bool(policy.model_fields_set - {"year"})
