"""Uploaded materials: the type decided by parsing the file (an image decoded and encoded again, a
PDF measured and parsed), size and pages limited, stored SM4-GCM encrypted by their SHA-256.
``read_upload`` is the one way back to the plaintext, for whoever may read it (the archive build,
staff downloads)."""

import asyncio
import hashlib
from dataclasses import replace
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.enrollment.models import Case, Material
from ruxue.enrollment.upload_image import reencode_image
from ruxue.enrollment.upload_pdf import check_pdf
from ruxue.enrollment.upload_worker import check_upload_isolated
from ruxue.enrollment.uploads import BadUpload, UploadLimits, refuse_markup
from ruxue.kit import pii
from ruxue.kit.clock import now_of
from ruxue.settings import get_settings

__all__ = [
    "BadUpload",
    "check_upload",
    "read_stored",
    "read_upload",
    "store_upload",
    "upload_extension",
    "write_encrypted",
]

EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
IMAGE_STARTS = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
NOT_A_SCAN = "只能上传 PDF、JPG 或 PNG 文件（按文件内容判断，而非扩展名）。"


def check_upload(data: bytes, limits: UploadLimits) -> tuple[str, bytes]:
    """(content type, the bytes to store): an image encoded again, a PDF as it came."""
    if not data:
        raise BadUpload("文件是空的，请重新选择。")
    if len(data) > limits.max_bytes:
        raise BadUpload(f"文件不能超过 {limits.max_bytes // (1024 * 1024)} MB。")
    refuse_markup(data)
    if data.startswith(b"%PDF-"):
        check_pdf(data, limits)
        return "application/pdf", data
    if data.startswith(IMAGE_STARTS):
        content_type, _, image = reencode_image(data, limits.max_pixels)
        return content_type, image
    raise BadUpload(NOT_A_SCAN)


async def store_upload(
    session: AsyncSession,
    upload_dir: Path,
    max_bytes: int,
    case: Case,
    kind: str,
    filename: str,
    data: bytes,
    limits: UploadLimits | None = None,
) -> Material:
    """Check, encrypt and store the file, and add its row. The limits other than ``max_bytes``
    come from the settings unless given."""
    limits = limits or replace(UploadLimits.of(get_settings()), max_bytes=max_bytes)
    content_type, plain = await asyncio.to_thread(check_upload_isolated, data, limits)
    digest = hashlib.sha256(plain).hexdigest()
    path = upload_dir / case.case_no / f"{digest}.sm4"
    await asyncio.to_thread(write_encrypted, path, plain)
    material = Material(
        case_id=case.id,
        kind=kind,
        source="upload",
        filename=Path(filename).name[:200],
        content_type=content_type,
        size=len(plain),
        sha256=digest,
        path=str(path),
        created_at=now_of(session),  # the app's clock, as the trace beside it
    )
    session.add(material)
    await session.flush()
    return material


def write_encrypted(path: Path, plain: bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(pii.encrypt_file(plain))
    tmp.replace(path)  # never a half-written file under the final name


def read_upload(material: Material) -> bytes:
    """The plaintext of an uploaded file, checked against the digest taken when it was stored."""
    return read_stored(material.path, material.sha256)


def read_stored(path: str, sha256: str) -> bytes:
    """The plaintext of a stored file; a file stored before uploads were encrypted is read as it
    is, if its digest matches."""
    stored = Path(path).read_bytes()
    plain = pii.decrypt_file(stored) if stored.startswith(pii.FILE_MAGIC) else stored
    if hashlib.sha256(plain).hexdigest() != sha256:
        raise ValueError(f"stored file {path} does not match its digest")
    return plain


def upload_extension(material: Material) -> str:
    return EXTENSIONS.get(material.content_type, "")
