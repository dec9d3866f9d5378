"""Issue 23: the trace and staff pages name who did it in words, never as a raw code."""

from hypothesis import given
from hypothesis import strategies as st

from ruxue.policy.explain import actor_label

STAFF = {"zhang": ("张三", "desk"), "li": ("李四", "reviewer")}


def test_guardian_by_channel_staff_by_place_and_name_system() -> None:
    assert actor_label("guardian:d3e9a1b2c3d4e5f6", "online") == "监护人（网上）"
    assert actor_label("guardian:d3e9a1b2c3d4e5f6", "kiosk") == "监护人（自助终端）"
    assert actor_label("guardian:d3e9a1b2c3d4e5f6", "offline") == "监护人（学校窗口）"
    assert actor_label("guardian:desk", "online") == "监护人（学校窗口）"
    assert actor_label("guardian:d3e9a1b2c3d4e5f6") == "监护人"
    assert actor_label("staff:zhang", "offline", STAFF) == "学校窗口 张三"
    assert actor_label("staff:li", "online", STAFF) == "区教育局 李四"
    assert actor_label("staff:gone", "online", STAFF) == "工作人员 gone"
    assert actor_label("system") == "系统"
    assert actor_label("system:elicence") == "系统"


@given(
    st.text(alphabet="0123456789abcdef", min_size=1, max_size=32),
    st.sampled_from(["online", "offline", "kiosk", "county", ""]),
)
def test_a_guardian_code_never_shows(code: str, channel: str) -> None:
    label = actor_label(f"guardian:{code}", channel)
    assert label.startswith("监护人") and code not in label and ":" not in label
