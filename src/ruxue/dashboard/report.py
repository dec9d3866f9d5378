"""The weekly 通报 as a printable PDF (reportlab, the CJK font of the seat notice): the scope's
figures, then every district and school that lags behind the configured thresholds, and why."""

import datetime as dt
import io
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ruxue.dashboard.rules import lagging, report_heading
from ruxue.notice.render import register_font
from ruxue.rating.rules import CHINA


def _pct(value: object) -> str:
    return f"{value:.1%}" if isinstance(value, float) else "—"


def _county_part(apps: dict[str, object]) -> str:
    reported = apps.get("reported") or 0
    return f"（含区县系统上报{reported}件）" if reported else ""


def _styles(font: str) -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    title = ParagraphStyle("t", fontName=font, fontSize=18, leading=26, alignment=1)
    head = ParagraphStyle("h", fontName=font, fontSize=13, leading=20, spaceBefore=8)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return title, head, body


def _table(font: str, rows: list[list[str]]) -> Table:
    table = Table(rows, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
            ]
        )
    )
    return table


def weekly_report(
    scope: str,
    as_of: dt.datetime,
    summary: dict[str, object],
    units: Sequence[tuple[str, Sequence[dict[str, object]]]],
    limits: dict[str, float],
    issuer: str = "苏州市教育局",
) -> bytes:
    font = register_font()
    title, head, body = _styles(font)
    day = as_of.astimezone(CHINA)
    heading = report_heading(issuer, as_of)
    centred = ParagraphStyle("c", parent=body, alignment=1)
    story: list[object] = [
        Paragraph(heading.number, centred),
        Paragraph(f"{scope}义务教育入学“一件事”办理情况通报", title),
        Paragraph(f"{heading.week}", centred),
        Paragraph(f"统计截至{day:%Y年%m月%d日 %H:%M}（北京时间）", body),
        Spacer(1, 4 * mm),
    ]
    story += _overview(summary, head, body)
    story += _units(font, head, body, units, limits)
    right = ParagraphStyle("r", parent=body, alignment=2)
    story += [Spacer(1, 8 * mm), Paragraph(heading.issuer, right), Paragraph(heading.date, right)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=f"{scope}入学一件事周通报", invariant=1).build(story)
    return out.getvalue()


def _units(
    font: str,
    head: ParagraphStyle,
    body: ParagraphStyle,
    units: Sequence[tuple[str, Sequence[dict[str, object]]]],
    limits: dict[str, float],
) -> list[object]:
    story: list[object] = []
    for kind, rows in units:
        named = [(row, lagging(row, limits)) for row in rows if row["code"]]  # not "未分配"
        named = [(row, why) for row, why in named if why]
        story.append(Paragraph(f"需要督促的{kind}（{len(named)}个）", head))
        if not named:
            story.append(Paragraph("无。", body))
            continue
        table = [[kind, "自动审批率", "好评率", "逾期整改", "问题"]]
        table += [
            [
                str(r["name"]),
                _pct(r["auto_rate"]),
                _pct(r["good_rate"]),
                str(r["overdue"]),
                Paragraph("；".join(why), body),
            ]
            for r, why in named
        ]
        story.append(_table(font, table))
    return story


def _overview(
    summary: dict[str, object], head: ParagraphStyle, body: ParagraphStyle
) -> list[object]:
    apps, ratings = summary["applications"], summary["ratings"]
    assert isinstance(apps, dict) and isinstance(ratings, dict)
    f = ratings["figures"]
    lines = [
        f"报名{apps['total']}件{_county_part(apps)}，其中系统自动审批{apps['auto_decided']}件，"
        f"自动审批率{_pct(apps['auto_rate'])}（按本平台受理的报名计）。",
        f"人工审核待办{summary['backlog']['count']}件（超期{summary['backlog']['over_limit']}件），"  # type: ignore[index]
        f"待补充材料{summary['needs_materials']}件。",
        f"好评率{_pct(f['good_rate'])}，主动评价率{_pct(f['active_rate'])}，未评价率{_pct(f['unrated_rate'])}，"
        f"差评整改率{_pct(f['rectified_rate'])}，实名差评回访率{_pct(f['visited_rate'])}；逾期整改{summary['overdue']}件。",
    ]
    return [Paragraph("总体情况", head), *(Paragraph(line, body) for line in lines)]
