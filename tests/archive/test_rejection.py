"""A rejected case is filed like any other: its 不予通过告知书 (reasons, review rights, number,
verification code) is the package's document, and the package passes every 四性 item, bagit and
xmllint. One case rejected online by the rules (a child of the wrong age), one by a reviewer."""

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from ruxue.archive import tasks
from ruxue.archive.check import SCHEMAS, check_package
from ruxue.kit.db import Database
from ruxue.settings import Settings, get_settings
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.materials import PNG, _at_materials_step
from tests.support.notice import downloaded
from tests.support.personas import CHEN, ZHAO, ZHAO_CHILD
from tests.support.session import logged_in
from tests.support.staff import make_staff, staff_client
from tests.support.tools import checked_pdf_text

REJECTION = "content/001-不予通过告知书.pdf"


def independent_tools(package: Path) -> None:
    """bagit-python's command line and libxml2's xmllint (no network) agree the package is sound."""
    bag = subprocess.run(
        [sys.executable, "-m", "bagit", "--validate", str(package)], capture_output=True, text=True
    )
    assert bag.returncode == 0, bag.stderr
    data = package / "data"
    for rel, schema in (("METS.xml", "mets.xsd"), ("metadata/premis.xml", "premis.xsd")):
        run = subprocess.run(
            ["xmllint", "--nonet", "--noout", "--schema", str(SCHEMAS / schema), str(data / rel)],
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0 and "validates" in run.stderr, run.stderr


async def filed(db: Database, case_no: str) -> Path:
    number = await tasks.build_case(db, case_no)
    assert number is not None
    package = get_settings().archive_dir / number
    assert [(i.code, i.why) for i in check_package(package) if not i.passed] == []
    await asyncio.to_thread(independent_tools, package)
    return package


def trace_lines(package: Path) -> list[str]:
    return (package / "data" / "trace" / "events.jsonl").read_text().splitlines()


def trace_times(package: Path) -> list[str]:
    return [json.loads(line)["at"] for line in trace_lines(package)]


async def test_an_online_rejection_is_a_document_and_a_package(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, archive_env: None,
    settings: Settings,
) -> None:  # fmt: skip
    http = await logged_in(web, sandbox, ZHAO)  # a 2013 child applying for grade 1
    case = await apply(http, sandbox, "primary", ZHAO_CHILD, None)
    assert case["outcome"] == "rejected" and "AGE_OUT_OF_RANGE" in case["reasons"]
    assert case["rejection_no"] and case["rejection_url"] and case["notice_url"] is None

    pdf = await downloaded(http, db, settings, case["rejection_url"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join((await asyncio.to_thread(checked_pdf_text, pdf.content)).split())
    for shown in (
        "不予通过告知书",
        case["rejection_no"],
        "不符合本年度一年级入学年龄",
        "申请复核",
        "行政复议",
        "苏州市姑苏区教育局",
        "2026年06月15日",
    ):
        assert shown in text, shown
    page = await http.get(f"/cases/{case['case_no']}")
    assert 'id="rejection"' in page.text and case["rejection_no"] in page.text

    verify = await http.get("/verify/" + case["verify_url"].split("/verify/")[1])
    assert verify.status_code == 200 and "不予通过告知书" in verify.text
    assert 'class="ok result"' not in verify.text and 'id="not-a-seat"' in verify.text  # no green
    for personal in ("赵", ZHAO_CHILD, ZHAO_CHILD[:6] + "********"):
        assert personal not in verify.text

    package = await filed(db, case["case_no"])
    archived = await asyncio.to_thread(
        checked_pdf_text, (package / "data" / REJECTION).read_bytes()
    )
    assert "不符合本年度一年级入学年龄" in "".join(archived.split())
    assert (package / "data" / REJECTION).read_bytes() == pdf.content  # the letter as kept
    assert all(at.endswith("+08:00") for at in trace_times(package))
    actions = [json.loads(line)["action"] for line in trace_lines(package)]
    assert actions[-2:] == ["decide", "rejection_issued"]
    proof = json.loads((package / "data" / "trace" / "log-proof.json").read_text())
    assert proof["tree_head"]["at"] == "2026-06-15T10:00:00+08:00"  # the app's clock
    assert "Bagging-Date: 2026-06-15" in (package / "bag-info.txt").read_text()
    await http.aclose()


async def test_a_reviewers_rejection_is_a_document_and_a_package(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, archive_env: None,
    settings: Settings,
) -> None:  # fmt: skip
    guardian = await logged_in(web, sandbox, CHEN)  # 吴中区: an upload sends the case to review
    no = await _at_materials_step(guardian)
    await guardian.post(
        f"/api/v1/cases/{no}/materials/upload",
        data={"kind": "BIRTH_CERTIFICATE"},
        files={"file": ("c.png", PNG, "image/png")},
    )
    await guardian.post(f"/api/v1/cases/{no}/materials/done")
    assert (await guardian.post(f"/api/v1/cases/{no}/submit")).json()["outcome"] == "manual_review"
    assert await tasks.build_case(db, no) is None  # review is not final: nothing to file yet

    reviewer = await staff_client(
        web, "rej-wz", await make_staff(db, "rej-wz", "reviewer", district="320506")
    )
    reason = "上传的出生医学证明照片与卫健部门记录的出生日期不一致"
    rejected = await reviewer.post(f"/api/v1/review/cases/{no}/reject", json={"reason": reason})
    assert rejected.status_code == 200, rejected.text
    view = (await guardian.get(f"/api/v1/cases/{no}")).json()
    assert view["status"] == "rejected" and view["rejection_no"]
    pdf = await downloaded(guardian, db, settings, view["rejection_url"])
    text = "".join((await asyncio.to_thread(checked_pdf_text, pdf.content)).split())
    assert reason in text and "苏州市吴中区教育局" in text and "行政复议" in text

    package = await filed(db, no)
    contents = sorted(p.name for p in (package / "data" / "content").iterdir())
    assert contents == ["001-不予通过告知书.pdf", "002-出生医学证明.png"]
    archived = await asyncio.to_thread(
        checked_pdf_text, (package / "data" / REJECTION).read_bytes()
    )
    assert reason in "".join(archived.split())
    premis = (package / "data" / "metadata" / "premis.xml").read_text()
    assert "review_reject" in premis and "+08:00</premis:eventDateTime>" in premis
    for client in (guardian, reviewer):
        await client.aclose()


async def test_a_package_without_its_content_fails_by_name_and_never_crashes(
    web: ServerThread,
    sandbox: ServerThread,
    schools: None,
    db: Database,
    archive_env: None,
    tmp_path: Path,
) -> None:
    from shutil import copytree, rmtree

    from typer.testing import CliRunner

    from ruxue.cli.main import app

    http = await logged_in(web, sandbox, ZHAO)
    case = await apply(http, sandbox, "primary", ZHAO_CHILD, None)
    await http.aclose()
    package = await filed(db, case["case_no"])
    broken = tmp_path / "broken" / package.name
    copytree(package, broken)
    rmtree(broken / "data" / "content")
    (broken / "data" / "METS.xml").unlink()
    items = {i.code: i for i in check_package(broken)}
    assert items["GD-3-2"].why == "缺少文件或目录：data/content"
    assert items["GD-1-4"].why == "缺少文件或目录：data/METS.xml"
    assert not items["GD-2-1"].passed and not items["GD-1-1"].passed
    result = CliRunner().invoke(app, ["archive", "check", str(broken)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "缺少文件或目录：data/content" in result.output


async def test_a_desk_rejection_is_printed_and_filed(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, archive_env: None
) -> None:
    desk = await staff_client(
        web, "rej-pj", await make_staff(db, "rej-pj", "desk", school="3205080101")
    )
    body = {
        "segment": "primary",
        "guardian_id_number": ZHAO,
        "child_id_number": ZHAO_CHILD,
        "consent_signed": True,
        "originals_seen": ["HUKOU_BOOKLET"],
    }
    done = await desk.post("/api/v1/staff/offline-cases", json=body)
    assert done.status_code == 201, done.text
    case = done.json()
    assert case["status"] == "rejected"
    pdf = await desk.get(f"/api/v1/staff/cases/{case['case_no']}/rejection.pdf")
    assert pdf.status_code == 200
    text = "".join((await asyncio.to_thread(checked_pdf_text, pdf.content)).split())
    assert "学校现场申请" in text and "不符合本年度一年级入学年龄" in text
    page = await desk.get(f"/staff/cases/{case['case_no']}")
    assert 'id="print-rejection"' in page.text
    package = await filed(db, case["case_no"])
    assert (package / "data" / REJECTION).is_file()
    await desk.aclose()
