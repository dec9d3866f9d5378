"""A county system logs in through the city's provider with npm ``openid-client`` 6.9.0 (panva,
OpenID-certified, pinned in ``scripts/oidc-provider.sh``) run by node: discovery, code + PKCE S256,
nonce and state, ``iss`` in the authorization response (RFC 9207: a callback without it is
refused), the ID token checked by the library, userinfo; then the city's RP-initiated
logout reaches it by back-channel logout, whose token it verifies against the city's JWKS."""

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ruxue.kit.db import Database
from ruxue.provider.logouts import deliver
from ruxue.settings import Settings
from tests.support.county import register
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.provider import consent
from tests.support.session import logged_in

ROOT = Path(__file__).resolve().parent.parent.parent
MODULES = ROOT / ".node" / "node_modules"
REDIRECT = "http://127.0.0.1:9/taicang/callback"
AFTER = "http://127.0.0.1:9/taicang/bye"


class Node:
    def __init__(self, env: dict[str, str]) -> None:
        script = str(Path(__file__).parent / "openid_client_rp.mjs")
        self.proc = subprocess.Popen(
            ["node", script], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    async def read(self) -> dict[str, object]:
        line = await asyncio.wait_for(asyncio.to_thread(self.proc.stdout.readline), 30)  # type: ignore[union-attr]
        assert line, f"openid-client ended: {self.proc.wait()}"
        return json.loads(line)

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]


@pytest.mark.skipif(
    (not (MODULES / "openid-client").is_dir() or not shutil.which("node"))
    and os.environ.get("CI") != "true",  # under CI a missing client fails instead
    reason="openid-client is not installed: run scripts/oidc-provider.sh",
)
async def test_openid_client_logs_in_and_is_logged_out(
    web: ServerThread, sandbox: ServerThread, db: Database, settings: Settings
) -> None:
    env = {
        **os.environ,
        "OPENID_CLIENT": str(MODULES / "openid-client" / "build" / "index.js"),
        "JOSE": str(MODULES / "jose" / "dist" / "webapi" / "index.js"),
        "CLIENT_ID": "taicang",
        "REDIRECT": REDIRECT,
        "AFTER": AFTER,
    }
    node = Node(env)
    try:
        backchannel = str((await node.read())["backchannel"])
        secret = await register(
            db,
            "taicang",
            "320585",
            redirect_uris=[REDIRECT],
            post_logout_redirect_uris=[AFTER],
            backchannel_logout_uri=backchannel,
        )
        city = await logged_in(web, sandbox, WANG)
        node.send(json.dumps({"issuer": f"{web.url}/oidc", "secret": secret}))
        authorize = str((await node.read())["authorize"])
        back = await consent(city, await city.get(authorize))
        assert back.status_code in (302, 303), back.text
        node.send(back.headers["location"])
        result = await node.read()
        assert result["without_iss"] == "OAUTH_INVALID_RESPONSE"  # it holds us to RFC 9207
        claims, info = result["claims"], result["userinfo"]
        assert claims["acr"] == "urn:jszwfw:loa:realname:sms" and claims["sid"]  # type: ignore[index]
        assert info["sub"] == claims["sub"] and "*" in info["id_number"]  # type: ignore[index]
        out = await city.get(str(result["end_session"]))
        assert (out.status_code, out.headers["location"]) == (303, AFTER)
        assert (await deliver(db, settings)).sent == 1
        logout = (await node.read())["logout"]
        assert logout["sid"] == claims["sid"] and logout["sub"] == claims["sub"], logout  # type: ignore[index]
        await city.aclose()
    finally:
        if node.proc.poll() is None:
            node.proc.kill()
            node.proc.wait()
