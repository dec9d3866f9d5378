"""The exchange envelope (``spec/exchange.md``): canonical request, HMAC-SM3 signatures, proof that
a response answers a request. Pure functions; both the client and the sandbox provider use them.

HMAC-SM3 with a per-client key is what many government gateways use; it costs microseconds, where a
pure-Python SM2 signature costs ~27 ms and would dominate the hot path.
"""

import datetime as dt
from typing import Any, TypedDict

from ruxue.kit.crypto import canonical_json, hmac_sm3_hex, hmac_sm3_verify, sm3_hex

DEPARTMENTS = ("police", "property", "civil", "health", "hrss", "xueji", "elicence", "points")
PURPOSES = {
    "ENROLLMENT": "义务教育入学报名",
    "ENROLLMENT_PRECHECK": "入学资格预审（主动服务）",
    "LICENCE_ISSUE": "电子证照签发与撤销（发证机关职责）",
    "LICENCE_CHECK": "电子证照核验（持证人现场同意）",
}
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)
# Cohort lists the education bureau receives under its own mandate for the proactive precheck
# (plan §二(二)2): no personal consent, but only for that purpose.
MANDATE_SERVICES = {
    "police.cohort": "ENROLLMENT_PRECHECK",
    "xueji.graduates": "ENROLLMENT_PRECHECK",
    # the issuer files and revokes its own licences; a school checks one its holder shows it
    "elicence.register": "LICENCE_ISSUE",
    "elicence.revoke": "LICENCE_ISSUE",
    "elicence.lookup": "LICENCE_CHECK",
}
# Look-ups a client may ask for many persons in one signed request (the precheck): the body is
# ``{"items": [body, ...]}``, the consents cover every person of every item, and the answer holds
# one result per item, in order.
BATCH_SERVICES = frozenset(
    {
        "police.person",
        "police.hukou",
        "police.residence_permits",
        "points.points",
        "property.residences",
        "property.unique_housing",
        "property.no_housing",
        "civil.marriage",
        "health.birth_certificate",
        "hrss.social_insurance",
        "xueji.student_status",
    }
)
MAX_BATCH_ITEMS = 1000


class Consent(TypedDict):
    id: str
    subjects: list[str]  # ID numbers the consent covers
    departments: list[str]
    purpose: str
    expires_at: str  # ISO 8601


class Header(TypedDict):
    client_id: str
    request_id: str
    case_no: str
    operator: str  # hashed operator id
    purpose: str
    service: str  # "police.person"
    version: str
    issued_at: str
    consents: list[Consent]  # together they must cover every person the request asks about


class EnvelopeError(Exception):
    def __init__(self, code: str, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def request_hash(header: Header, body: dict[str, Any]) -> str:
    return sm3_hex(canonical_json({"header": header, "body": body}))


def sign_request(
    header: Header, body: dict[str, Any], key: bytes, digest: str | None = None
) -> dict[str, Any]:
    """The signed envelope; pass ``digest`` when the request hash is already at hand."""
    digest = digest or request_hash(header, body)
    return {"header": header, "body": body, "signature": hmac_sm3_hex(key, digest.encode())}


def response_digest(req_hash: str, data_json: bytes) -> str:
    """SM3 of the canonical ``{"request_hash": ..., "data": ...}``, from the canonical data: RFC
    8785 orders members by name, ``data`` first. Canonicalising is the costly part (pure Python),
    so the data is canonicalised once for the signature and the logs' response hash."""
    return sm3_hex(b'{"data":' + data_json + b',"request_hash":' + canonical_json(req_hash) + b"}")


def sign_response(
    req_hash: str, data: Any, key: bytes, data_json: bytes | None = None
) -> dict[str, Any]:
    """``data_json``: ``canonical_json(data)`` when it is already at hand."""
    digest = response_digest(req_hash, canonical_json(data) if data_json is None else data_json)
    return {"request_hash": req_hash, "data": data, "signature": hmac_sm3_hex(key, digest.encode())}


def response_valid(
    response: dict[str, Any], req_hash: str, key: bytes, data_json: bytes | None = None
) -> bool:
    """``data_json``: ``canonical_json(response["data"])`` when it is already at hand."""
    if response.get("request_hash") != req_hash or "signature" not in response:
        return False
    data_json = canonical_json(response.get("data")) if data_json is None else data_json
    digest = response_digest(req_hash, data_json)
    return hmac_sm3_verify(key, digest.encode(), str(response["signature"]))


def verify_request(
    envelope: dict[str, Any],
    client_keys: dict[str, bytes],
    department: str,
    now: dt.datetime,
) -> tuple[Header, dict[str, Any], str]:
    """Check signature, freshness and consent; returns (header, body, request hash)."""
    header, body = envelope.get("header"), envelope.get("body")
    if not isinstance(header, dict) or not isinstance(body, dict):
        raise EnvelopeError("bad_envelope", "请求报文格式不正确", 400)
    key = client_keys.get(str(header.get("client_id")))
    if key is None:
        raise EnvelopeError("unknown_client", "未登记的接入系统", 401)
    digest = request_hash(header, body)  # type: ignore[arg-type]
    if not hmac_sm3_verify(key, digest.encode(), str(envelope.get("signature", ""))):
        raise EnvelopeError("bad_signature", "请求签名无效", 401)
    _check_fresh(header, now)
    mandate = MANDATE_SERVICES.get(str(header.get("service")))
    if mandate is not None:
        if header.get("purpose") != mandate:
            raise EnvelopeError("bad_purpose", f"该服务仅限{PURPOSES[mandate]}使用")
    else:
        _check_consent(header, body, department, now)  # type: ignore[arg-type]
    return header, body, digest  # type: ignore[return-value]


def _check_fresh(header: dict[str, Any], now: dt.datetime) -> None:
    try:
        issued = dt.datetime.fromisoformat(str(header.get("issued_at")))
    except ValueError:
        raise EnvelopeError("bad_envelope", "请求时间格式不正确", 400) from None
    if abs(now - issued) > MAX_CLOCK_SKEW:
        raise EnvelopeError("stale_request", "请求已过期", 401)


def _check_consent(header: Header, body: dict[str, Any], department: str, now: dt.datetime) -> None:
    consents = header.get("consents") or []
    if not consents or not all(c.get("id") for c in consents):
        raise EnvelopeError("no_consent", "缺少当事人授权，不能查询")
    if header.get("purpose") not in PURPOSES or any(
        c.get("purpose") != header.get("purpose") for c in consents
    ):
        raise EnvelopeError("bad_purpose", "查询用途与授权用途不符")
    if any(department not in c.get("departments", []) for c in consents):
        raise EnvelopeError("consent_scope", "授权不包括该部门")
    if any(dt.datetime.fromisoformat(c["expires_at"]) < now for c in consents):
        raise EnvelopeError("consent_expired", "授权已过期")
    subjects = {s for c in consents for s in c.get("subjects", [])}
    asked = body_subjects(body)
    if not asked or not asked <= subjects:
        raise EnvelopeError("consent_subject", "授权不包括被查询人")


def body_subjects(body: dict[str, Any]) -> set[str]:
    """The persons a request asks about (in a batch, those of every item)."""
    found = {str(body[k]) for k in ("id_number",) if body.get(k)}
    found |= {str(v) for v in body.get("id_numbers", []) or []}
    for item in body.get("items", []) or []:
        if isinstance(item, dict):
            found |= body_subjects(item)
    return found
