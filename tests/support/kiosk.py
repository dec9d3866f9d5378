"""Shared test support moved from tests/kiosk/test_kiosk.py (imported by other test modules)."""

import httpx

from ruxue.kiosk.service import add_terminal
from ruxue.kit.db import Database
from ruxue.sandbox.app import card_serial, face_of
from tests.support.helpers import ServerThread


async def _terminal(db: Database, code: str) -> str:
    async with db.write_session() as session:
        return await add_terminal(session, code, f"测试大厅 {code}")


def _screen(web: ServerThread, code: str, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=web.url, cookies={"ruxue_kiosk": f"{code}:{key}"}, timeout=30)


def _read(id_number: str, name: str, face: str | None = None) -> dict[str, str]:
    return {"id_number": id_number, "name": name, "card_serial": card_serial(id_number),
            "face": face if face is not None else face_of(id_number)}  # fmt: skip
