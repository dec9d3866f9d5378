"""Documents of a guardianship request: checked by content like case materials, written to disk
before the row (no transaction waits on storage), shown only to the request's reviewers."""

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.enrollment.materials import write_encrypted
from ruxue.enrollment.upload_worker import check_upload_isolated
from ruxue.enrollment.uploads import UploadLimits
from ruxue.guardianship import repository as repo
from ruxue.guardianship.models import GuardianshipDocument, GuardianshipRequest
from ruxue.guardianship.service import actor
from ruxue.identity.service import Guardian
from ruxue.kit.db import Database
from ruxue.kit.errors import NotFound, RuxueError
from ruxue.settings import get_settings


async def _own_pending(
    session: AsyncSession, guardian: Guardian, request_no: str
) -> GuardianshipRequest:
    query = repo.requests_of_applicant(guardian.id_number)
    found = (
        await session.scalars(query.where(GuardianshipRequest.request_no == request_no))
    ).one_or_none()
    if found is None:
        raise NotFound("申请不存在")
    if found.status != "pending":
        raise RuxueError("该申请已审核，不能再补充材料。")
    return found


def _write(folder: Path, data: bytes, max_bytes: int) -> tuple[str, str, Path, int]:
    """Checked by parsing like case materials (images encoded again), stored SM4-GCM encrypted."""
    limits = replace(UploadLimits.of(get_settings()), max_bytes=max_bytes)
    content_type, plain = check_upload_isolated(data, limits)
    digest = hashlib.sha256(plain).hexdigest()
    path = folder / f"{digest}.sm4"
    write_encrypted(path, plain)
    return content_type, digest, path, len(plain)


async def add_document(
    db: Database,
    upload_dir: Path,
    max_bytes: int,
    guardian: Guardian,
    request_no: str,
    filename: str,
    data: bytes,
) -> GuardianshipDocument:
    async with db.read_session() as session:
        await _own_pending(session, guardian, request_no)
    folder = upload_dir / "guardianship" / request_no
    content_type, digest, path, size = await asyncio.to_thread(_write, folder, data, max_bytes)
    async with db.write_session() as session:
        request = await _own_pending(session, guardian, request_no)
        document = GuardianshipDocument(
            request_id=request.id,
            filename=Path(filename).name[:200],
            content_type=content_type,
            size=size,
            sha256=digest,
            path=str(path),
        )
        session.add(document)
        await session.flush()
        await repo.add_event(session, request, actor(guardian), "document", sha256=digest)
    return document


async def documents_of(
    session: AsyncSession, request: GuardianshipRequest
) -> Sequence[GuardianshipDocument]:
    query = select(GuardianshipDocument).where(GuardianshipDocument.request_id == request.id)
    return (await session.scalars(query.order_by(GuardianshipDocument.id))).all()
