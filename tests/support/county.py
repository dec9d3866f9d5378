"""County clients and stage reports for tests."""

import datetime as dt

import httpx

from ruxue.county.demo import step
from ruxue.county.schemas import NewClient
from ruxue.county.service import add_client
from ruxue.kit.db import Database
from tests.support.helpers import ServerThread

CITY_URL = "https://city.example/"  # the city of the county systems in these tests


async def register(db: Database, client_id: str, district: str, **extra: object) -> str:
    async with db.write_session() as session:
        return await add_client(
            session,
            NewClient(
                client_id=client_id, name=f"{district} 县区系统", district_code=district, **extra
            ),  # type: ignore[arg-type]
        )


def report(
    case_no: str, stage: str, version: int, district: str = "320506", **extra: object
) -> dict[str, object]:
    return {
        "case_no": case_no,
        "item_code": "320500-JY-RX-001",
        "item_version": "1",
        "district_code": district,
        "stage": stage,
        "stage_at": dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC).isoformat(),
        "unit": "吴中区教育局",
        "result": "",
        "data_version": version,
        "data_state": 1,
    } | extra


async def token(http: httpx.AsyncClient, client_id: str, secret: str) -> dict[str, str]:
    answer = await http.post(
        "/api/v1/county/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def county_reports(web: ServerThread, db: Database) -> None:
    async with db.write_session() as session:
        await step(session, "SZ-2026-000021", 1, 0)  # the city's own case in 320506, 办结
        await step(session, "SZ-2026-000022", 1, 2)  # and one in manual review (办理)
    for client_id, district, cases in (("wuzhong", "320506", 2), ("kunshan", "320583", 3)):
        secret = await register(db, client_id, district)
        batch = [report(f"{client_id}-{i}", "apply", 1, district) for i in range(cases)]
        batch.append(report(f"{client_id}-0", "accept", 1, district))
        async with httpx.AsyncClient(base_url=web.url) as county:
            auth = await token(county, client_id, secret)
            sent = await county.post(
                "/api/v1/county/reports", json={"reports": batch}, headers=auth
            )
            assert sent.status_code == 200, sent.text
    await register(db, "wujiang", "320509")  # never reports: silent
