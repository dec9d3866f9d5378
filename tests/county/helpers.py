"""County clients and stage reports for tests."""

import datetime as dt

import httpx

from ruxue.county.schemas import NewClient
from ruxue.county.service import add_client
from ruxue.kit.db import Database

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
