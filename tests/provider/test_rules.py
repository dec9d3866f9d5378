"""When the provider asks for consent, and what the page says a county gets."""

from ruxue.provider.rules import asked, merged, needs_consent, released


def test_the_id_number_is_shown_masked_unless_the_role_needs_it() -> None:
    assert [(a.claim, a.how) for a in asked("openid idcard unknown", False)] == [
        ("sub", "完整"),
        ("id_number", "部分隐藏（仅显示前6位和后4位）"),
    ]
    assert [a.how for a in asked("idcard", True)] == ["完整"]


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
        "为该县区单独生成的用户标识（不含身份证号，也无法由身份证号推算）",
        "姓名",
        "身份证号（部分隐藏）",
    ]
    assert released("phone idcard nonsense", True) == ["身份证号（完整）", "手机号码"]
