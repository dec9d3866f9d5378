"""The whole pipeline against the sandbox over HTTP, for the example dataset (year 2026)."""

from collections.abc import AsyncIterator

import pytest
from typer.testing import CliRunner

from ruxue.cli.main import app
from ruxue.enrollment.gather import StepError
from ruxue.exchange.client import ExchangeClient
from ruxue.kit.db import Database
from ruxue.precheck.assess import assess
from ruxue.settings import Settings
from tests.support.helpers import ServerThread
from tests.support.personas import (
    CHEN,
    CHEN_CHILD,
    LI,
    LI_CHILD,
    LIU,
    WANG,
    WANG_CHILD,
    ZHAO,
    ZHAO_CHILD,
    ZHOU,
)


@pytest.fixture
async def client(
    settings: Settings, db: Database, sandbox: ServerThread, schools: None
) -> AsyncIterator[ExchangeClient]:
    exchange = ExchangeClient(settings, db)
    yield exchange
    await exchange.aclose()


@pytest.mark.parametrize(("segment", "guardian", "child", "spouse", "school", "category"), [
    ("primary", WANG, WANG_CHILD, LIU, "3205080101", "A"),
    ("primary", LI, LI_CHILD, None, "3205080101", "C"),
    ("primary", CHEN, CHEN_CHILD, ZHOU, "3205060101", "A"),
    ("junior", ZHAO, ZHAO_CHILD, None, "3205080201", "C"),
])  # fmt: skip
async def test_example_families(
    db: Database, client: ExchangeClient, segment: str, guardian: str, child: str, spouse: str | None,
    school: str, category: str,
) -> None:  # fmt: skip
    decision = await assess(
        db, client, year=2026, segment=segment, guardian=guardian, child=child, spouse=spouse
    )
    assert (decision.outcome, decision.school_code, decision.category) == (
        "notice_issued",
        school,
        category,
    )
    assert decision.missing == []


async def test_chen_family_certificates_and_unique_housing(
    db: Database, client: ExchangeClient
) -> None:
    from ruxue.enrollment.gather import gather_facts
    from ruxue.exchange.client import CallContext
    from ruxue.exchange.service import envelope_consent, grant_consent

    async with db.write_session() as session:
        consent = await grant_consent(session, grantor=CHEN, subjects=[CHEN, ZHOU, CHEN_CHILD],
                                      departments=["police", "property", "civil", "health", "xueji"],
                                      fields=["all"], purpose="ENROLLMENT")  # fmt: skip
    ctx = CallContext(case_no="T-CHEN", operator=CHEN, consents=(envelope_consent(consent),))
    facts = await gather_facts(client, ctx, year=2026, segment="primary", guardian_id=CHEN, child_id=CHEN_CHILD,
                               spouse_id=ZHOU, chosen_cert="苏(2021)苏州市不动产权第0000777号")  # fmt: skip
    assert facts.birth_certificate is not None and facts.birth_certificate.cert_no == "P320000789"
    assert [m.cert_no for m in facts.marriages] == ["J320506-2016-000456"]
    assert (
        facts.housing_proof is not None and facts.housing_proof.residences == 1
    )  # 40 m² / 3 people < 18
    assert facts.unavailable == set()


async def test_spouse_who_is_not_the_other_parent_is_refused(
    db: Database, client: ExchangeClient
) -> None:
    with pytest.raises(StepError, match="不是学生的父亲或母亲"):
        await assess(
            db, client, year=2026, segment="primary", guardian=WANG, child=WANG_CHILD, spouse=LI
        )


def test_assess_command(cli_env: None, schools: None) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["assess", "--year", "2026", "--segment", "primary", "--guardian", WANG,
                             "--child", WANG_CHILD, "--spouse", LIU])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.strip() == (
        '{"decision":"notice_issued","school_code":"3205080101","category":"A","reasons":[],"missing":[]}'
    )
    bad = runner.invoke(app, ["assess", "--year", "2026", "--segment", "primary", "--guardian", WANG,
                              "--child", WANG_CHILD[:-1] + "4"])  # fmt: skip
    assert bad.exit_code == 2 and "校验位不正确" in bad.output
    wrong = runner.invoke(app, ["assess", "--year", "2026", "--segment", "primary", "--guardian", WANG,
                                "--child", WANG_CHILD, "--spouse", LI])  # fmt: skip
    assert wrong.exit_code == 1 and "不是学生的父亲或母亲" in wrong.output


async def test_someone_who_is_not_a_parent_is_assessed_for_review(
    db: Database, client: ExchangeClient
) -> None:
    """``ruxue assess`` has no guardianship request to consult: a non-parent goes to review."""
    decision = await assess(db, client, year=2026, segment="primary", guardian=CHEN, child=LI_CHILD)
    assert decision.outcome == "manual_review" and "GUARDIANSHIP_UNVERIFIED" in decision.reasons
