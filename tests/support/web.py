"""Shared test support moved from tests/web/test_errors.py (imported by other test modules)."""

from html.parser import HTMLParser

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks


def is_page(response: httpx.Response, status: int, title: str) -> bool:
    return (
        response.status_code == status
        and response.headers["content-type"].startswith("text/html")
        and f"<title>错误 - {title}" in response.text
        and "<h1>" in response.text
        and 'id="back"' in response.text
    )


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


EXAMPLES = settings(
    max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


def probe_all(schema: schemathesis.BaseSchema, headers: dict[str, str]) -> list[str]:
    """Every operation with a bounded number of generated requests; the failures, named."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @EXAMPLES
        def probe(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS, headers=headers)

        try:
            probe()
        except Exception as exc:  # a check failed: name the operation and what broke
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    return failures


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style", "head")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style", "head")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)
