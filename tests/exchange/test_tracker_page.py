"""The data tracker reaches the guardian as a Chinese page, not raw JSON."""

from ruxue.kit.db import Database
from tests.support.helpers import ServerThread
from tests.support.personas import WANG, WANG_CHILD
from tests.support.session import logged_in


async def test_the_tracker_is_a_page_in_chinese(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    http = await logged_in(web, sandbox, WANG)
    try:
        empty = await http.get("/me/data-tracker")
        assert empty.status_code == 200 and 'id="tracker-empty"' in empty.text
        body = {"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}
        no = (await http.post("/api/v1/cases", json=body)).json()["case_no"]
        page = await http.get("/me/data-tracker")
        assert page.headers["content-type"].startswith("text/html")
        assert "公安" in page.text and no in page.text and "已返回" in page.text
        assert '"department"' not in page.text and "police" not in page.text
        case_page = await http.get(f"/cases/{no}")
        assert 'href="/me/data-tracker"' in case_page.text
    finally:
        await http.aclose()
