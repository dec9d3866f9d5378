"""Login at a terminal: the card reader's read and a live face capture, checked by the identity
platform (读卡 + 人脸比对). The terminal never decides who someone is."""

from dataclasses import dataclass

import httpx

from ruxue.identity.service import Guardian
from ruxue.kit.errors import RuxueError, Unavailable
from ruxue.kit.http import client as http_client
from ruxue.settings import Settings

MISMATCH = {
    "card_invalid": "身份证读取无效，请将本人有效身份证重新放在读卡区。",
    "face_mismatch": "人脸比对未通过，请本人正对摄像头重新比对；非本人不能办理。",
}


@dataclass(frozen=True)
class CardRead:
    id_number: str
    name: str
    card_serial: str
    face: str  # the camera's capture (in production an image; in the sandbox a token)


async def card_face(settings: Settings, read: CardRead) -> Guardian:
    try:
        async with http_client(settings.ca_bundle, timeout=10) as http:
            response = await http.post(
                f"{settings.idp_url.rstrip('/')}/api/card-face",
                json={
                    "id_number": read.id_number,
                    "name": read.name,
                    "card_serial": read.card_serial,
                    "face": read.face,
                },
                auth=(settings.oidc_client_id, settings.oidc_client_secret),
            )
    except httpx.HTTPError:
        raise Unavailable("身份核验服务暂时不可用，请稍后再试，或到窗口办理。") from None
    if response.status_code != 200:
        raise Unavailable("身份核验服务暂时不可用，请稍后再试，或到窗口办理。")
    body = response.json()
    if not body.get("match"):
        raise RuxueError(MISMATCH.get(body.get("error", ""), MISMATCH["face_mismatch"]))
    return Guardian(
        id_number=body["id_number"], name=body["name"], acr=body["acr"], phone=body["phone"]
    )
