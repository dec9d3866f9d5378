"""Shapes of the case-report API (办件信息汇聚). Field names follow the provincial collection
standards' meaning (PROJID, SERVICECODE, SERVICEVERSION, DATAVERSION, DATASTATE) in plain English."""

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from ruxue.county.rules import key_set_problem

Stage = Literal["apply", "accept", "process", "done"]
ID_NUMBER = r"^\d{17}[\dX]$"
PEOPLE = ("child_id_number", "applicant_id_number")


class StageIn(BaseModel):
    case_no: str = Field(pattern=r"^[A-Za-z0-9-]{6,40}$", description="办件编号")
    item_code: str = Field(min_length=1, max_length=40, description="事项编码")
    item_version: str = Field(min_length=1, max_length=20, description="事项版本")
    district_code: str = Field(pattern=r"^\d{6}$", description="行政区划代码")
    stage: Stage = Field(description="办理环节: apply 申报, accept 受理, process 办理, done 办结")
    stage_at: AwareDatetime = Field(description="环节时间")
    unit: str = Field(min_length=1, max_length=100, description="办理单位")
    result: str = Field(default="", max_length=40, description="办理结果")
    data_version: int = Field(ge=1, le=1_000_000, description="数据版本号")
    data_state: Literal[0, 1] = Field(default=1, description="数据状态: 1 有效, 0 作废")
    # who the case is about (申请人/学生证件号码), so the city can tell a family and its desk
    # where the child applied; kept at the city only as blind indexes
    child_id_number: str | None = Field(default=None, pattern=ID_NUMBER, description="学生证件号码")
    applicant_id_number: str | None = Field(
        default=None, pattern=ID_NUMBER, description="申请人证件号码"
    )


class Batch(BaseModel):
    reports: list[StageIn] = Field(min_length=1, max_length=500)


class Receipt(BaseModel):
    received: int
    applied: int  # new, or a higher data version than the city held
    stale: int  # the city already held this or a higher version


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int


class Count(BaseModel):
    district_code: str
    stage: Stage
    stage_label: str
    own: int
    reported: int
    total: int


class CountyHealth(BaseModel):
    client_id: str
    name: str
    district_code: str
    enrollment_url: str  # "" unless the county runs enrollment for its district
    last_report_at: dt.datetime | None
    silent: bool


class CityPicture(BaseModel):
    counts: list[Count]
    counties: list[CountyHealth]


class NewClient(BaseModel):
    client_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,79}$")
    name: str = Field(min_length=1, max_length=100)
    district_code: str = Field(pattern=r"^\d{6}$")
    redirect_uris: list[str] = Field(default_factory=list, max_length=10)
    post_logout_redirect_uris: list[str] = Field(default_factory=list, max_length=10)
    backchannel_logout_uri: str = Field(default="", max_length=300)
    jwks: dict[str, object] = Field(default_factory=dict)
    jwks_uri: str = Field(default="", max_length=300, pattern=r"^(https?://\S+)?$")
    full_id_number: bool = False
    # set when the county runs enrollment for its district: the city sends its families there
    enrollment_url: str = Field(default="", max_length=300, pattern=r"^(https?://\S+)?$")

    @field_validator("jwks")
    @classmethod
    def _public_keys_only(cls, jwks: dict[str, object]) -> dict[str, object]:
        if jwks and (problem := key_set_problem(jwks)):
            raise ValueError(problem)
        return jwks


class ClientOut(BaseModel):
    client_id: str
    client_secret: str  # shown once


class OutboxEntry(BaseModel):
    id: int
    case_no: str
    stage: Stage
    data_version: int
    attempts: int
    last_error: str
    created_at: dt.datetime
    dead_at: dt.datetime | None


class OutboxState(BaseModel):
    pending: int
    sent: int
    dead: list[OutboxEntry]
