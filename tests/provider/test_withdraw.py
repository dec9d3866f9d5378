"""A person sees the consents they gave to county systems on their own page and withdraws one:
the consent goes, that county's access tokens and unexchanged codes for the person stop working,
its session of the person ends by back-channel logout, the withdrawal is audited, and the
county's next login asks again. Another county's consent stays."""

import base64
import hashlib
import re
import secrets

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import select

from ruxue.kit.db import Database
from ruxue.provider.logouts import deliver
from ruxue.settings import Settings
from ruxue.staff.models import AuditEntry
from tests.support.county import register
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.provider import (
    REDIRECT,
    Receiver,
    authorize,
    back_to_county,
    consent,
    listening_county,
)
from tests.support.session import logged_in

VERIFIER = secrets.token_urlsafe(48)
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=")


def login(scope: str, client_id: str = "changshu") -> dict[str, str]:
    return authorize(scope, client_id=client_id, code_challenge=CHALLENGE.decode())


async def token(web: ServerThread, client_id: str, secret: str, code: str) -> dict[str, str]:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER,
    }
    async with httpx.AsyncClient(base_url=web.url) as http:
        answer = await http.post("/oidc/token", data=form, auth=(client_id, secret))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def userinfo(web: ServerThread, access_token: str) -> int:
    async with httpx.AsyncClient(base_url=web.url) as http:
        headers = {"authorization": f"Bearer {access_token}"}
        return (await http.get("/oidc/userinfo", headers=headers)).status_code


async def code_for(city: httpx.AsyncClient, client_id: str, scope: str) -> str:
    page = await city.get("/oidc/authorize", params=login(scope, client_id))
    return back_to_county(await consent(city, page))["code"][0]


def listed(page: httpx.Response) -> dict[str, str]:
    """The page's consents: client id → the text of its entry."""
    entries = re.findall(r'<li data-client="([^"]+)">(.*?)</li>', page.text, re.S)
    return {client: re.sub(r"<[^>]+>|\s+", " ", text) for client, text in entries}


async def test_a_person_withdraws_a_consent(
    web: ServerThread,
    sandbox: ServerThread,
    db: Database,
    settings: Settings,
    receiver: tuple[Receiver, ServerThread],
) -> None:
    kept, county = receiver
    secret = await listening_county(db, "changshu", "320581", county)
    other = await register(db, "kunshan", "320583", redirect_uris=[REDIRECT])
    city = await logged_in(web, sandbox, WANG)
    assert 'id="county-consents-empty"' in (await city.get("/me/county-systems")).text
    tokens = await token(web, "changshu", secret, await code_for(city, "changshu", "openid idcard"))
    kept_token = await token(web, "kunshan", other, await code_for(city, "kunshan", "openid"))
    unexchanged = back_to_county(await city.get("/oidc/authorize", params=login("openid")))

    page = await city.get("/me/county-systems")
    entries = listed(page)
    assert sorted(entries) == ["changshu", "kunshan"]
    assert "320581 县区系统 （常熟市）" in entries["changshu"]
    assert (
        "可获取：一个只给该县区系统用来认出您的编号（不是身份证号，也推算不出身份证号）、身份证号（只显示前6位和后4位）"
        in entries["changshu"]
    )
    assert re.search(r"授权时间：20\d\d-\d\d-\d\d \d\d:\d\d", entries["changshu"])

    withdraw = "/me/county-systems/changshu/withdraw"
    forged = await city.post(withdraw, data={"x": "1"}, headers={"x-csrf-token": "forged"})
    assert forged.status_code == 403
    csrf = re.findall(r'name="csrf_token" value="([^"]+)"', page.text)[0]
    done = await city.post(withdraw, data={"csrf_token": csrf}, headers={"x-csrf-token": csrf})
    assert (done.status_code, done.headers["location"]) == (303, "/me/county-systems")
    after = await city.get("/me/county-systems")
    assert "已撤回对320581 县区系统的授权" in after.text and sorted(listed(after)) == ["kunshan"]

    assert await userinfo(web, tokens["access_token"]) == 401
    assert await userinfo(web, kept_token["access_token"]) == 200
    async with httpx.AsyncClient(base_url=web.url) as http:
        form = {
            "grant_type": "authorization_code",
            "code": unexchanged["code"][0],
            "redirect_uri": REDIRECT,
            "code_verifier": VERIFIER,
        }
        late = await http.post("/oidc/token", data=form, auth=("changshu", secret))
    assert (late.status_code, late.json()["error"]) == (400, "invalid_grant")

    assert (await deliver(db, settings)).sent == 1
    key_set = KeySet.import_key_set((await city.get("/oidc/jwks")).json())
    sid = jwt.decode(tokens["id_token"], key_set).claims["sid"]
    assert [jwt.decode(t, key_set).claims["sid"] for t in kept.tokens] == [sid]
    async with db.read_session() as session:
        rows = (await session.scalars(select(AuditEntry).order_by(AuditEntry.seq))).all()
    withdrawn = [r for r in rows if r.action == "oidc_consent_withdrawn"]
    assert [(r.target, r.detail["scopes"]) for r in withdrawn] == [("changshu", "idcard openid")]
    assert str(withdrawn[0].detail["person"]).startswith("guardian:")

    again = await city.get("/oidc/authorize", params=authorize("openid"))
    assert 'id="oidc-consent"' in again.text  # asked again
    gone = await city.post(withdraw, data={"csrf_token": csrf})
    assert gone.status_code == 404 and "没有这项授权" in gone.text
    await city.aclose()


async def test_the_list_needs_a_login(web: ServerThread) -> None:
    async with httpx.AsyncClient(base_url=web.url) as stranger:
        listed = await stranger.get("/me/county-systems")  # back to the list after the login
        assert (listed.status_code, listed.headers["location"]) == (
            303,
            "/auth/login?next=/me/county-systems",
        )
        posted = await stranger.post("/me/county-systems/changshu/withdraw", data={"x": "1"})
        assert (posted.status_code, posted.headers["location"]) == (303, "/auth/login")
