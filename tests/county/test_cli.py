"""``ruxue clients add`` registers a county whose secret then gets a token; a second add of the
same id is refused; ``ruxue county relay`` refuses to run on a city."""

import asyncio
import json

import httpx
from typer.testing import CliRunner

from ruxue.cli.main import app
from ruxue.kit.db import Database
from tests.county.helpers import token
from tests.helpers import ServerThread


async def test_clients_add(web: ServerThread, db: Database, cli_env: None) -> None:
    args = [
        "clients",
        "add",
        "--client-id",
        "changshu",
        "--name",
        "常熟市入学系统",
        "--district",
        "320581",
    ]
    added = await asyncio.to_thread(CliRunner().invoke, app, args)
    assert added.exit_code == 0, added.output
    secret = json.loads(added.output.strip().splitlines()[-1])["client_secret"]
    async with httpx.AsyncClient(base_url=web.url) as http:
        assert (await token(http, "changshu", secret))["Authorization"].startswith("Bearer ")
    again = await asyncio.to_thread(CliRunner().invoke, app, args)
    assert again.exit_code == 1 and "已存在" in again.output
    relay = await asyncio.to_thread(CliRunner().invoke, app, ["county", "relay"])
    assert relay.exit_code == 1 and "RUXUE_UPSTREAM_URL" in relay.output
