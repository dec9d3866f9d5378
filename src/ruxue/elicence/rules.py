"""What a licence's status reads as, to the public and to the guardian."""

from ruxue.elicence.models import PENDING, REGISTERED, REVOKED, REVOKING, Licence
from ruxue.policy.loader import CHINA

LABELS = {
    PENDING: "有效（正在登记电子证照库）",
    REGISTERED: "有效",
    REVOKING: "已撤销",
    REVOKED: "已撤销",
}


def is_valid(status: str) -> bool:
    return status in (PENDING, REGISTERED)


def label(status: str) -> str:
    return LABELS.get(status, status)


def view(licence: Licence | None) -> dict[str, object] | None:
    """A licence as the verify and status pages show it (no personal data)."""
    if licence is None:
        return None
    valid, at = is_valid(licence.status), licence.revoked_at
    return {
        "status": label(licence.status),
        "valid": valid,
        "no": licence.licence_no,
        "revoked_on": f"{at.astimezone(CHINA):%Y年%m月%d日}" if at and not valid else "",
    }
