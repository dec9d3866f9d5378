"""The city's case-report API: client credentials (secret or private_key_jwt), idempotent upserts
on (case, stage) keeping the highest data version, another district refused, bad input named."""

import time
import uuid

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from ruxue.county.models import StageReport
from ruxue.kit.db import Database
from tests.support.county import register, report, token
from tests.support.helpers import ServerThread


async def rows(db: Database) -> dict[tuple[str, str], int]:
    async with db.read_session() as session:
        found = (await session.scalars(select(StageReport))).all()
    return {(r.case_no, r.stage): r.data_version for r in found}


async def test_batch_is_upserted_keeping_the_highest_version(
    web: ServerThread, db: Database
) -> None:
    secret = await register(db, "wuzhong", "320506")
    async with httpx.AsyncClient(base_url=web.url) as http:
        auth = await token(http, "wuzhong", secret)
        batch = [
            report("WZ-2026-000001", "apply", 1),
            report("WZ-2026-000001", "accept", 1),
            report("WZ-2026-000001", "process", 2),
            report("WZ-2026-000001", "process", 1),
        ]
        first = await http.post("/api/v1/county/reports", json={"reports": batch}, headers=auth)
        assert first.json() == {"received": 4, "applied": 3, "stale": 1}
        again = await http.post("/api/v1/county/reports", json={"reports": batch}, headers=auth)
        assert again.json() == {"received": 4, "applied": 0, "stale": 4}
        done = report("WZ-2026-000001", "done", 1, result="notice_issued")
        one = await http.post("/api/v1/county/report", json=done, headers=auth)
        assert one.json() == {"received": 1, "applied": 1, "stale": 0}
    assert await rows(db) == {
        ("WZ-2026-000001", "apply"): 1,
        ("WZ-2026-000001", "accept"): 1,
        ("WZ-2026-000001", "process"): 2,
        ("WZ-2026-000001", "done"): 1,
    }


async def test_another_district_is_refused_and_nothing_written(
    web: ServerThread, db: Database
) -> None:
    secret = await register(db, "wuzhong", "320506")
    async with httpx.AsyncClient(base_url=web.url) as http:
        auth = await token(http, "wuzhong", secret)
        batch = [
            report("WZ-2026-000002", "apply", 1),
            report("GS-2026-000001", "apply", 1, district="320508"),
        ]
        answer = await http.post("/api/v1/county/reports", json={"reports": batch}, headers=auth)
    assert answer.status_code == 403
    assert answer.json()["error"] == "foreign_district"
    assert answer.json()["field"] == "reports.1.district_code"
    assert await rows(db) == {}


async def test_malformed_input_names_the_field(web: ServerThread, db: Database) -> None:
    secret = await register(db, "wuzhong", "320506")
    async with httpx.AsyncClient(base_url=web.url) as http:
        auth = await token(http, "wuzhong", secret)
        bad = report("WZ-2026-000003", "finished", 0)
        answer = await http.post("/api/v1/county/report", json=bad, headers=auth)
    assert answer.status_code == 422
    assert {tuple(f["loc"]) for f in answer.json()["detail"]} == {
        ("body", "stage"),
        ("body", "data_version"),
    }


async def test_tokens_are_required_and_checked(web: ServerThread, db: Database) -> None:
    secret = await register(db, "wuzhong", "320506")
    async with httpx.AsyncClient(base_url=web.url) as http:
        none = await http.post("/api/v1/county/report", json=report("WZ-2026-000004", "apply", 1))
        forged = await http.post(
            "/api/v1/county/report",
            json=report("WZ-2026-000004", "apply", 1),
            headers={"Authorization": "Bearer forged"},
        )
        wrong = await http.post(
            "/api/v1/county/token",
            data={"grant_type": "client_credentials"},
            auth=("wuzhong", secret + "x"),
        )
        grant = await http.post(
            "/api/v1/county/token", data={"grant_type": "password"}, auth=("wuzhong", secret)
        )
    assert (none.status_code, none.json()["error"]) == (401, "invalid_token")
    assert (forged.status_code, forged.json()["error"]) == (401, "invalid_token")
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    assert none.headers["www-authenticate"] == 'Bearer realm="ruxue"'  # RFC 6750 §3
    assert forged.headers["www-authenticate"] == 'Bearer realm="ruxue", error="invalid_token"'
    assert wrong.headers["www-authenticate"] == 'Basic realm="ruxue"'  # RFC 6749 §5.2
    assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")
    assert await rows(db) == {}


async def test_private_key_jwt(web: ServerThread, db: Database) -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "county-1", "alg": "RS256"})
    await register(db, "kunshan", "320583", jwks={"keys": [key.as_dict(private=False)]})
    now = int(time.time())
    claims = {
        "iss": "kunshan",
        "sub": "kunshan",
        "aud": f"{web.url}/api/v1/county/token",
        "iat": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
    }
    assertion = jwt.encode({"alg": "RS256", "kid": "county-1"}, claims, key)
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
    }
    other = RSAKey.generate_key(2048, parameters={"kid": "county-1"})
    forged = jwt.encode({"alg": "RS256", "kid": "county-1"}, claims | {"jti": "x"}, other)
    async with httpx.AsyncClient(base_url=web.url) as http:
        first = await http.post("/api/v1/county/token", data=form)
        replay = await http.post("/api/v1/county/token", data=form)
        bad = await http.post("/api/v1/county/token", data=form | {"client_assertion": forged})
        auth = {"Authorization": f"Bearer {first.json()['access_token']}"}
        sent = await http.post(
            "/api/v1/county/report",
            json=report("KS-2026-000001", "apply", 1, district="320583"),
            headers=auth,
        )
    assert first.status_code == 200
    assert (replay.status_code, replay.json()["error"]) == (401, "invalid_client")
    assert (bad.status_code, bad.json()["error"]) == (401, "invalid_client")
    assert sent.json()["applied"] == 1


async def test_a_county_never_writes_another_countys_case(web: ServerThread, db: Database) -> None:
    """Issue 22: a county moved another's case to its district, voided it and set version
    1,000,000. A case number belongs to the client and district that first reported it."""
    wuzhong = await register(db, "wuzhong", "320506")
    gusu = await register(db, "gusu", "320508")
    async with httpx.AsyncClient(base_url=web.url) as http:
        theirs = await token(http, "wuzhong", wuzhong)
        mine = await token(http, "gusu", gusu)
        own = report("WZ-2026-000009", "apply", 1)
        assert (
            await http.post("/api/v1/county/report", json=own, headers=theirs)
        ).status_code == 200
        attacks = [
            report("WZ-2026-000009", "apply", 1_000_000, district="320508"),  # moved and bumped
            report("WZ-2026-000009", "done", 2, district="320508") | {"data_state": 0},  # voided
        ]
        answers = [
            await http.post("/api/v1/county/report", json=attack, headers=mine)
            for attack in attacks
        ]
        batch = {"reports": [report("GS-2026-000001", "apply", 1, district="320508"), *attacks]}
        mixed = await http.post("/api/v1/county/reports", json=batch, headers=mine)
    for answer in answers:
        assert (answer.status_code, answer.json()["error"]) == (403, "foreign_case")
    assert (mixed.status_code, mixed.json()["field"]) == (403, "reports.1.case_no")
    async with db.read_session() as session:
        found = (await session.scalars(select(StageReport))).all()
    assert [(r.case_no, r.stage, r.district_code, r.data_version, r.client_id) for r in found] == [
        ("WZ-2026-000009", "apply", "320506", 1, "wuzhong")
    ]
