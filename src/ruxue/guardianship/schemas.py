"""API shapes of guardianship requests: what the applicant sees, what a reviewer sees."""

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel, Field

from ruxue.guardianship.models import (
    GuardianshipDocument,
    GuardianshipEvent,
    GuardianshipRequest,
)
from ruxue.guardianship.service import BASES, RELATIONSHIPS, STATUSES
from ruxue.kit import pii
from ruxue.person.rules import mask_id_number


class FileRequest(BaseModel):
    child_id_number: str
    relationship: str = Field(
        description="grandparent | maternal_grandparent | court_appointed | other"
    )
    note: str = Field(default="", max_length=500)


class Decide(BaseModel):
    reason: str = ""
    basis: str = Field(
        default="",
        description="on approval: court_order | parents_deceased | parents_incapable | entrusted",
    )


class RequestView(BaseModel):
    """For the applicant: their own input and the decision, nothing fetched about the child."""

    request_no: str
    child_id_masked: str
    relationship: str
    relationship_name: str
    status: str
    status_name: str
    reason: str
    basis: str = ""
    basis_name: str = ""
    created_at: dt.datetime


class HistoryRow(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    detail: dict[str, object]


class DocumentView(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int


class StaffRequestView(RequestView):
    applicant_name_masked: str
    child_name_masked: str
    district_code: str
    note: str
    history: list[HistoryRow] = []
    documents: list[DocumentView] = []


def request_view(request: GuardianshipRequest) -> RequestView:
    return RequestView(**_fields(request))


def staff_view(
    request: GuardianshipRequest,
    history: Sequence[GuardianshipEvent] = (),
    documents: Sequence[GuardianshipDocument] = (),
) -> StaffRequestView:
    rows = [HistoryRow(at=e.at, actor=e.actor, action=e.action, detail=e.detail) for e in history]
    files = [
        DocumentView(id=d.id, filename=d.filename, content_type=d.content_type, size=d.size)
        for d in documents
    ]
    return StaffRequestView(
        **_fields(request),
        applicant_name_masked=request.applicant_name_masked,
        child_name_masked=request.child_name_masked,
        district_code=request.district_code,
        note=request.note,
        history=rows,
        documents=files,
    )


def _fields(request: GuardianshipRequest) -> dict[str, object]:
    return {
        "request_no": request.request_no,
        "child_id_masked": mask_id_number(pii.decrypt(request.child_enc)),
        "relationship": request.relationship,
        "relationship_name": RELATIONSHIPS.get(request.relationship, request.relationship),
        "status": request.status,
        "status_name": STATUSES.get(request.status, request.status),
        "reason": request.reason,
        "basis": request.basis,
        "basis_name": BASES.get(request.basis, ""),
        "created_at": request.created_at,
    }
