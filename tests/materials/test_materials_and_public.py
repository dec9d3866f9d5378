"""Tell-once uploads (type by content, size), the public guide, catchment lookup and OpenAPI."""

import io
from pathlib import Path

import httpx
import pikepdf
from PIL import Image
from sqlalchemy import select

from ruxue.kit.db import Database
from ruxue.materials.models import Material
from ruxue.materials.service import read_upload
from tests.support import files
from tests.support.helpers import ServerThread
from tests.support.materials import PNG, _at_materials_step
from tests.support.personas import CHEN
from tests.support.session import logged_in


async def test_upload_is_checked_by_content_and_sent_to_review(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    http = await logged_in(web, sandbox, CHEN)
    no = await _at_materials_step(http)
    url = f"/api/v1/cases/{no}/materials/upload"
    fake = await http.post(
        url,
        data={"kind": "BIRTH_CERTIFICATE"},
        files={"file": ("cert.pdf", b"not a pdf", "application/pdf")},
    )
    assert fake.status_code == 400 and "PDF、JPG 或 PNG" in fake.json()["message"]
    empty = await http.post(
        url, data={"kind": "BIRTH_CERTIFICATE"}, files={"file": ("cert.png", b"", "image/png")}
    )
    assert empty.status_code == 400
    ok = await http.post(
        url, data={"kind": "BIRTH_CERTIFICATE"}, files={"file": ("出生证.png", PNG, "image/png")}
    )
    assert ok.status_code == 200, ok.text
    pdf = files.pdf()
    scan = await http.post(
        url,
        data={"kind": "BIRTH_CERTIFICATE"},
        files={"file": ("出生证.pdf", pdf, "application/pdf")},
    )
    assert scan.status_code == 200, scan.text
    bomb = await http.post(
        url,
        data={"kind": "BIRTH_CERTIFICATE"},
        files={"file": ("b.pdf", files.pdf_bomb(), "application/pdf")},
    )
    assert bomb.status_code == 400 and "解压后超过" in bomb.json()["message"]
    await _stored_encrypted(db, pdf)
    await http.post(f"/api/v1/cases/{no}/materials/done")
    result = (await http.post(f"/api/v1/cases/{no}/submit")).json()
    # the birth certificate was found by the health department anyway; the upload still asks for a check
    assert result["outcome"] == "manual_review" and "UPLOADED_MATERIALS" in result["reasons"]
    await http.aclose()


async def _stored_encrypted(db: Database, pdf: bytes) -> None:
    """On disk only ciphertext; ``read_upload`` gives back files that open."""
    async with db.read_session() as session:
        image, document = (await session.scalars(select(Material).order_by(Material.id))).all()
    _check_encrypted(image, document, pdf)


def _check_encrypted(image: Material, document: Material, pdf: bytes) -> None:
    for material in (image, document):
        stored = Path(material.path).read_bytes()
        plain = read_upload(material)
        assert stored.startswith(b"ruxue-sm4-gcm:") and plain[16:80] not in stored
        assert b"PNG" not in stored and b"%PDF" not in stored
    with Image.open(io.BytesIO(read_upload(image))) as png:
        png.load()
        assert png.format == "PNG" and png.size == (320, 200)
    assert read_upload(document) == pdf and len(pikepdf.open(io.BytesIO(pdf)).pages) == 1


async def test_catchment_lookup_guide_and_openapi(web: ServerThread, schools: None) -> None:
    async with httpx.AsyncClient(base_url=web.url) as http:
        by_code = (await http.get("/api/v1/catchment", params={"q": "GS-PJ-001"})).json()
        assert {s["name"] for s in by_code[0]["schools"]} == {
            "苏州市平江实验学校",
            "苏州市第十六中学",
        }
        by_street = (await http.get("/api/v1/catchment", params={"q": "东吴北路"})).json()
        assert by_street[0]["schools"][0]["name"] == "苏州市吴中区东吴实验小学"
        page = await http.get("/catchment", params={"q": "平江路"})
        assert "苏州市平江实验学校" in page.text
        guide = await http.get("/guide")
        assert "2019年09月01日至2020年08月31日" in guide.text and "办理步骤" in guide.text
        spec = (await http.get("/openapi.json")).json()
        assert "/api/v1/cases/{case_no}/submit" in spec["paths"]
