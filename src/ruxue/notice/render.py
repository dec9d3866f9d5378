"""The seat notice (公办地段学位告知书) as a one-page PDF with an embedded CJK font, marked PDF/A-2b.

reportlab rather than WeasyPrint: measured here, WeasyPrint took ~1 s a page with AR PL UMing and
~90 ms with WenQuanYi, reportlab ~14 ms, because it parses the font once per process and subsets
per document. pikepdf adds the PDF/A-2b identification (XMP) and the sRGB output intent.
"""

import datetime as dt
import io
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pikepdf
import segno
from PIL import ImageCms
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ruxue.notice.tagged import Tags, add_structure
from ruxue.policy.explain import CHANNELS

FONT_CANDIDATES = (
    (Path("/usr/share/fonts/truetype/arphic/uming.ttc"), 0),  # AR PL UMing CN, a Song (明体) face
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
)
FONT = "NoticeSong"
SEAL_RED = Color(0.80, 0.05, 0.05)


@dataclass(frozen=True)
class NoticeData:
    notice_no: str
    child_name: str
    child_id_masked: str
    segment: str
    school_name: str
    category: str
    issuer: str
    issued_on: dt.date
    verify_url: str
    channel: str = "online"
    placement: str | None = None  # the cohort's run: "overflow" is a 统筹 seat


OVERFLOW_ROW = ("安排方式", "区教育局统筹安排（施教区学校学位已满）")
NOTE = "请按学校通知的时间携带本告知书（电子版或打印件）到校报到。扫描左下角二维码可核验真伪。"


def title(data: NoticeData) -> str:
    return f"公办地段学位告知书 {data.notice_no}"


def opening_lines(data: NoticeData) -> list[str]:
    """The opening sentence, in the PDF's two lines (the HTML view joins them)."""
    return [
        f"经审核，{data.child_name}（身份证号码 {data.child_id_masked}）符合{data.issued_on.year}年",
        f"义务教育公办学校{data.segment}入学条件，现告知如下：",
    ]


def rows(data: NoticeData) -> list[tuple[str, str]]:
    channel = CHANNELS.get(data.channel, data.channel)
    return [
        ("就读学校", data.school_name),
        ("入学顺位", data.category),
        ("学段", data.segment),
        ("办理渠道", channel),
        *([OVERFLOW_ROW] if data.placement == "overflow" else []),
    ]


class FontMissing(RuntimeError):
    pass


@lru_cache(maxsize=1)
def register_font() -> str:
    for path, index in FONT_CANDIDATES:
        if path.exists():
            pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=index))
            return FONT
    raise FontMissing(
        "没有可嵌入的中文字体：请安装 Debian 软件包 fonts-arphic-uming（make setup 会安装）"
    )


@lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def render_notice(data: NoticeData) -> bytes:
    font = register_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=font, invariant=1, pageCompression=1)
    canvas.setTitle(title(data))
    canvas.setAuthor(data.issuer)
    canvas.setSubject("入学一件事")
    tags = Tags(canvas)
    _body(tags, data, font)
    seal_and_qr(tags, data.issuer, data.verify_url, font)
    canvas.showPage()
    canvas.save()
    return mark_pdfa(buffer.getvalue(), title(data), data.issuer, tags.elements)


def _body(tags: Tags, data: NoticeData, font: str) -> None:
    """The text, each paragraph a structure element (H1 or P) in reading order."""
    canvas, (width, height) = tags.canvas, A4
    canvas.setFillColor(black)
    with tags.element("H1"):
        canvas.setFont(font, 24)
        canvas.drawCentredString(width / 2, height - 40 * mm, "公办地段学位告知书")
    with tags.element("P"):
        canvas.setFont(font, 11)
        canvas.drawRightString(width - 25 * mm, height - 52 * mm, f"编号：{data.notice_no}")
    canvas.setFont(font, 14)
    with tags.element("P"):
        canvas.drawString(25 * mm, height - 70 * mm, f"{data.child_name}同学的监护人：")
    y = height - 82 * mm
    with tags.element("P"):
        for line in opening_lines(data):
            canvas.drawString(33 * mm, y, line)
            y -= 9 * mm
    y -= 4 * mm
    for label, value in rows(data):
        with tags.element("P"):
            canvas.drawString(33 * mm, y, f"{label}：{value}")
        y -= 10 * mm
    with tags.element("P"):
        canvas.setFont(font, 11)
        canvas.drawString(25 * mm, y - 6 * mm, NOTE)
    signature(tags, data.issuer, data.issued_on, font)


SEAL_X, SEAL_Y, SEAL_R = 145 * mm, 92 * mm, 21 * mm


