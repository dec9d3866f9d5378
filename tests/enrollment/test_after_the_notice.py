"""After the notice the status page says what comes next: where to report, what to bring, whom to
call (the school data has no phone: the district's office) and how to decline the seat."""

from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in
from tests.support.web import visible


async def test_the_notice_page_gives_next_steps_and_how_to_decline(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    http = await logged_in(web, sandbox, WANG)
    case = await apply(http, sandbox, "primary", WANG_CHILD, LIU)
    assert case["outcome"] == "notice_issued"
    page = (await http.get(f"/cases/{case['case_no']}")).text
    steps = visible(page.split('id="next-steps"')[1].split("</section>")[0])
    assert f"到{case['school_name']}报到" in steps
    assert "户口簿原件" in steps and "学位告知书" in steps  # what to bring
    assert "招生办公室" in steps and "0512-12345" in steps  # whom to ask (the policy's contact)
    assert "放弃学位" in steps and case["case_no"] in steps  # how to decline, with the number
    await http.aclose()
