"""Shared test support for e-licences: an independent SM2 check (gmalg) and the city's published
seal keys."""

import base64

import gmalg
import httpx
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

PINGJIANG = "3205080101"
DEFAULT_UID = b"1234567812345678"


def gmalg_verifies(public_pem: str, data: bytes, signature: bytes) -> bool:
    """Only gmalg and the DER bytes: the SubjectPublicKeyInfo ends with the uncompressed point."""
    der = base64.b64decode("".join(public_pem.strip().splitlines()[1:-1]))
    point = der[-65:]
    assert point[0] == 4 and len(der) == 91
    r, s = decode_dss_signature(signature)
    return bool(
        gmalg.SM2(pk=point, uid=DEFAULT_UID).verify(
            data, r.to_bytes(32, "big"), s.to_bytes(32, "big")
        )
    )


async def published_key(client: httpx.AsyncClient, kid: str) -> str:
    """The seal's public key of ``kid``, as the city publishes it."""
    keys = (await client.get("/.well-known/seal-keys.json")).json()["keys"]
    return str(next(k["pem"] for k in keys if k["kid"] == kid))
