"""A code used a second time by its own client is refused, and what its first use gave is revoked
(RFC 6749 §4.1.2): the access token stops working at userinfo and the county session it opened
ends with a back-channel logout. A second use by someone who cannot authenticate as that client
revokes nothing. Used codes are kept only as long as their tokens could live."""

import datetime as dt

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import select, update

from ruxue.kit.db import Database
from ruxue.provider import grants
from ruxue.provider.logouts import deliver
from ruxue.provider.models import AuthorizationCode, ProviderToken
from ruxue.settings import Settings
from ruxue.staff.models import AuditEntry
from tests.support.county import register
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.provider import Receiver, county_login, listening_county
from tests.support.session import logged_in

pytestmark = pytest.mark.slow

REDIRECT = "http://127.0.0.1:9/kunshan/callback"


async def test_a_replayed_code_revokes_the_tokens_of_its_first_use(
    web: ServerThread,
    sandbox: ServerThread,
    db: Database,
    settings: Settings,
    receiver: tuple[Receiver, ServerThread],
) -> None:
    kept, county = receiver
    secret = await listening_county(db, "kunshan", "320583", county)
    city = await logged_in(web, sandbox, WANG)
    first = await county_login(web, city, "kunshan", secret, "openid profile")
    token, location, verifier = first.token, first.location, first.verifier
    bearer = {"authorization": f"Bearer {token['access_token']}"}
    form = {
        "grant_type": "authorization_code",
        "code": httpx.URL(location).params["code"],
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    async with httpx.AsyncClient(base_url=web.url) as http:
        assert (await http.get("/oidc/userinfo", headers=bearer)).status_code == 200
        stranger = await http.post("/oidc/token", data=form, auth=("kunshan", "not-the-secret"))
        assert (stranger.status_code, stranger.json()["error"]) == (401, "invalid_client")
        assert stranger.headers["www-authenticate"] == 'Basic realm="ruxue"'  # RFC 6749 §5.2
        assert (await http.get("/oidc/userinfo", headers=bearer)).status_code == 200

        replay = await http.post("/oidc/token", data=form, auth=("kunshan", secret))
        assert (replay.status_code, replay.json()["error"]) == (400, "invalid_grant")
        refused = await http.get("/oidc/userinfo", headers=bearer)
        assert refused.status_code == 401 and "invalid_token" in refused.headers["www-authenticate"]

    assert (await deliver(db, settings)).sent == 1  # the county session of that code ends
    key_set = KeySet.import_key_set((await city.get("/oidc/jwks")).json())
    sid = jwt.decode(token["id_token"], key_set).claims["sid"]
    assert [jwt.decode(t, key_set).claims["sid"] for t in kept.tokens] == [sid]
    async with db.read_session() as session:
        audited = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "oidc_code_replayed")
            )
        ).all()
    assert [(a.target, a.detail["revoked"]) for a in audited] == [("kunshan", 1)]
    await city.aclose()


async def test_used_codes_are_kept_while_their_tokens_live(
    web: ServerThread, sandbox: ServerThread, db: Database
) -> None:
    secret = await register(db, "kunshan", "320583", redirect_uris=[REDIRECT])
    city = await logged_in(web, sandbox, WANG)
    await county_login(web, city, "kunshan", secret, "openid")
    await grants.prune(db)
    assert await _left(db) == (1, 1)  # just used: kept
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=grants.TOKEN_TTL_S + 1)
    async with db.write_session() as session:
        await session.execute(update(ProviderToken).values(expires_at=past))
        await session.execute(update(AuthorizationCode).values(expires_at=past))
    await grants.prune(db)
    assert await _left(db) == (0, 0)
    await city.aclose()


async def _left(db: Database) -> tuple[int, int]:
    async with db.read_session() as session:
        codes = (await session.scalars(select(AuthorizationCode.code))).all()
        tokens = (await session.scalars(select(ProviderToken.token_hash))).all()
    return len(codes), len(tokens)
