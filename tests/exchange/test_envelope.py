import datetime as dt
from typing import Any

import pytest

from ruxue.exchange.envelope import (
    Consent,
    EnvelopeError,
    Header,
    response_digest,
    response_valid,
    sign_request,
    sign_response,
    verify_request,
)
from ruxue.kit.crypto import canonical_json, sm3_hex

KEY = b"client-key"
NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
CHILD = "320508201910150213"


def _header(**changes: Any) -> Header:
    consent = Consent(
        id="c-1",
        subjects=[CHILD],
        departments=["police"],
        purpose="ENROLLMENT",
        expires_at=(NOW + dt.timedelta(days=1)).isoformat(),
    )
    header = Header(
        client_id="city",
        request_id="r-1",
        case_no="K1",
        operator="op",
        purpose="ENROLLMENT",
        service="police.person",
        version="v1",
        issued_at=NOW.isoformat(),
        consents=[consent],
    )
    header.update(changes)  # type: ignore[typeddict-item]
    return header


def _verify(envelope: dict[str, Any], department: str = "police") -> None:
    verify_request(envelope, {"city": KEY}, department, NOW)


def test_signed_request_verifies() -> None:
    header, body, digest = verify_request(
        sign_request(_header(), {"id_number": CHILD}, KEY), {"city": KEY}, "police", NOW
    )
    assert body == {"id_number": CHILD} and header["case_no"] == "K1" and len(digest) == 64


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda e: e.update(signature="00" * 32), "bad_signature"),
        (lambda e: e.pop("signature"), "bad_signature"),
        (lambda e: e["body"].update(id_number="320508198801010110"), "bad_signature"),
        (lambda e: e["header"].update(client_id="other"), "unknown_client"),
        (lambda e: e.update(header="x"), "bad_envelope"),
    ],
)
def test_tampered_or_unsigned_request_is_refused(mutate: Any, code: str) -> None:
    envelope = sign_request(_header(), {"id_number": CHILD}, KEY)
    mutate(envelope)
    with pytest.raises(EnvelopeError) as exc:
        _verify(envelope)
    assert exc.value.code == code


@pytest.mark.parametrize(
    ("header", "body", "department", "code"),
    [
        (_header(consents=[]), {"id_number": CHILD}, "police", "no_consent"),
        (_header(purpose="MARKETING"), {"id_number": CHILD}, "police", "bad_purpose"),
        (_header(), {"id_number": CHILD}, "property", "consent_scope"),
        (_header(), {"id_number": "320508198801010110"}, "police", "consent_subject"),
        (_header(), {"id_numbers": [CHILD, "320508198801010110"]}, "police", "consent_subject"),
        (
            _header(issued_at=(NOW - dt.timedelta(minutes=10)).isoformat()),
            {"id_number": CHILD},
            "police",
            "stale_request",
        ),
    ],
)
def test_request_outside_its_consent_is_refused(
    header: Header, body: dict[str, Any], department: str, code: str
) -> None:
    with pytest.raises(EnvelopeError) as exc:
        _verify(sign_request(header, body, KEY), department)
    assert exc.value.code == code


def test_expired_consent_is_refused() -> None:
    header = _header()
    header["consents"][0]["expires_at"] = (NOW - dt.timedelta(seconds=1)).isoformat()
    with pytest.raises(EnvelopeError) as exc:
        _verify(sign_request(header, {"id_number": CHILD}, KEY))
    assert exc.value.code == "consent_expired"


def test_response_proves_which_request_it_answers() -> None:
    response = sign_response("a" * 64, {"name": "王小明"}, b"provider")
    assert response_valid(response, "a" * 64, b"provider")
    assert not response_valid(response, "b" * 64, b"provider")
    assert not response_valid({**response, "data": {"name": "李四"}}, "a" * 64, b"provider")
    assert not response_valid(response, "a" * 64, b"other-key")


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"b": 1, "a": [1.5, 2e21, -0.0]},
        [{"名称": "阳光花园", "m2": 89.75, "x": "\u2028"}],
    ],
)
def test_response_digest_from_canonical_data_is_the_canonical_whole(data: Any) -> None:
    request_hash = "ab" * 32
    whole = sm3_hex(canonical_json({"request_hash": request_hash, "data": data}))
    assert response_digest(request_hash, canonical_json(data)) == whole
