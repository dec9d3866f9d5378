"""The 不予通过告知书 of a rejected case: the same page, seal, verification QR code and PDF/A-2b
marks as the seat notice, with the reasons in plain Chinese and how to ask for a review."""

import datetime as dt
import io
from dataclasses import dataclass

from reportlab.lib.colors import black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ruxue.notice.render import mark_pdfa, register_font, seal_and_qr, signature
from ruxue.notice.tagged import Tags

TITLE = "不予通过告知书"
LEFT, RIGHT = 25 * mm, A4[0] - 25 * mm


# how the application was made, as the letter's sentence says it ("您为…{网上}申请的…")
WHERE = {"online": "网上", "offline": "学校现场", "kiosk": "在自助终端", "county": "经县级系统"}


@dataclass(frozen=True)
class Appeal:
    """Where and how a family contests the decision: 复核 with the issuer (the district's period,
    channel and contact), 行政复议 with the review body, 行政诉讼 at a court."""

    office: str = "户籍所在区教育局招生办公室"
    phone: str = "0512-12345"
    channel: str = "到区教育局招生办公室窗口或拨打咨询电话提出"
    review_days: int = 15
    review_body: str = "苏州市人民政府"


@dataclass(frozen=True)
class RejectionData:
    rejection_no: str
    case_no: str
    child_name: str
    child_id_masked: str
    segment: str
    year: int
    reasons: list[str]
    issuer: str
    issued_on: dt.date
    verify_url: str
    channel: str = "online"
    appeal: Appeal = Appeal()


def render_rejection(data: RejectionData) -> bytes:
    font = register_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=font, invariant=1, pageCompression=1)
    title = f"{TITLE} {data.rejection_no}"
    canvas.setTitle(title)
    canvas.setAuthor(data.issuer)
    canvas.setSubject("入学一件事")
    tags = Tags(canvas)
    _rejection_body(tags, data, font)
    seal_and_qr(tags, data.issuer, data.verify_url, font)
    canvas.showPage()
    canvas.save()
    return mark_pdfa(buffer.getvalue(), title, data.issuer, tags.elements)


def review_rights(issuer: str, appeal: Appeal) -> list[str]:
    """How to contest the decision, as a refusal must say: 复核 (period, channel, contact), the
    行政复议机关 and its 60 days (行政复议法 art. 20), 行政诉讼 and its 6 months (行政诉讼法
    art. 46)."""
    return [
        f"如对上述结果有异议，可自收到本告知书之日起{appeal.review_days}日内向{issuer}申请复核："
        f"{appeal.channel}（{appeal.office}，电话 {appeal.phone}），请说明办件编号。",
        f"对本决定不服的，也可以自知道该决定之日起六十日内，依照《中华人民共和国行政复议法》"
        f"向{appeal.review_body}申请行政复议；",
        "或者自知道该决定之日起六个月内，依照《中华人民共和国行政诉讼法》向有管辖权的人民法院"
        "提起行政诉讼。",
    ]


def intro(data: RejectionData) -> str:
    channel = WHERE.get(data.channel, "学校现场")
    return (
        f"您为{data.child_name}（身份证号码 {data.child_id_masked}）{channel}申请的{data.year}年"
        f"义务教育公办学校{data.segment}入学，经审核，不符合本次报名条件，不予通过。理由如下："
    )


def _rejection_body(tags: Tags, data: RejectionData, font: str) -> None:
    """The text, each paragraph a structure element (H1 or P) in reading order."""
    canvas, (width, height) = tags.canvas, A4
    canvas.setFillColor(black)
    with tags.element("H1"):
        canvas.setFont(font, 24)
        canvas.drawCentredString(width / 2, height - 40 * mm, TITLE)
    with tags.element("P"):
        canvas.setFont(font, 11)
        canvas.drawRightString(RIGHT, height - 52 * mm, f"编号：{data.rejection_no}")
        canvas.drawRightString(RIGHT, height - 58 * mm, f"办件编号：{data.case_no}")
    with tags.element("P"):
        canvas.setFont(font, 13)
        canvas.drawString(LEFT, height - 72 * mm, f"{data.child_name}同学的监护人：")
    y = _paragraph(tags, intro(data), font, 13, height - 83 * mm, 7 * mm)
    for n, reason in enumerate(data.reasons, start=1):
        y = _paragraph(tags, f"{n}. {reason}", font, 13, y - 2 * mm, 7 * mm)
    y -= 4 * mm
    for line in review_rights(data.issuer, data.appeal):
        y = _paragraph(tags, line, font, 11, y, 6 * mm)
    signature(tags, data.issuer, data.issued_on, font)


def _paragraph(tags: Tags, text: str, font: str, size: float, y: float, leading: float) -> float:
    """Draw ``text`` as one tagged paragraph wrapped to the right margin (CJK breaks anywhere);
    return the next line's y."""
    canvas, x = tags.canvas, LEFT + 8 * mm
    with tags.element("P"):
        canvas.setFont(font, size)
        for line in wrap(text, font, size, RIGHT - x):
            canvas.drawString(x, y, line)
            y -= leading
    return y


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for char in text:
        if line and stringWidth(line + char, font, size) > width:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines
