"""One error handler: a person gets a Chinese page, a client of the API JSON with a code; no text
from a URL is printed as ours; an unexpected error shows a reference, never a traceback."""

import httpx
import pytest
import structlog
from fastapi import APIRouter

from ruxue.kit.db import Database
from ruxue.settings import Settings
from ruxue.web.app import create_app
from tests.support.helpers import ServerThread
from tests.support.materials import _at_materials_step
from tests.support.personas import CHEN, WANG, WANG_CHILD
from tests.support.session import logged_in
from tests.support.staff import make_staff, staff_client
from tests.support.web import is_page, visible

MARK = "<script>alert('注入')</script>"
MISTYPED = WANG_CHILD[:-1] + "4"  # a wrong check digit


async def test_text_in_a_url_is_never_shown(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    chen = await logged_in(web, sandbox, CHEN)
    no = await _at_materials_step(chen)
    desk = await staff_client(web, "desk-e", await make_staff(db, "desk-e", "desk", "3205080101"))
    for client, path in (
        (chen, f"/cases/{no}/step/6"),
        (desk, "/staff"),
        (desk, "/staff/archive"),
        (chen, "/apply"),
    ):
        page = await client.get(path, params={"error": MARK})
        assert page.status_code == 200, path
        assert "alert" not in page.text and "注入" not in page.text, path
        assert 'role="alert"' not in page.text, path  # no banner at all
    await chen.aclose()
    await desk.aclose()


async def test_a_step_error_is_shown_once_without_a_url(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    chen = await logged_in(web, sandbox, CHEN)
    no = await _at_materials_step(chen)
    wrong = await chen.post(f"/cases/{no}/residence", data={"cert_no": "苏(2099)不存在"})
    assert wrong.status_code == 303 and wrong.headers["location"] == f"/cases/{no}/step/5"
    shown = await chen.get(wrong.headers["location"])
    assert "所选房产不在家庭名下的住宅中" in visible(shown.text)
    again = await chen.get(wrong.headers["location"])
    assert "所选房产不在家庭名下的住宅中" not in again.text  # a flash: once
    await chen.aclose()


async def test_mistyped_id_on_the_form_is_shown_beside_the_field(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    wang = await logged_in(web, sandbox, WANG)
    form = await wang.post("/apply/primary", data={"child_id": MISTYPED, "consent": "1"})
    assert form.status_code == 400 and form.headers["content-type"].startswith("text/html")
    assert 'id="child_id-error"' in form.text and "校验位不正确" in form.text
    assert f'value="{MISTYPED}"' in form.text and 'aria-invalid="true"' in form.text
    assert (await wang.get("/api/v1/cases")).json() == []  # nothing half-written
    await wang.aclose()


async def test_mistyped_id_over_the_api_is_400_json_with_a_code(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    wang = await logged_in(web, sandbox, WANG)
    body = {"segment": "primary", "child_id_number": MISTYPED, "consent": True}
    answer = await wang.post("/api/v1/cases", json=body)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "id_number",
        "message": "身份证号码校验位不正确，请核对后重新输入",
        "problem": "check",
    }
    await wang.aclose()


async def test_framework_errors_speak_json_to_the_api_and_chinese_to_people(
    web: ServerThread,
) -> None:
    async with httpx.AsyncClient(base_url=web.url) as http:
        unknown = await http.get("/api/v1/no-such-thing")
        assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
        assert "不存在" in unknown.json()["message"]
        page = await http.get("/no-such-page")
        assert is_page(page, 404, "页面不存在") and "您访问的页面不存在" in page.text
        wrong_method = await http.get("/api/v1/cases/RX1/submit")
        assert wrong_method.status_code == 405
        assert wrong_method.json()["error"] == "method_not_allowed"
        assert wrong_method.headers["allow"] == "POST"
        assert is_page(await http.get("/staff/desk/register"), 405, "操作方式不正确")
        invalid = await http.post("/api/v1/staff/login", json={"username": 1})
        assert invalid.status_code == 422 and invalid.json()["error"] == "invalid_request"
        assert {tuple(f["loc"]) for f in invalid.json()["detail"]} >= {("body", "password")}
        asked_json = await http.get("/no-such-page", headers={"accept": "application/json"})
        assert asked_json.json()["error"] == "not_found"


@pytest.mark.slow
async def test_staff_case_out_of_scope_is_a_404_page(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    from tests.support.flow import apply
    from tests.support.personas import LIU

    wang = await logged_in(web, sandbox, WANG)
    no = (await apply(wang, sandbox, "primary", WANG_CHILD, LIU))["case_no"]  # 平江实验学校
    secret = await make_staff(db, "desk-dw-e", "desk", school="3205060101")  # 东吴实验小学
    other = await staff_client(web, "desk-dw-e", secret)
    page = await other.get(f"/staff/cases/{no}")
    assert is_page(page, 404, "页面不存在") and "返回工作台" in page.text
    assert "办件不存在或不在您的权限范围内" in page.text and WANG_CHILD not in page.text
    await wang.aclose()
    await other.aclose()


async def test_an_unexpected_error_shows_a_reference_not_a_traceback(settings: Settings) -> None:
    app = create_app(settings)
    broken = APIRouter()

    @broken.get("/broken")
    @broken.get("/api/v1/broken")
    async def boom() -> None:
        raise RuntimeError("secret internals at line 42")

    app.include_router(broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
        with structlog.testing.capture_logs() as logs:
            page = await http.get("/broken")
            api = await http.get("/api/v1/broken")
    assert is_page(page, 500, "系统异常") and "参考编号" in page.text
    assert "secret internals" not in page.text and "Traceback" not in page.text
    assert api.status_code == 500 and api.json()["error"] == "internal_error"
    assert "secret internals" not in api.text
    refs = [entry["ref"] for entry in logs if entry.get("event") == "unexpected error"]
    assert len(refs) == 2 and refs[0] in page.text and refs[1] == api.json()["ref"]


async def test_an_existing_case_is_linked_only_for_its_own_family(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    from tests.support.flow import apply
    from tests.support.personas import LIU

    wang = await logged_in(web, sandbox, WANG)
    no = (await apply(wang, sandbox, "primary", WANG_CHILD, LIU))["case_no"]
    form = {"child_id": WANG_CHILD, "consent": "1"}
    again = await wang.post("/apply/primary", data=form)
    assert "不能重复报名" in again.text and f'href="/cases/{no}"' in again.text
    assert (await wang.get(f"/cases/{no}")).status_code == 200  # the link opens
    mother = await logged_in(web, sandbox, LIU)
    other = await mother.post("/apply/primary", data=form)
    assert "不能重复报名" in other.text
    assert f'href="/cases/{no}"' not in other.text  # not hers to open: told, not linked
    await wang.aclose()
    await mother.aclose()
