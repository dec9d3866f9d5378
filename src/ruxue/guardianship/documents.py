"""Documents of a guardianship request: checked by content like case materials, written to disk
before the row (no transaction waits on storage), shown only to the request's reviewers."""

import asyncio
import hashlib
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.enrollment.materials import BadUpload, sniff
from ruxue.guardianship import repository as repo
from ruxue.guardianship.models import GuardianshipDocument, GuardianshipRequest
from ruxue.guardianship.service import actor
from ruxue.identity.service import Guardian
from ruxue.kit.db import Database
from ruxue.kit.errors import NotFound, RuxueError


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


def _write(folder: Path, data: bytes, max_bytes: int) -> tuple[str, str, Path]:
    if not data:
        raise BadUpload("文件是空的，请重新选择。")
    if len(data) > max_bytes:
        raise BadUpload(f"文件不能超过 {max_bytes // (1024 * 1024)} MB。")
    content_type, ext = sniff(data)
    digest = hashlib.sha256(data).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}{ext}"
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)  # never a half-written file under the final name
    return content_type, digest, path


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
    content_type, digest, path = await asyncio.to_thread(_write, folder, data, max_bytes)
    async with db.write_session() as session:
        request = await _own_pending(session, guardian, request_no)
        document = GuardianshipDocument(
            request_id=request.id,
            filename=Path(filename).name[:200],
            content_type=content_type,
            size=len(data),
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
