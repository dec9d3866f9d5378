"""The 不予通过告知书 as a reader sees it: the reasons and the review rights in the text, fonts
embedded, PDF/A-2b marks, a QR code that opens the verification page; long reasons wrap."""

import datetime as dt
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pikepdf
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth

from ruxue.notice.rejection import RejectionData, render_rejection, wrap
from ruxue.notice.render import register_font
from ruxue.policy.explain import REVIEW_REJECTED, rejection_reasons
from ruxue.policy.loader import load_policy
from tests.support.tools import checked_pdf_text

POLICY = load_policy(2026, "320508")
DATA = RejectionData(
    rejection_no="320508-2026-BY-ABC1234567",
    case_no="RX2026PABC1234567",
    child_name="赵小刚",
    child_id_masked="320508********037X",
    segment="小学一年级（幼升小）",
    year=2026,
    reasons=rejection_reasons(POLICY, ["AGE_OUT_OF_RANGE", "XUEJI_EXISTS"], ""),
    issuer="苏州市姑苏区教育局",
    issued_on=dt.date(2026, 6, 15),
    verify_url="http://127.0.0.1:8000/verify/Zx9-abc_DEF",
)


def test_reasons_review_rights_fonts_and_pdfa() -> None:
    pdf = render_rejection(DATA)
    text = "".join(checked_pdf_text(pdf).split())
    for expected in (
        "不予通过告知书",
        DATA.rejection_no,
        DATA.case_no,
        "320508********037X",
        "不符合本年度一年级入学年龄",
        "已建立小学学籍",
        "申请复核",
        "15日内",  # the district's 复核 period, channel and contact
        "电话0512-12345",
        "六十日内",
        "向苏州市人民政府申请行政复议",  # the review body by name
        "六个月内",
        "提起行政诉讼",
        "苏州市姑苏区教育局",
        "2026年06月15日",
    ):
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout
    assert " no " not in fonts.decode().split("\n", 2)[2]  # every font embedded
    with pikepdf.open(io.BytesIO(pdf)) as doc, doc.open_metadata() as meta:
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
        assert meta.get("dc:title") == f"不予通过告知书 {DATA.rejection_no}"
        assert len(doc.Root.OutputIntents) == 1


def test_a_reviewers_reason_is_the_reason_and_codes_are_words() -> None:
    assert rejection_reasons(POLICY, ["REVIEW_REJECTED"], f"{REVIEW_REJECTED}材料不实") == [
        "材料不实"
    ]
    told = rejection_reasons(POLICY, ["AGE_OUT_OF_RANGE"], "")
    assert told[0].startswith("儿童出生日期不在2019年09月01日至2020年08月31日之间")


@given(st.text(alphabet="不予通过告知书经审核ABC123，。（）", min_size=0, max_size=300))
def test_wrapped_lines_fit_and_keep_every_character(text: str) -> None:
    font, width = register_font(), 150.0
    lines = wrap(text, font, 13, width)
    assert "".join(lines) == text
    assert all(stringWidth(line, font, 13) <= width or len(line) == 1 for line in lines)


@pytest.mark.skipif(
    shutil.which("zbarimg") is None and os.environ.get("CI") != "true", reason="zbar-tools missing"
)
def test_qr_code_opens_the_verification_page() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "r.pdf").write_bytes(render_rejection(DATA))
        subprocess.run(["pdftoppm", "-png", "-r", "100", f"{tmp}/r.pdf", f"{tmp}/page"], check=True)
        decoded = subprocess.run(
            ["zbarimg", "-q", "--raw", f"{tmp}/page-1.png"], capture_output=True, text=True
        )
    assert decoded.stdout.strip() == DATA.verify_url


def test_rejection_declares_language_title_and_is_tagged() -> None:
    """Like the seat notice: /Lang and the title for assistive technology, and a structure tree
    poppler reads back in order (heading, paragraphs with every reason, the two figures)."""
    pdf = render_rejection(DATA)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "r.pdf").write_bytes(pdf)
        out = subprocess.run(
            ["pdfinfo", "-struct-text", f"{tmp}/r.pdf"], capture_output=True, text=True, check=True
        ).stdout
        info = subprocess.run(
            ["pdfinfo", f"{tmp}/r.pdf"], capture_output=True, text=True, check=True
        ).stdout
    assert (
        "Tagged:          yes" in info
        and f"Title:           不予通过告知书 {DATA.rejection_no}" in info
    )
    kinds = [line.split()[0] for line in out.splitlines()[1:] if not line.strip().startswith('"')]
    paragraphs = (
        3 + 1 + len(DATA.reasons) + 3 + 2
    )  # numbers, greeting, intro, reasons, rights, issuer
    assert kinds == ["H1"] + ["P"] * (paragraphs - 1) + ["Figure", "Figure", "P"]
    assert '"不予通过告知书"' in out and '"赵小刚同学的监护人："' in out
    with pikepdf.open(io.BytesIO(pdf)) as doc, doc.open_metadata() as meta:
        assert str(doc.Root.Lang) == "zh-CN" and meta.get("dc:language") == {"zh-CN"}
        assert bool(doc.Root.ViewerPreferences.DisplayDocTitle) is True
        figures = [k for k in doc.Root.StructTreeRoot.K.K if k.S == "/Figure"]
        assert str(figures[0].Alt) == "苏州市姑苏区教育局入学专用章（电子印章图案）"
