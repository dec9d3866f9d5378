"""When the provider asks for consent, and what the page says a county gets."""

from ruxue.provider.rules import asked, merged, needs_consent, released


def test_the_id_number_is_shown_masked_unless_the_role_needs_it() -> None:
    assert [(a.claim, a.how) for a in asked("openid idcard unknown", False)] == [
        ("sub", "全部"),
        ("id_number", "只显示前6位和后4位，中间用*号代替"),
    ]
    assert [a.how for a in asked("idcard", True)] == ["全部"]


def test_consent_is_asked_when_nothing_covers_the_request() -> None:
    granted = ("idcard openid profile", False)
    assert needs_consent("openid", "", None, False)
    assert not needs_consent("openid profile", "", granted, False)
    assert needs_consent("openid phone", "", granted, False)  # the scopes grew
    assert needs_consent("openid", "login consent", granted, False)
    assert needs_consent("openid idcard", "", granted, True)  # now the full number
    assert not needs_consent("openid", "", granted, True)  # but not without idcard
    assert not needs_consent("openid idcard", "", ("idcard openid", True), False)


def test_a_consent_keeps_what_was_agreed_before() -> None:
    assert merged("openid phone", ("idcard openid", False)) == "idcard openid phone"
    assert merged("openid", None) == "openid"


def test_a_consent_is_listed_in_words() -> None:
    assert released("openid profile idcard", False) == [
        "一个只给该县区系统用来认出您的编号（不是身份证号，也推算不出身份证号）",
        "姓名",
        "身份证号（只显示前6位和后4位）",
    ]
    assert released("phone idcard nonsense", True) == ["身份证号（全部）", "手机号码"]


def test_the_consent_page_speaks_plainly() -> None:
    words = [a.label + a.how for a in asked("openid profile idcard phone", False)]
    words += released("openid idcard", True)
    for jargon in ("用户标识", "提供方式", "完整", "部分隐藏"):
        assert not [w for w in words if jargon in w], jargon
