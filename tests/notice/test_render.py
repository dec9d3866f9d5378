"""The notice as a reader sees it: Chinese text through pdftotext, the QR code through zbarimg."""

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pikepdf
import pytest

from ruxue.notice.render import render_notice
from tests.support.notice import DATA
from tests.support.tools import checked_pdf_text


def test_text_fonts_and_pdfa_identification() -> None:
    pdf = render_notice(DATA)
    text = checked_pdf_text(pdf)
    for expected in (
        "公办地段学位告知书",
        "王小明",
        "320508********0213",
        "苏州市平江实验学校",
        "苏州市姑苏区教育局",
        "2026年06月15日",
    ):
        assert expected in text
    fonts = subprocess.run(
        ["pdffonts", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "UMing" in fonts and " no " not in fonts.split("\n", 2)[2]  # every font embedded
    with pikepdf.open(io.BytesIO(pdf)) as doc, doc.open_metadata() as meta:
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
        assert len(doc.Root.OutputIntents) == 1


@pytest.mark.skipif(
    shutil.which("zbarimg") is None and os.environ.get("CI") != "true", reason="zbar-tools missing"
)
def test_qr_code_opens_the_verification_page() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "n.pdf").write_bytes(render_notice(DATA))
        subprocess.run(["pdftoppm", "-png", "-r", "100", f"{tmp}/n.pdf", f"{tmp}/page"], check=True)
        decoded = subprocess.run(
            ["zbarimg", "-q", "--raw", f"{tmp}/page-1.png"], capture_output=True, text=True
        )
    assert decoded.stdout.strip() == DATA.verify_url


def test_language_and_title_for_assistive_technology() -> None:
    pdf = render_notice(DATA)
    checked_pdf_text(pdf)  # qpdf --check passes
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    assert "Title:           公办地段学位告知书 320508-2026-ABC1234567" in info.decode()
    with pikepdf.open(io.BytesIO(pdf)) as doc, doc.open_metadata() as meta:
        assert str(doc.Root.Lang) == "zh-CN"
        assert bool(doc.Root.ViewerPreferences.DisplayDocTitle) is True
        assert meta.get("dc:title") == "公办地段学位告知书 320508-2026-ABC1234567"


def test_tagged_structure_in_reading_order() -> None:
    """poppler reads the structure tree back: every text as H1 or P, the seal and the QR code as
    figures with alternative text."""
    pdf = render_notice(DATA)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "n.pdf").write_bytes(pdf)
        out = subprocess.run(
            ["pdfinfo", "-struct-text", f"{tmp}/n.pdf"], capture_output=True, text=True, check=True
        ).stdout
        info = subprocess.run(
            ["pdfinfo", f"{tmp}/n.pdf"], capture_output=True, text=True, check=True
        ).stdout
    assert "Tagged:          yes" in info
    kinds = [line.split()[0] for line in out.splitlines()[1:] if not line.strip().startswith('"')]
    assert kinds == ["H1"] + ["P"] * 10 + ["Figure", "Figure", "P"]
    for text in (
        "公办地段学位告知书",
        "王小明同学的监护人：",
        "就读学校：苏州市平江实验学校",
        "2026年06月15日",
    ):
        assert f'"{text}"' in out
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        figures = [k for k in doc.Root.StructTreeRoot.K.K if k.S == "/Figure"]
        assert [str(f.Alt) for f in figures] == [
            "苏州市姑苏区教育局入学专用章（电子印章图案）",
            f"核验二维码，内容为网址 {DATA.verify_url}",
        ]


def test_the_channel_is_named_for_every_channel() -> None:
    from dataclasses import replace

    from ruxue.notice.render import rows

    for code, label in {
        "online": "网上办理",
        "offline": "学校现场办理",
        "kiosk": "自助终端",
    }.items():
        assert ("办理渠道", label) in rows(replace(DATA, channel=code))
