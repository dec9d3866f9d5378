"""A reviewer names every document still needed in one request (tell-once), any number of them,
and the approval's confirmation says how a mistake is put right (not "不能撤销")."""

from ruxue.kit.db import Database
from tests.support.helpers import ServerThread
from tests.support.review import BOTH, GUSU, PINGJIANG, sun_needs_materials, upload
from tests.support.staff import make_staff, staff_client
from tests.support.web import visible

WANTED = ["BIRTH_CERTIFICATE", "HUKOU_BOOKLET", "PROPERTY_CERTIFICATE", "SOCIAL_INSURANCE", "OTHER"]


async def test_a_reviewer_asks_for_any_number_of_documents_at_once(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    for kind in BOTH:
        assert (await upload(guardian, no, kind)).status_code == 200  # now under review
    reviewer = await staff_client(
        web, "rev-m", await make_staff(db, "rev-m", "reviewer", district=GUSU)
    )
    form = {"action": "approve", "school_code": PINGJIANG, "category": "A"}
    ask = visible((await reviewer.post(f"/staff/review/{no}", data=form)).text)
    assert "不能撤销" not in ask and "市教育局管理员撤销" in ask
    page = (await reviewer.get(f"/staff/cases/{no}")).text
    assert all(f'id="need_{code}"' in page for code in WANTED)
    request = {"action": "materials", "message": "请补充社保缴纳满一年的证明"}
    request |= {f"need_{code}": "1" for code in WANTED}
    sent = await reviewer.post(f"/staff/review/{no}", data=request)
    assert sent.status_code == 303, sent.text
    case = (await guardian.get(f"/api/v1/cases/{no}")).json()
    assert case["status"] == "needs_materials" and sorted(case["missing"]) == sorted(WANTED)
    status_page = visible((await guardian.get(f"/cases/{no}")).text)
    for name in (
        "出生医学证明",
        "户口簿",
        "不动产权证书或购房合同",
        "社会保险缴纳证明",
        "其他材料",
    ):
        assert name in status_page, name
    for client in (guardian, reviewer):
        await client.aclose()


async def test_the_queue_names_why_each_case_waits_and_filters_by_it(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    reviewer = await staff_client(
        web, "rev-q", await make_staff(db, "rev-q", "reviewer", district=GUSU)
    )
    page = visible((await reviewer.get("/staff")).text)
    assert "转人工原因" in page and "待家长补充材料" in page and no in page
    for kind in BOTH:
        await upload(guardian, no, kind)
    uploaded = visible((await reviewer.get("/staff", params={"reason": "UPLOADED_MATERIALS"})).text)
    assert no in uploaded and "上传材料待核验" in uploaded
    other = (await reviewer.get("/staff", params={"reason": "NO_CATCHMENT", "sort": "newest"})).text
    assert no not in other and "暂无待审核办件" in other
    for client in (guardian, reviewer):
        await client.aclose()
