"""API shapes of the guardian's application (JSON API for the native apps)."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field


class StartCase(BaseModel):
    segment: Literal["primary", "junior"]
    child_id_number: str = Field(min_length=15, max_length=20)
    consent: bool = Field(description="the guardian authorises the departments to be asked")


class SpouseCode(BaseModel):
    spouse_id_number: str


class SpouseConsent(BaseModel):
    spouse_id_number: str
    txn: str
    code: str = Field(pattern=r"^\d{6}$")


class ChooseResidence(BaseModel):
    cert_no: str | None = Field(
        default=None, description="null: enroll by hukou, without a residence"
    )


class MaterialAnswer(BaseModel):
    kind: Literal["BIRTH_CERTIFICATE", "MARRIAGE_CERTIFICATE"]
    how: Literal["bring"]


class Fetched(BaseModel):
    """A fact shown back to the guardian: what, masked, and from which department."""

    label: str
    value: str
    source: str


class CaseView(BaseModel):
    case_no: str
    year: int
    segment: str
    channel: str
    status: str
    status_text: str
    step: int
    outcome: str | None
    school_code: str | None
    school_name: str | None
    category: str | None
    reasons: list[str]
    missing: list[str]
    explanation: str
    notice_no: str | None
    notice_url: str | None
    rejection_no: str | None = None  # the 不予通过告知书 of a rejected case
    rejection_url: str | None = None
    verify_url: str | None
    fetched: list[Fetched]
    created_at: dt.datetime
