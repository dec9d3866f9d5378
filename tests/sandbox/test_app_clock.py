"""The sandbox's SMS log and 12345's order numbers carry the app's clock (``RUXUE_NOW`` in a demo
and in the tests), as the dates beside them do, not the machine's."""

import datetime as dt

import httpx

from ruxue.settings import Settings
from tests.support.helpers import ServerThread


async def test_sms_and_work_orders_carry_the_apps_date(
    sandbox: ServerThread, settings: Settings
) -> None:
    assert settings.now is not None
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        sent = await http.post(
            "/_sandbox/sms", json={"phone": "13900000001", "text": "【苏州入学】测试"}
        )
        assert sent.status_code in (200, 201), sent.text
        messages = (await http.get("/_sandbox/sms", params={"phone": "13900000001"})).json()
        order = await http.post(
            "/_sandbox/12345/workorders",
            json={"sourceOrderNo": "RX-CLOCK-1", "handleDeadline": "2026-06-20"},
        )
    assert dt.datetime.fromisoformat(messages[0]["at"]) == settings.now
    assert order.json()["orderNo"].startswith("JS12345-20260615-")
