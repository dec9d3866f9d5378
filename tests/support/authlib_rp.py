"""The kunshan county's authorization request, shared by the Authlib relying-party tests."""

REDIRECT = "http://127.0.0.1:9/kunshan/callback"


def authorize(**extra: str) -> dict[str, str]:
    return {
        "client_id": "kunshan",
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": "openid",
        "code_challenge": "x" * 43,
        "code_challenge_method": "S256",
    } | extra
