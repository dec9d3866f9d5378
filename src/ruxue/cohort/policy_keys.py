"""The cohort's policy keys, which live with the policy (``ruxue.policy.cohort_keys``): the stored
versions and ``ruxue policy import`` validate with them."""

from ruxue.policy.cohort_keys import DATE_KEYS, CohortPolicy, resolve_date, validate_policy

__all__ = ["DATE_KEYS", "CohortPolicy", "resolve_date", "validate_policy"]
