"""Where the decision reads a district-year's cohort policy (``cohort.md``, "Policy keys").

For now the shipped policy files' cohort keys (``policy/policies/default.toml`` and
``policy/policies/{Y}/{district}.toml``), else the defaults (``at_submission``, no rule). The
stored policy versions (``ruxue policy import``) replace ``cohort_policy_of``'s body."""

import tomllib
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cohort.policy_keys import CohortPolicy, validate_policy
from ruxue.policy import loader

KEYS = frozenset(CohortPolicy.model_fields) - {"year"}


async def cohort_policy_of(session: AsyncSession, district: str, year: int) -> CohortPolicy:
    """The cohort policy in force for the district and year (``session``: for the stored
    versions; the shipped files need none)."""
    found = validate_policy(shipped_keys(district, year), year)
    if isinstance(found, list):
        raise ValueError(f"policy file for {district} {year}: {'; '.join(found)}")
    return found


def shipped_keys(district: str, year: int) -> dict[str, Any]:
    """The cohort keys of the shipped files, the district's over the default's."""
    keys: dict[str, Any] = {}
    for path in (
        loader.POLICIES / "default.toml",
        loader.POLICIES / str(year) / f"{district}.toml",
    ):
        if path.exists():
            data = tomllib.loads(path.read_text())
            keys.update({k: v for k, v in data.items() if k in KEYS})
    return keys


def rules_set(policy: CohortPolicy) -> bool:
    """Some cohort key is set for the district-year: the cohort rules decide the category (else
    ``domain.md``'s rules alone, exactly as before)."""
    return bool(policy.model_fields_set - {"year"})
