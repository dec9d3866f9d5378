"""School staff consult only their own applicants' archives; every consultation is logged and the
archivist sees who, when, which package and why."""

import html
import re
from pathlib import Path

import httpx
import pytest

from ruxue.archive.models import CheckRun
from ruxue.kit.db import Database
from tests.support.browser import pytestmark as needs_chromium
from tests.support.browser import shot
from tests.support.helpers import ServerThread
from tests.support.staff import make_staff, staff_client, staff_page


async def desks(
    web: ServerThread, db: Database, prefix: str
) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    """Signed-in desks of the package's school (平江, the applicant's) and of another (东吴)."""
    return (
        await staff_client(
            web, f"{prefix}-pj", await make_staff(db, f"{prefix}-pj", "desk", school="3205080101")
        ),
        await staff_client(
            web, f"{prefix}-dw", await make_staff(db, f"{prefix}-dw", "desk", school="3205060101")
        ),
    )


async def test_consultation_is_scoped_and_logged(
    package: Path, web: ServerThread, db: Database
) -> None:
    number = package.name
    own, other = await desks(web, db, "lib")
    wz_reviewer = await staff_client(
        web, "lib-wz", await make_staff(db, "lib-wz", "reviewer", district="320506")
    )
    archivist = await staff_client(web, "lib-arc", await make_staff(db, "lib-arc", "archivist"))

    assert (
        await own.get(f"/api/v1/archive/packages/{number}")
    ).status_code == 422  # a reason is required
    assert (
        await own.get(f"/api/v1/archive/packages/{number}", params={"why": " "})
    ).status_code == 400
    view = await own.get(f"/api/v1/archive/packages/{number}", params={"why": "新生报到核对"})
    assert view.status_code == 200
    body = view.json()
    assert (
        body["documents"] == ["content/001-公办地段学位告知书.pdf"] and body["checks"][0]["passed"]
    )
    assert any(e["action"] == "decide" for e in body["trace"])
    pdf = await own.get(
        f"/api/v1/archive/packages/{number}/files/001-公办地段学位告知书.pdf",
        params={"why": "打印"},
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    for client in (other, wz_reviewer):
        assert (
            await client.get(f"/api/v1/archive/packages/{number}", params={"why": "看看"})
        ).status_code == 404
        assert (await client.get(f"/api/v1/archive/packages/{number}/files/001-公办地段学位告知书.pdf",
                                 params={"why": "看看"})).status_code == 404  # fmt: skip
    assert (await own.get("/api/v1/archive/consultations")).status_code == 403
    log = (await archivist.get("/api/v1/archive/consultations")).json()
    assert [(r["username"], r["why"], r["file"]) for r in log] == [
        ("lib-pj", "打印", "001-公办地段学位告知书.pdf"),
        ("lib-pj", "新生报到核对", None),
    ]
    for client in (own, other, wz_reviewer, archivist):
        await client.aclose()


def log_page(response: httpx.Response) -> str:
    """The failed-checks card of the library page."""
    assert response.status_code == 200
    match = re.search(r'<table id="failed-checks">(.*?)</table>', response.text, re.S)
    assert match, "no failed-checks card"
    return match.group(1)


async def test_library_pages_show_only_own_packages_and_log_each_look(
    package: Path, web: ServerThread, db: Database
) -> None:
    number = package.name
    own, other = await desks(web, db, "pg")
    archivist = await staff_client(web, "pg-arc", await make_staff(db, "pg-arc", "archivist"))

    listing = await own.get("/staff/archive")
    assert listing.status_code == 200 and number in listing.text and "王*明" in listing.text
    assert number not in (await other.get("/staff/archive")).text
    address = await own.get(f"/staff/archive/{number}", params={"why": "看看"})
    assert address.status_code == 303  # the reason never travels in an address: to the form
    assert 'method="post"' in listing.text and "why=" not in listing.text
    refused = await own.post(f"/staff/archive/{number}")
    assert refused.status_code == 400 and "请填写调阅事由" in refused.text
    assert (await other.post(f"/staff/archive/{number}", data={"why": "看看"})).status_code == 404

    view = await own.post(f"/staff/archive/{number}", data={"why": "新生报到核对"})
    assert view.status_code == 200 and "新生报到核对" not in str(view.url)
    for shown in (number, "001-公办地段学位告知书.pdf", "自动审核", "归档检测", "通过", "说明"):
        assert shown in view.text, shown
    items = re.findall(r'<tr><td class="muted">(GD-\d-\d+)</td>', view.text)
    assert len(items) == 13 and "全部通过" in view.text  # every item of the 四性检测, not one line
    trace = re.search(r'<table id="trace">(.*?)</table>', view.text, re.S)
    assert trace and "监护人（网上）" in trace.group(1) and "系统" in trace.group(1)
    assert "guardian:" not in trace.group(1)  # issue 23: who, in words, never a code
    assert "why=" not in view.text
    forms = re.findall(
        r'<form method="post" action="(/staff/archive/[^"]+/files/[^"]+)">', view.text
    )
    assert len(forms) == 1
    pdf = await own.post(html.unescape(forms[0]), data={"why": "新生报到核对"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    assert "全部通过" in log_page(await archivist.get("/staff/archive"))
    assert "四性检测未通过" not in listing.text  # a desk does not see the preservation alerts
    async with db.write_session() as session:
        session.add(CheckRun(archive_no=number, stage="LTP", passed=False,
                             results=[{"code": "GD-1-1", "name": "x", "passed": False, "why": "data/x 校验和不符"}]))  # fmt: skip
    alerts = log_page(await archivist.get("/staff/archive"))
    assert number in alerts and "GD-1-1 data/x 校验和不符" in alerts and "定期检测" in alerts

    log = await archivist.get("/staff/archive")
    rows = re.findall(r"<tr><td[^>]*>[^<]*</td><td>(pg-[a-z]+)</td>", log.text)
    assert rows == [
        "pg-pj",
        "pg-pj",
    ]  # the view and the download; refused looks are not consultations
    assert "新生报到核对" in log.text and "下载 001-公办地段学位告知书.pdf" in log.text
    for client in (own, other, archivist):
        await client.aclose()


@pytest.mark.slow
@needs_chromium
@pytest.mark.once
async def test_desk_consults_a_package_in_the_browser(
    package: Path, web: ServerThread, db: Database
) -> None:
    async with staff_page(db, web.url, "br-pj", "3205080101") as page:
        await page.click("#archive-link")
        await page.wait_for_url(f"{web.url}/staff/archive")
        await page.fill("input[name=why]", "新生报到核对")
        await shot(page, "archive-1-catalogue")
        await page.click("button.consult")
        await page.wait_for_selector("#archive-no")
        assert package.name in await page.inner_text("#archive-no")
        assert "自动审核" in await page.inner_text("#trace")
        await shot(page, "archive-2-package")
        assert "why=" not in page.url  # the reason went in the form's body
        assert await page.locator(".check-items tr").count() == 14  # a header and 13 items
        async with page.expect_download() as download:
            await page.click("#documents button.download")
        assert (await download.value).suggested_filename.endswith(".pdf")
