"""The cohort's policy in force per district and year, and the bureau's imports of it.

The newest imported version is in force; with none, the keys of the shipped files
(``policies/default.toml`` and ``policies/{Y}/{district}.toml``); a key set nowhere has its
default. Both functions join the caller's transaction (they only ``flush()``)."""

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.kit.clock import now_of
from ruxue.kit.errors import RuxueError
from ruxue.policy import repository
from ruxue.policy.cohort_keys import CohortPolicy, read_policy_file, validate_policy
from ruxue.policy.loader import shipped_data
from ruxue.policy.models import PolicyVersion
from ruxue.reference.districts import ISSUERS

COHORT_KEYS = tuple(k for k in CohortPolicy.model_fields if k != "year")
# (district, year) -> (digest of the version in force, its policy); checked by one small SELECT
_CACHE: dict[tuple[str, int], tuple[str, CohortPolicy]] = {}


class PolicyRefused(RuxueError):
    """A policy file that may not be stored: ``errors`` names every bad key or value."""

    code = "policy_refused"
    title = "政策文件有误"

    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Checked:
    """The digest of a district-year's version in force (None: none imported), read with another
    row (``repository.digest_in_force``): ``cohort_policy`` then sends no statement of its own."""

    district: str
    year: int
    digest: str | None


@dataclass(frozen=True)
class Imported:
    version: PolicyVersion
    new: bool  # False: the file's keys are those of the version already in force


@dataclass(frozen=True)
class InForce:
    policy: CohortPolicy
    version: PolicyVersion | None  # None: the shipped files' keys (or the defaults)


async def import_policy(
    session: AsyncSession, district: str, year: int, text: str, source_name: str, by: str
) -> Imported:
    """Validate a file and store it as the next version (nothing stored if any key is bad; the
    same keys as the version in force store nothing new). The caller audits and commits."""
    policy = _readable(district, year, text)
    keys = policy.model_dump(mode="json", exclude={"year"}, exclude_unset=True)
    digest = digest_of(keys)
    current = await repository.latest(session, district, year)
    if current is not None and current.digest == digest:
        return Imported(current, new=False)
    row = PolicyVersion(
        district_code=district,
        year=year,
        source_name=source_name[:200],
        toml_text=text,
        keys=keys,
        digest=digest,
        imported_by=by[:60],
        imported_at=now_of(session),
        version=await repository.next_version(session, district, year),
    )
    session.add(row)
    await session.flush()
    _CACHE[(district, year)] = (digest, policy)
    return Imported(row, new=True)


def _readable(district: str, year: int, text: str) -> CohortPolicy:
    errors = [] if district in ISSUERS else [f"--district：{district!r} 不是本市的区县代码"]
    if not 2000 <= year <= 2100:
        errors.append(f"--year：{year!r} 不是有效的年度")
    found = read_policy_file(text, year)
    if errors or isinstance(found, list):
        raise PolicyRefused(errors + (found if isinstance(found, list) else []))
    return found


async def cohort_policy(
    session: AsyncSession, district: str, year: int, checked: Checked | None = None
) -> CohortPolicy:
    """The policy in force (read per case on the peak day: one small SELECT when cached, none
    when the caller ``checked`` the version of this district and year in a read of its own)."""
    if checked is not None and (checked.district, checked.year) == (district, year):
        digest = checked.digest
    else:
        digest = await repository.latest_digest(session, district, year)
    if digest is None:
        return shipped_policy(district, year)
    cached = _CACHE.get((district, year))
    if cached is not None and cached[0] == digest:
        return cached[1]
    return (await in_force(session, district, year)).policy


async def in_force(session: AsyncSession, district: str, year: int) -> InForce:
    """The policy in force and the version it comes from."""
    row = await repository.latest(session, district, year)
    if row is None:
        return InForce(shipped_policy(district, year), None)
    policy = stored_policy(row)
    _CACHE[(district, year)] = (row.digest, policy)
    return InForce(policy, row)


def stored_policy(row: PolicyVersion) -> CohortPolicy:
    found = validate_policy(row.keys, row.year)
    if isinstance(found, list):  # stored only after validation: a changed model would show here
        raise RuntimeError(f"stored policy {row.district_code}/{row.year} v{row.version}: {found}")
    return found


@lru_cache(maxsize=256)
def shipped_policy(district: str, year: int) -> CohortPolicy:
    """The cohort keys of the shipped files (the defaults where they set none)."""
    data = shipped_data(year, district)
    found = validate_policy({k: v for k, v in data.items() if k in COHORT_KEYS}, year)
    if isinstance(found, list):  # a shipped file is part of the release: a bad one is a bug
        raise RuntimeError(f"policies/{year}/{district}.toml: {found}")
    return found


def digest_of(keys: dict[str, object]) -> str:
    text = json.dumps(keys, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
