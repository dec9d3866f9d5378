"""The login's state waits in a sealed cookie of the browser that started it (identity/state.py),
not in a session row: it opens only untouched and unexpired, is spent by its callback, and a
replayed callback signs nobody in. The attributes come in the ID token when the provider honours
the claims parameter (no userinfo call), from userinfo otherwise. (``db``: the rows the app
wrote are removed after each test.)"""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from authlib.integrations.starlette_client import StarletteOAuth2App

from ruxue.identity import state as login_state
from ruxue.identity.client import NAME
from ruxue.identity.state import LoginState
from ruxue.kit.db import Database
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.sandbox import _login

STARTED = LoginState("s" * 30, "v" * 48, "n" * 20, "/apply/primary", expires=2_000_000_000)


def test_a_sealed_state_opens_only_untouched_and_unexpired() -> None:
    sealed = login_state.seal(STARTED)
    assert "v" * 48 not in sealed and "/apply" not in sealed  # sealed, not only signed
    assert login_state.opened(sealed, now=1_999_999_999) == STARTED
    assert login_state.opened(sealed, now=2_000_000_000) is None  # expired
    tampered = sealed[:-6] + ("AAAAAA" if not sealed.endswith("AAAAAA") else "BBBBBB")
    for bad in (tampered, "", "k1:", "garbage", sealed[:20]):
        assert login_state.opened(bad, now=0) is None, bad


def test_only_the_state_the_browser_started_with_is_answered() -> None:
    assert login_state.answers(STARTED, "s" * 30)
    assert not login_state.answers(STARTED, "s" * 29 + "t")
    assert not login_state.answers(STARTED, None)
    assert not login_state.answers(None, "s" * 30)


async def started(http: httpx.AsyncClient) -> str:
    start = await http.get("/auth/login")
    assert start.status_code == 302
    assert "ruxue_session" not in start.headers.get("set-cookie", "")  # no session row yet
    return start.headers["location"]


async def test_a_used_state_is_spent_and_a_replay_signs_nobody_in(
    web: ServerThread, sandbox: ServerThread, db: Database
) -> None:
    async with (
        httpx.AsyncClient(base_url=web.url) as http,
        httpx.AsyncClient(base_url=sandbox.url) as idp,
    ):
        authorize = await started(http)
        kept = http.cookies.get(login_state.COOKIE, path=login_state.PATH)
        assert kept
        back = (await _login(idp, authorize, WANG)).headers["location"]
        done = await http.get(back)
        assert done.status_code == 303
        assert f"{login_state.COOKIE}=;" in done.headers.get_list("set-cookie")[0]
        assert http.cookies.get(login_state.COOKIE) is None  # spent: cleared in the browser
        assert (await http.get(back)).status_code == 401  # the same callback again
        async with httpx.AsyncClient(base_url=web.url) as replay:  # with a copy of the cookie
            replay.cookies.set(login_state.COOKIE, kept, path=login_state.PATH)
            refused = await replay.get(back)
            assert refused.status_code == 401 and "登录未完成" in refused.text
            assert (await replay.get("/api/v1/me/data-tracker")).status_code == 401


@pytest.fixture
def no_userinfo() -> Iterator[list[str]]:
    """Every userinfo call of the app's client, refused."""
    calls: list[str] = []
    original = StarletteOAuth2App.userinfo

    async def refuse(self: Any, **kwargs: Any) -> Any:
        calls.append("userinfo")
        raise AssertionError("userinfo called")

    StarletteOAuth2App.userinfo = refuse  # type: ignore[method-assign]
    yield calls
    StarletteOAuth2App.userinfo = original  # type: ignore[method-assign]


async def sign_in(web: ServerThread, sandbox: ServerThread) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=web.url)
    async with httpx.AsyncClient(base_url=sandbox.url) as idp:
        back = await _login(idp, await started(http), WANG)
    assert (await http.get(back.headers["location"])).status_code == 303
    return http


async def test_attributes_from_the_id_token_without_userinfo(
    web: ServerThread, sandbox: ServerThread, db: Database, no_userinfo: list[str]
) -> None:
    http = await sign_in(web, sandbox)
    page = await http.get("/apply")
    await http.aclose()
    assert page.status_code == 200 and "我的办理" in page.text
    assert no_userinfo == []


async def test_attributes_from_userinfo_when_the_provider_has_no_claims_parameter(
    web: ServerThread, sandbox: ServerThread, db: Database
) -> None:
    metadata = web.server.config.app.state.oauth.create_client(NAME).server_metadata
    metadata["claims_parameter_supported"] = False
    try:
        http = await sign_in(web, sandbox)
    finally:
        metadata["claims_parameter_supported"] = True
    page = await http.get("/apply")
    await http.aclose()
    assert page.status_code == 200 and "我的办理" in page.text
