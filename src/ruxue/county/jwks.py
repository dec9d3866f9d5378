"""The keys a county signs its client assertions with (``private_key_jwt``): the JWKS registered
for it, or the set fetched from its registered ``jwks_uri``. Fetched before any transaction opens
(never wait on the outside world inside one), kept for five minutes, fetched again early when an
assertion names a key id the kept set lacks (the county rotated its key), at most every 30 s; if
the county's server cannot be reached, the last good set is used."""

import base64
import json
import time
from typing import Any

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ruxue.county.auth import ASSERTION_TYPE, InvalidClient, unverified_subject
from ruxue.county.models import Client
from ruxue.county.rules import key_set_problem
from ruxue.kit import http
from ruxue.kit.db import Database

KEEP_S = 300.0
REFETCH_S = 30.0
_kept: dict[str, tuple[float, dict[str, Any]]] = {}  # jwks_uri -> (fetched at, JWKS)


async def assertion_keys(db: Database, form: dict[str, str]) -> tuple[str, dict[str, Any]] | None:
    """For a token request with a client assertion: the client it names and that client's keys,
    when they are to be fetched from its ``jwks_uri`` (a registered JWKS is read with the client)."""
    assertion = form.get("client_assertion", "")
    if form.get("client_assertion_type") != ASSERTION_TYPE or not assertion:
        return None
    client_id = unverified_subject(assertion)
    async with db.read_session() as session:
        client = await session.get(Client, client_id) if client_id else None
    if client is None or client.jwks or not client.jwks_uri:
        return None
    return client_id, await fetched(client.jwks_uri, _kid(assertion))


async def fetched(uri: str, kid: str) -> dict[str, Any]:
    now, hit = time.monotonic(), _kept.get(uri)
    if hit is not None:
        age, known = now - hit[0], kid in {k.get("kid") for k in hit[1].get("keys", [])}
        if age < REFETCH_S or (age < KEEP_S and (known or not kid)):
            return hit[1]
    try:
        async with http.client(timeout=5) as client:
            answer = await client.get(uri, headers={"Accept": "application/json"})
        answer.raise_for_status()
        keys = answer.json()
        KeySet.import_key_set(keys)  # a usable set, or it is not kept
        if key_set_problem(keys):
            raise ValueError("not a set of public keys")
    except (httpx.HTTPError, ValueError, KeyError, TypeError, JoseError):
        if hit is not None:
            return hit[1]
        raise InvalidClient("无法获取客户端公钥（jwks_uri）。") from None
    _kept[uri] = (now, keys)
    return dict(keys)


def _kid(assertion: str) -> str:
    try:
        head = assertion.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (IndexError, ValueError):
        return ""
    return str(header.get("kid") or "") if isinstance(header, dict) else ""
