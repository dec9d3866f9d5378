"""``ruxue clients add`` registers a county whose secret then gets a token; a second add of the
same id is refused; ``ruxue county relay`` refuses to run on a city. A county registered with an
enrollment URL is shown as running its district's enrollment."""

import asyncio
import json

import httpx
from typer.testing import CliRunner

from ruxue.cli.main import app
from ruxue.kit.db import Database
from tests.support.county import token
from tests.support.helpers import ServerThread
from tests.support.staff import make_staff, staff_client


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


async def test_clients_add_a_county_that_runs_enrollment(
    web: ServerThread, db: Database, cli_env: None
) -> None:
    args = ["clients", "add", "--client-id", "wuzhong", "--name", "吴中区入学系统",
            "--district", "320506", "--enrollment-url", "https://wz.example/"]  # fmt: skip
    added = await asyncio.to_thread(CliRunner().invoke, app, args)
    assert added.exit_code == 0, added.output
    admin = await staff_client(web, "admin-cl", await make_staff(db, "admin-cl", "admin"))
    picture = (await admin.get("/api/v1/county/picture")).json()
    assert [c["enrollment_url"] for c in picture["counties"]] == ["https://wz.example/"]
    page = await admin.get("/staff/county")
    assert '吴中区入学报名在该系统办理（本系统不受理）：<a href="https://wz.example/">' in page.text
    body = {"client_id": "wuzhong-2", "name": "吴中区", "district_code": "320506"}
    script = await admin.post(
        "/api/v1/county/clients", json=body | {"enrollment_url": "javascript:alert(1)"}
    )
    assert script.status_code == 422
    await admin.aclose()


def test_clients_add_names_a_bad_field_instead_of_a_traceback(cli_env: None) -> None:
    args = ["clients", "add", "--client-id", "x1", "--name", "某县", "--district", "32050"]
    added = CliRunner().invoke(app, [*args, "--enrollment-url", "javascript:alert(1)"])
    assert added.exit_code == 2 and added.exception is not None
    assert "参数 district_code 不正确" in added.output
    assert "参数 enrollment_url 不正确" in added.output
    assert "Traceback" not in added.output
