"""Which reporting stages (申报, 受理, 办理, 办结) a trace event of a case makes; the backoff of
a delivery retried (the relay's, and the provider's back-channel logouts); which system takes a
child's application, the city or its district's county system. Pure but for the jitter's random
draw."""

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from ruxue.cases.status import FINISHED, IN_PROCESS, Action, Status
from ruxue.policy.explain import STATUSES
from ruxue.reference.districts import district_label

STAGES = {"apply": "申报", "accept": "受理", "process": "办理", "done": "办结"}
ITEM_CODE = "320500-JY-RX-001"  # 义务教育入学报名 in the city's item catalogue (configurable)
ITEM_VERSION = "1"
# a qualified case (allocation) is accepted (受理) and waits for the run, which reports 办结
DECIDING = (Action.DECIDE, Action.APPROVE, Action.REJECT, Action.REQUEST_MATERIALS, Action.QUALIFY)


def stages_of(action: str, status: str, submitted: bool) -> list[tuple[str, str]]:
    """The (stage, result) pairs the event ``action`` reports for a case now in ``status``.
    申报 when the guardian submits (online) or the desk registers (offline); 受理 with the first
    decision of any channel; 办理 while a reviewer or missing materials hold it; 办结 with the
    final document or a withdrawal after submission; 办理 again when a notice is revoked (the case
    reopens for review). A stage reported again is a new version."""
    if action in ("submit", "desk_consent"):
        return [("apply", "")]
    if action in DECIDING:
        tail = ("process", status) if status in IN_PROCESS else ("done", status)
        return [("accept", ""), tail] if status in IN_PROCESS + FINISHED else [("accept", "")]
    if action == Action.WITHDRAW and submitted:
        return [("done", Status.WITHDRAWN.value)]
    if action == Action.REVOKE:
        return [("process", status)]
    return []


def result_label(result: str) -> str:
    """A reported result (a status word of ruxue's, or another system's own) in words."""
    return STATUSES.get(result, result)


BACKOFF_CAP_S = 3600.0


def backoff_s(attempts: int, base_s: float) -> float:
    """The wait before the next try after ``attempts`` failed ones: exponential, capped at an
    hour, with full jitter (uniform in [0, cap]) so that retries of many rows spread out."""
    return random.uniform(0, min(BACKOFF_CAP_S, base_s * 2 ** (attempts - 1)))


@dataclass(frozen=True)
class CountySystem:
    """A county system that runs enrollment for its district, as the city knows it."""

    name: str
    url: str  # where the district's guardians apply


@dataclass(frozen=True)
class Routing:
    """Whose applications a system takes, by the district of the child's hukou: the city every
    district but those in ``counties``; a county (``district`` set) only its own district, sending
    the others to the city at ``city_url``."""

    district: str = ""
    city_url: str = ""
    counties: Mapping[str, CountySystem] = field(default_factory=dict)


EVERY_DISTRICT = Routing()  # no county system: this system takes every child


@dataclass(frozen=True)
class Elsewhere:
    """Where a child's application goes instead: a code for clients; for the family, why, and
    the other system's name as a button says it (``label``) and its address."""

    code: str
    reason: str
    label: str  # 前往吴中区入学报名系统
    url: str

    @property
    def message(self) -> str:
        """The reason and where to go, the address written out (for a client, a desk, a kiosk)."""
        go = f"请{self.label}办理"
        return f"{self.reason}{go}：{self.url}" if self.url else f"{self.reason}{go}。"


BY_COUNTY, BY_CITY = "district_served_by_county", "district_served_by_city"


def elsewhere(routing: Routing, district: str) -> Elsewhere | None:
    """None when this system takes a child of ``district``; otherwise where the family goes."""
    if routing.district:
        return None if district == routing.district else _to_city(routing, district)
    county = routing.counties.get(district)
    return None if county is None else _to_county(county, district)


def _to_city(routing: Routing, district: str) -> Elsewhere:
    own = district_label(routing.district)
    reason = f"孩子户籍在{district_label(district)}，本系统只受理{own}户籍学生的入学报名。"
    return Elsewhere(BY_CITY, reason, "前往市级入学报名系统", routing.city_url)


def _to_county(county: CountySystem, district: str) -> Elsewhere:
    name = district_label(district)
    reason = f"孩子户籍在{name}，{name}使用本区的入学报名系统“{county.name}”办理，本系统不能受理。"
    return Elsewhere(BY_COUNTY, reason, f"前往{county.name}", county.url)


PUBLIC_KEY_TYPES = ("RSA", "EC")


def key_set_problem(jwks: Mapping[str, object]) -> str | None:
    """What is wrong with a county's key set for private_key_jwt, or None: public RSA or EC keys
    only — a symmetric key (``oct``) would let anyone who reads the set sign, a private part
    (``d``) does not belong in a published set."""
    keys = jwks.get("keys")
    if not isinstance(keys, list) or not keys:
        return "公钥集（JWKS）须包含 keys 列表。"
    for key in keys:
        if not isinstance(key, dict) or key.get("kty") not in PUBLIC_KEY_TYPES:
            return "公钥集（JWKS）只接受 RSA 或 EC 公钥（kty）。"
        if "d" in key:
            return "公钥集（JWKS）只能包含公钥，不能包含私钥。"
    return None
