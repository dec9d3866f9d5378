"""Uploaded materials: type checked by content, size limited, stored by their SHA-256."""

import hashlib
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.enrollment.models import Case, Material
from ruxue.kit.errors import RuxueError

SIGNATURES = {b"%PDF-": ("application/pdf", ".pdf"), b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
              b"\x89PNG\r\n\x1a\n": ("image/png", ".png")}  # fmt: skip


class BadUpload(RuxueError):
    code = "bad_upload"


def sniff(data: bytes) -> tuple[str, str]:
    for magic, kind in SIGNATURES.items():
        if data.startswith(magic):
            return kind
    raise BadUpload("只能上传 PDF、JPG 或 PNG 文件（按文件内容判断，而非扩展名）。")


async def store_upload(
    session: AsyncSession, upload_dir: Path, max_bytes: int, case: Case, kind: str, filename: str, data: bytes,
) -> Material:  # fmt: skip
    if not data:
        raise BadUpload("文件是空的，请重新选择。")
    if len(data) > max_bytes:
        raise BadUpload(f"文件不能超过 {max_bytes // (1024 * 1024)} MB。")
    content_type, ext = sniff(data)
    digest = hashlib.sha256(data).hexdigest()
    folder = upload_dir / case.case_no
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}{ext}"
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)  # never a half-written file under the final name
    material = Material(case_id=case.id, kind=kind, source="upload", filename=Path(filename).name[:200],
                        content_type=content_type, size=len(data), sha256=digest, path=str(path))  # fmt: skip
    session.add(material)
    await session.flush()
    return material
