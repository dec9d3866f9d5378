"""API shapes of the guardian's application (JSON API for the native apps)."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from ruxue.cases.status import Status as CaseStatus


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


Segment = Literal["primary", "junior"]
Status = Literal[  # cases.status.Status, for the API's schema
    CaseStatus.DRAFT,
    CaseStatus.NOTICE_ISSUED,
    CaseStatus.NEEDS_MATERIALS,
    CaseStatus.MANUAL_REVIEW,
    CaseStatus.REJECTED,
    CaseStatus.WITHDRAWN,
    CaseStatus.QUALIFIED,
]
Category = Literal["A", "B", "C", "D"]


class MaterialState(BaseModel):
    """One material of the tell-once list and how it stands."""

    code: str
    name: str
    why: str
    how: str
    state: Literal["upload", "bring", "provided"] | None = Field(
        description="upload: uploaded, to be checked; bring: the original will be brought; "
        "provided: staff have seen the original; null: still to answer"
    )
    state_text: str


class CaseView(BaseModel):
    """Every code comes with its Chinese label in a field of its own (``status`` and
    ``status_label``): a client branches on the code and shows the label."""

    case_no: str
    year: int
    segment: Segment
    segment_label: str = Field(examples=["小学一年级（幼升小）"])
    channel: str = Field(examples=["online"])
    channel_label: str = Field(examples=["网上办理"])
    status: Status
    status_label: str = Field(examples=["已发放学位告知书"])
    step: int
    outcome: str | None
    school_code: str | None
    school_name: str | None
    category: Category | None = Field(description="null with a seat: arranged by the district")
    category_label: str | None = Field(examples=["A类（房产与户籍均在施教区内）"])
    placement: Literal["catchment", "overflow"] | None = Field(
        default=None,
        description="a seat of the cohort's run: catchment, or overflow (统筹); null otherwise",
    )
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
    rank: str | None = Field(
        default=None, description="a qualified case: the family's own rank key, in words"
    )
    publish_on: dt.date | None = Field(
        default=None, description="a qualified case: when the district publishes the results"
    )
    materials: list[MaterialState] = []
    materials_deadline: dt.datetime | None = Field(
        default=None, description="while the case needs materials: the last moment to answer online"
    )
