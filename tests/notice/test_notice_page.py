"""The notice as a web page: the PDF's text, for its guardian only."""

import httpx

from ruxue.kit.db import Database
from ruxue.settings import Settings
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.notice import make_document
from tests.support.personas import LI, LIU, WANG, WANG_CHILD, ZHAO, ZHAO_CHILD
from tests.support.session import logged_in


async def test_guardian_reads_the_notice_as_a_page_others_cannot(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings
) -> None:
    wang = await logged_in(web, sandbox, WANG)
    case = await apply(wang, sandbox, "primary", WANG_CHILD, LIU)
    no = case["case_no"]
    await make_document(db, settings, no)  # the job sealed it: the page links the PDF
    page = await wang.get(f"/cases/{no}/notice.html")
    assert page.status_code == 200
    expected = [
        f"<title>公办地段学位告知书 {case['notice_no']}",
        "<h1>公办地段学位告知书</h1>",
        "王小明同学的监护人",
        "<dt>就读学校</dt><dd>苏州市平江实验学校</dd>",
        f'href="/api/v1/cases/{no}/notice.pdf"',
    ]
    assert [text for text in expected if text not in page.text] == []
    li = await logged_in(web, sandbox, LI)
    assert (await li.get(f"/cases/{no}/notice.html")).status_code == 404
    async with httpx.AsyncClient(base_url=web.url) as anonymous:
        assert (await anonymous.get(f"/cases/{no}/notice.html")).headers[
            "location"
        ] == f"/auth/login?next=/cases/{no}/notice.html"
    await wang.aclose()
    await li.aclose()


async def test_a_rejected_case_reads_its_rejection_as_a_page(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings
) -> None:
    zhao = await logged_in(web, sandbox, ZHAO)  # a 2013 child applying for grade 1
    case = await apply(zhao, sandbox, "primary", ZHAO_CHILD, None)
    no = case["case_no"]
    await make_document(db, settings, no)  # the job kept it: the page links the PDF
    assert case["outcome"] == "rejected"
    status = await zhao.get(f"/cases/{no}")
    assert f'href="/cases/{no}/notice.html"' in status.text
    page = await zhao.get(f"/cases/{no}/notice.html")
    assert page.status_code == 200
    expected = [
        f"<title>不予通过告知书 {case['rejection_no']}",
        "<h1>不予通过告知书</h1>",
        "不予通过。理由如下：",
        "不符合本年度一年级入学年龄",
        "向苏州市姑苏区人民政府申请行政复议",
        "六个月内",
        f'href="/api/v1/cases/{no}/rejection.pdf"',
    ]
    assert [text for text in expected if text not in page.text] == []
    assert "就读学校" not in page.text
    await zhao.aclose()