def signature(tags: Tags, issuer: str, issued_on: dt.date, font: str) -> None:
    """The issuer and the date, centred under the seal and clear of it, so the seal's
    "入学专用章" stays readable (issue 23)."""
    canvas = tags.canvas
    canvas.setFont(font, 14)
    top = SEAL_Y - SEAL_R - 7 * mm
    for y, line in ((top, issuer), (top - 8 * mm, f"{issued_on:%Y年%m月%d日}")):
        with tags.element("P"):
            canvas.drawCentredString(SEAL_X, y, line)


def _seal(
    canvas: Canvas, issuer: str, font: str, cx: float, cy: float, radius: float = 21 * mm
) -> None:
    """The electronic seal's image: a red round seal with the issuer's name."""
    canvas.saveState()
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillColor(SEAL_RED)
    canvas.setLineWidth(1.6)
    canvas.circle(cx, cy, radius, stroke=1, fill=0)
    canvas.setFont(font, 11)
    span = 220.0
    for i, char in enumerate(issuer):
        angle = 90 + span / 2 - span * i / max(len(issuer) - 1, 1)
        canvas.saveState()
        canvas.translate(
            cx + (radius - 5 * mm) * math.cos(math.radians(angle)),
            cy + (radius - 5 * mm) * math.sin(math.radians(angle)),
        )
        canvas.rotate(angle - 90)
        canvas.drawCentredString(0, -1.5 * mm, char)
        canvas.restoreState()
    _star(canvas, cx, cy, 5 * mm)
    canvas.setFont(font, 8)
    canvas.drawCentredString(cx, cy - 11 * mm, "入学专用章")
    canvas.restoreState()


def _star(canvas: Canvas, cx: float, cy: float, r: float) -> None:
    path = canvas.beginPath()
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.4
        angle = math.radians(90 + 36 * k)
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        path.moveTo(x, y) if k == 0 else path.lineTo(x, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def _qr(canvas: Canvas, url: str) -> None:
    """The QR code drawn as vector squares (crisp in print, no image to encode). A fixed mask
    pattern: the standard allows any, and searching for the best one cost ~10 ms a notice."""
    qr = segno.make(url, error="m", mask=2)
    size, x0, y0 = 32 * mm, 25 * mm, 40 * mm
    cell = size / (len(qr.matrix) + 4)
    canvas.saveState()
    canvas.setFillColor(black)
    path = canvas.beginPath()
    for row, line in enumerate(qr.matrix):
        col = 0
        while col < len(line):  # one rectangle per run of dark modules: a third of the operators
            if not line[col]:
                col += 1
                continue
            start = col
            while col < len(line) and line[col]:
                col += 1
            path.rect(
                x0 + (start + 2) * cell, y0 + size - (row + 3) * cell, (col - start) * cell, cell
            )
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def seal_and_qr(tags: Tags, issuer: str, verify_url: str, font: str) -> None:
    """The seal, the verification QR code and its caption, each tagged (the figures with their
    alternative text); the same on the seat notice and the 不予通过告知书."""
    canvas = tags.canvas
    with tags.element("Figure", f"{issuer}入学专用章（电子印章图案）"):
        _seal(canvas, issuer, font, SEAL_X, SEAL_Y, SEAL_R)
    with tags.element("Figure", f"核验二维码，内容为网址 {verify_url}"):
        _qr(canvas, verify_url)
    with tags.element("P"):
        canvas.setFont(font, 9)
        canvas.drawString(25 * mm, 36 * mm, "扫码核验告知书真伪")


def mark_pdfa(pdf: bytes, title: str, issuer: str, elements: list[tuple[str, str | None]]) -> bytes:
    """PDF/A-2b marks, the language and title for assistive technology, and the structure tree
    of the tagged ``elements`` (drawn with :class:`Tags`)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        icc = doc.make_stream(srgb_profile())
        icc.N = 3
        doc.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
            OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"), DestOutputProfile=icc,
        )])  # fmt: skip
        with doc.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
            meta["dc:title"] = title
            meta["dc:creator"] = [issuer]
            meta["dc:language"] = ["zh-CN"]
        # for assistive technology: the document's language, and its title shown instead of the
        # file name (PDF/UA 7.1; DocInfo /Title and XMP dc:title carry the same text)
        doc.Root.Lang = pikepdf.String("zh-CN")
        doc.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        add_structure(doc, elements)
        out = io.BytesIO()
        # reportlab has compressed the streams already: qpdf copies them as they are (its default
        # re-encoding cost 3 ms a notice and saved 2 % of the size); the small ICC profile and
        # the XMP packet (which PDF/A wants unfiltered) stay uncompressed
        doc.save(out, deterministic_id=True, compress_streams=False,
                 stream_decode_level=pikepdf.StreamDecodeLevel.none)  # fmt: skip
        return out.getvalue()
