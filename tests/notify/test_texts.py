"""Every SMS text is whole (no sentence cut off) and within what the gateway takes."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from ruxue.cases.models import Case
from ruxue.cases.status import Status
from ruxue.enrollment.spouse_link import link_text
from ruxue.notify import rules
from ruxue.notify.service import NO_SEAT_TEXT, STATUS_TEXT, revoked_sms, status_sms
from ruxue.settings import Settings

URL = "https://rx.zwfw.suzhou.gov.cn:8443"  # longer than any deployment's address
DEADLINE = dt.datetime(2026, 7, 10, 16, tzinfo=dt.UTC)


def _case(status: Status, reasons: list[str] | None = None) -> Case:
    return Case(
        case_no="RX2026320508000123456789",
        year=2026,
        segment="primary",
        status=status.value,
        child_name_masked="欧阳*",
        reasons=reasons or [],
        school_code="3205080101",
    )


def _texts() -> list[str]:
    school = "苏州市姑苏区实验小学校（东校区）"
    texts = [status_sms(_case(s), URL, school=school, deadline=DEADLINE) for s in STATUS_TEXT]
    texts.append(status_sms(_case(Status.NOTICE_ISSUED, ["NO_SEAT"]), URL))
    texts.append(revoked_sms(_case(Status.MANUAL_REVIEW), URL))
    settings = Settings(public_url=URL)
    texts += [link_text(settings, "t" * 43, entrusted) for entrusted in (False, True)]
    return texts


def test_every_text_is_whole_and_within_the_gateway_limit() -> None:
    for text in _texts():
        assert rules.fits(text), (len(text), text)
        assert rules.is_whole(text), text


def test_decision_texts_carry_the_link_the_school_and_the_deadline() -> None:
    notice = status_sms(_case(Status.NOTICE_ISSUED), URL, school="实验小学")
    assert "实验小学" in notice and f"{URL}/cases/RX2026320508000123456789" in notice
    asked = status_sms(_case(Status.NEEDS_MATERIALS), URL, deadline=DEADLINE)
    assert "7月10日前" in asked and URL in asked
    assert f"{URL}/cases/RX2026320508000123456789/rating" in notice  # a final text invites
    assert NO_SEAT_TEXT in status_sms(_case(Status.NOTICE_ISSUED, ["NO_SEAT"]), URL)


def test_a_cut_text_ends_at_a_sentence() -> None:
    text = "材料已核对。房产证与户籍地址不一致，请补充租赁备案证明。谢谢。"
    assert rules.whole_sentences(text, 20) == "材料已核对。"
    assert rules.whole_sentences("没有句号的一段很长很长的话", 5) == ""


@given(st.text(alphabet="甲乙丙。；", max_size=80), st.integers(min_value=0, max_value=90))
def test_whole_sentences_is_a_prefix_within_the_limit(text: str, limit: int) -> None:
    cut = rules.whole_sentences(text, limit)
    assert text.startswith(cut)
    assert len(cut) <= limit or cut == text
    assert cut in ("", text) or cut[-1] in rules.ENDS
