"""The notice as a web page: the PDF's text, for its guardian only."""

import httpx

from ruxue.kit.db import Database
from tests.enrollment.test_api_flow import apply
from tests.enrollment.test_assess import LI, LIU, WANG, WANG_CHILD
from tests.helpers import ServerThread
from tests.web.session import logged_in


async def test_guardian_reads_the_notice_as_a_page_others_cannot(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    wang = await logged_in(web, sandbox, WANG)
    case = await apply(wang, sandbox, "primary", WANG_CHILD, LIU)
    no = case["case_no"]
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
        ] == "/auth/login"
    await wang.aclose()
    await li.aclose()
