"""The person's consent at the provider: the page names the county and each claim (the ID number
masked or in full by the client's role); 不同意 sends the county ``access_denied`` with its state;
a consent is remembered per person and client until the scopes grow or ``prompt=consent``; a
login that needs consent with ``prompt=none`` gets ``consent_required``; every answer is audited."""

import re

import httpx
import pytest
from sqlalchemy import select

from ruxue.county.models import Client
from ruxue.kit.db import Database
from ruxue.staff.models import AuditEntry
from ruxue.web.mode import ELDER_COOKIE
from tests.support.county import register
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.provider import REDIRECT, authorize, back_to_county, consent
from tests.support.session import logged_in

pytestmark = pytest.mark.slow


def error_message(page: httpx.Response) -> str:
    """The error page's message, all Chinese: none of Authlib's English, no OAuth error code."""
    found = re.search(r'id="error-message">([^<]*)<', page.text)
    assert found and re.fullmatch(r"[^A-Za-z]+", found[1]), page.text[:500]
    return found[1]


async def actions(db: Database) -> list[tuple[str, str, object]]:
    async with db.read_session() as session:
        rows = (await session.scalars(select(AuditEntry).order_by(AuditEntry.seq))).all()
    return [(r.action, r.target, r.detail.get("scopes")) for r in rows if "consent" in r.action]


async def test_consent_is_asked_remembered_and_asked_again(
    web: ServerThread, sandbox: ServerThread, db: Database
) -> None:
    await register(db, "changshu", "320581", redirect_uris=[REDIRECT])
    city = await logged_in(web, sandbox, WANG)

    params = authorize("openid profile idcard")
    page = await city.get("/oidc/authorize", params=params)
    assert page.status_code == 200 and page.text.count("<h1") == 1
    assert "320581 县区系统" in page.text and 'name="csrf_token"' in page.text
    assert '<span id="consent-district">常熟市</span>' in page.text  # the district, not the id
    assert "（changshu）" not in page.text
    rows = dict(re.findall(r'data-claim="(\w+)"><td>[^<]+</td><td>([^<]+)</td>', page.text))
    assert rows == {"sub": "全部", "name": "全部", "id_number": "只显示前6位和后4位，中间用*号代替"}

    refused = back_to_county(await consent(city, page, agree=False))
    assert refused == {"error": ["access_denied"], "state": [params["state"]]}

    agreed = back_to_county(await consent(city, await city.get("/oidc/authorize", params=params)))
    assert agreed["code"] and agreed["state"] == [params["state"]]

    again = authorize("openid profile")  # fewer scopes than agreed to: not asked
    assert back_to_county(await city.get("/oidc/authorize", params=again))["code"]
    same = authorize("openid idcard profile")
    assert back_to_county(await city.get("/oidc/authorize", params=same))["code"]

    more = authorize("openid profile idcard phone")  # the scopes grow: asked again
    silent = back_to_county(await city.get("/oidc/authorize", params=more | {"prompt": "none"}))
    assert silent == {"error": ["consent_required"], "state": [more["state"]]}
    page = await city.get("/oidc/authorize", params=more)
    assert 'data-claim="phone_number"' in page.text
    assert back_to_county(await consent(city, page))["code"]

    forced = await city.get("/oidc/authorize", params=authorize("openid", prompt="consent"))
    assert 'id="oidc-consent"' in forced.text and 'class="elder"' not in forced.text
    # 长辈版: a county in it asks with elder=1; the city's switch sets it and comes back
    asked = authorize("openid", prompt="consent", elder="1")
    switch = await city.get("/oidc/authorize", params=asked)
    assert switch.status_code == 303 and switch.headers["location"].startswith("/mode?elder=1")
    elder = await city.get(switch.headers["location"], follow_redirects=True)
    assert city.cookies.get(ELDER_COOKIE) == "1" and elder.url.params["state"] == asked["state"]
    assert 'id="oidc-consent"' in elder.text and '<html lang="zh-CN" class="elder">' in elder.text
    again = await city.get("/oidc/authorize", params=asked)  # set once: no loop
    assert again.status_code == 200 and 'class="elder"' in again.text
    assert await actions(db) == [
        ("oidc_consent_refused", "changshu", "openid profile idcard"),
        ("oidc_consent", "changshu", "openid profile idcard"),
        ("oidc_consent", "changshu", "openid profile idcard phone"),
    ]
    await city.aclose()


async def test_a_client_with_the_full_number_says_so_and_is_asked_again(
    web: ServerThread, sandbox: ServerThread, db: Database
) -> None:
    await register(db, "changshu", "320581", redirect_uris=[REDIRECT])
    city = await logged_in(web, sandbox, WANG)
    assert back_to_county(
        await consent(city, await city.get("/oidc/authorize", params=authorize("openid idcard")))
    )["code"]
    assert back_to_county(await city.get("/oidc/authorize", params=authorize("openid idcard")))[
        "code"
    ]
    async with db.write_session() as session:  # its role now needs the full number
        (await session.get(Client, "changshu")).full_id_number = True  # type: ignore[union-attr]
    page = await city.get("/oidc/authorize", params=authorize("openid idcard"))
    assert 'data-claim="id_number"><td>身份证号</td><td>全部</td>' in page.text
    assert back_to_county(await consent(city, page))["code"]
    assert back_to_county(await city.get("/oidc/authorize", params=authorize("openid idcard")))[
        "code"
    ]
    await city.aclose()


async def test_the_consent_post_checks_the_request_again(
    web: ServerThread, sandbox: ServerThread, db: Database
) -> None:
    await register(db, "changshu", "320581", redirect_uris=[REDIRECT])
    city = await logged_in(web, sandbox, WANG)
    page = await city.get("/oidc/authorize", params=authorize("openid"))
    forged = page.text.replace("changshu%2Fcallback", "evil.example%2Fcb")
    answer = await consent(city, httpx.Response(200, text=forged))
    assert answer.status_code == 400 and "evil" not in answer.headers.get("location", "")
    unknown = await city.get("/oidc/authorize", params=authorize("openid", client_id="nobody"))
    assert unknown.status_code == 400
    assert error_message(unknown).startswith("发起登录的县区系统未在本平台登记")
    wrong = authorize("openid", redirect_uri="http://evil.example/cb")
    page = await city.get("/oidc/authorize", params=wrong)
    assert page.status_code == 400 and "返回地址未在本平台登记" in error_message(page)
    for logout in ({"id_token_hint": "a.b.c"}, {"post_logout_redirect_uri": "http://evil/"}):
        refused = await city.get("/oidc/logout", params=logout | {"client_id": "changshu"})
        assert refused.status_code == 400 and "退出未完成" in error_message(refused)
    as_json = await city.get(
        "/oidc/authorize", params=wrong, headers={"accept": "application/json"}
    )
    assert as_json.json()["error"] == "invalid_request"
    async with httpx.AsyncClient(base_url=web.url) as stranger:  # no city login
        fields = {"request": "client_id=changshu", "agree": "yes"}
        assert (await stranger.post("/oidc/authorize", data=fields)).status_code == 401
    await city.aclose()
