"""What a county is asking for, as the person reads it on the consent page, and when to ask; a
refused request in the person's words."""

from dataclasses import dataclass

# scope -> the claims it releases (userinfo, ``server.user_claims``), in the page's words
CLAIMS = {
    "openid": ("sub", "一个只给该县区系统用来认出您的编号（不是身份证号，也推算不出身份证号）"),
    "profile": ("name", "姓名"),
    "idcard": ("id_number", "身份证号"),
    "phone": ("phone_number", "手机号码"),
}

FULL = "全部"
MASKED = "只显示前6位和后4位，中间用*号代替"

# OAuth errors that cannot go back to the county (no checked redirect URI): the page says why in
# Chinese, the error code stays with the JSON answer
REFUSALS = {
    "invalid_client": "发起登录的县区系统未在本平台登记，或已停用。请联系该县区系统的管理员。",
    "invalid_request": (
        "县区系统发来的登录请求不完整，或其返回地址未在本平台登记。"
        "请回到该县区系统重新登录；如仍不行，请联系其管理员。"
    ),
}
REFUSED = "县区系统发来的登录请求无效。请回到该县区系统重新登录；如仍不行，请联系其管理员。"


def refusal(error: str) -> str:
    return REFUSALS.get(error, REFUSED)


@dataclass(frozen=True)
class Asked:
    claim: str
    label: str
    how: str  # FULL / MASKED


def asked(scope: str, full_id_number: bool) -> list[Asked]:
    """The claims ``scope`` releases to a client, the ID number masked unless its role needs it."""
    found = []
    for name in scope.split():
        if name not in CLAIMS:
            continue
        claim, label = CLAIMS[name]
        masked = claim == "id_number" and not full_id_number
        found.append(Asked(claim, label, MASKED if masked else FULL))
    return found


def needs_consent(
    scope: str, prompt: str, granted: tuple[str, bool] | None, full_id_number: bool
) -> bool:
    """Ask unless an earlier consent covers these scopes with the ID number shown the same way
    or less; ``prompt=consent`` always asks."""
    if "consent" in prompt.split() or granted is None:
        return True
    scopes, full_then = granted
    more_id = "idcard" in scope.split() and full_id_number and not full_then
    return not set(scope.split()) <= set(scopes.split()) or more_id


def merged(scope: str, granted: tuple[str, bool] | None) -> str:
    """The scopes a consent covers after agreeing to ``scope``: the earlier ones stay granted."""
    before = granted[0].split() if granted else []
    return " ".join(sorted(set(before) | set(scope.split())))


def released(scope: str, full_id_number: bool) -> list[str]:
    """What a consent lets a client have, in the words (and order) of the consent page."""
    in_order = " ".join(name for name in CLAIMS if name in scope.split())
    return [_worded(a) for a in asked(in_order, full_id_number)]


def _worded(claim: Asked) -> str:
    if claim.claim != "id_number":
        return claim.label
    return claim.label + ("（全部）" if claim.how == FULL else "（只显示前6位和后4位）")


def must_reauthenticate(prompt: str, max_age: str | None, auth_time: int, now: int) -> bool:
    """Whether the person must log in again first (Core §3.1.2.1): ``prompt=login``, or a
    ``max_age`` the last authentication is older than. A ``max_age`` that is not a number is
    taken as 0 (the strict reading)."""
    if "login" in prompt.split():
        return True
    if max_age is None:
        return False
    seconds = int(max_age) if max_age.isdigit() else 0
    return now - auth_time > seconds


def without_reauthentication(params: dict[str, str]) -> dict[str, str]:
    """The request to resume after the new login: its ``prompt=login`` and ``max_age`` are met."""
    rest = {k: v for k, v in params.items() if k != "max_age"}
    prompt = " ".join(p for p in rest.get("prompt", "").split() if p != "login")
    rest.pop("prompt", None)
    return rest | ({"prompt": prompt} if prompt else {})
