"""On both documents the red seal's "入学专用章" stays readable: no other text (the issuer's
name, the date, the letter's body) is printed over it (issue 23)."""

import datetime as dt
import re
import subprocess

import pytest

from ruxue.notice.rejection import Appeal, RejectionData, render_rejection
from ruxue.notice.render import NoticeData, render_notice
from ruxue.policy.explain import rejection_reasons
from ruxue.policy.loader import load_policy

WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
ISSUER, ON = "苏州市姑苏区教育局", dt.date(2026, 6, 15)


def _notice() -> bytes:
    return render_notice(NoticeData("GS2026-000001", "孙小雨", "320508********7162", "小学一年级（幼升小）",
                                    "苏州市平江实验学校", "A类", ISSUER, ON, "http://x/verify/a"))  # fmt: skip


def _rejection() -> bytes:
    reasons = rejection_reasons(
        load_policy(2026, "320508"), ["AGE_OUT_OF_RANGE", "XUEJI_EXISTS"], ""
    )
    return render_rejection(RejectionData("BY1", "RX1", "赵一鸣", "320508********037X", "小学一年级",
                                          2026, reasons, ISSUER, ON, "http://x/verify/b", appeal=Appeal()))  # fmt: skip


def words(pdf: bytes) -> list[tuple[tuple[float, ...], str]]:
    html = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return [
        (tuple(map(float, m.groups()[:4])), m.group(5)) for m in WORD.finditer(html.stdout.decode())
    ]


def overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("render", [_notice, _rejection])
def test_nothing_is_printed_over_the_seals_words(render: object) -> None:
    found = words(render())  # type: ignore[operator]
    [seal] = [box for box, text in found if text == "入学专用章"]
    over = [text for box, text in found if text != "入学专用章" and overlaps(box, seal)]
    assert over == []
    assert any(text == ISSUER for _, text in found)  # the issuer still signs, beside the seal
