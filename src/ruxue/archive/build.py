"""随办随归: a decided case becomes one package. Built in a scratch directory, checked, then moved
into place in one rename, so a crash never leaves half a package under the archive number."""

import asyncio
import base64
import datetime as dt
import hashlib
import json
import shutil
import uuid
from contextlib import suppress
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.archive import package as pkg
from ruxue.archive.check import Item, as_json, check_package
from ruxue.archive.merkle import append, inclusion_proof, leaf_hash, root
from ruxue.archive.models import ArchivePackage, CheckRun, FilingFailure, LogHead, LogLeaf
from ruxue.archive.repository import filings_of
from ruxue.archive.scanner import Scanner
from ruxue.archive.storage import Library
from ruxue.cases.models import Case, CaseEvent
from ruxue.cases.repository import events_of
from ruxue.cases.status import Status
from ruxue.kit.clock import utcnow
from ruxue.kit.crypto import canonical_json
from ruxue.kit.db import Database, locked_row
from ruxue.kit.errors import NotFound
from ruxue.kit.sm2 import SealKey
from ruxue.materials.repository import materials_of
from ruxue.materials.service import read_upload, upload_extension
from ruxue.notice.service import decision_document, final_document
from ruxue.policy.explain import CHANNELS
from ruxue.policy.loader import CHINA
from ruxue.reference.districts import issuer_of

MATERIAL_TITLES = {"BIRTH_CERTIFICATE": "出生医学证明", "MARRIAGE_CERTIFICATE": "结婚证", "HUKOU_BOOKLET": "户口簿",
                   "PROPERTY_CERTIFICATE": "房产证"}  # fmt: skip


def archive_no(case: Case, superseded: int = 0) -> str:
    """The package's number; the state filed after ``superseded`` earlier ones gets ``-2``…"""
    first = f"DA{case.year}{case.district_code}{case.case_no[-10:]}"
    return first if not superseded else f"{first}-{superseded + 1}"


class FilingFailed(RuntimeError):
    """A built package failed its filing check; it was removed, never stored."""

    def __init__(self, number: str, items: list[Item]) -> None:
        self.items = [i for i in items if not i.passed]
        super().__init__(
            f"{number} failed its filing check: {[(i.code, i.why) for i in self.items]}"
        )


async def _contents(session: AsyncSession, case: Case, base_url: str) -> list[pkg.PackedFile]:
    """The decision's document first (every final outcome has one), then the materials."""
    title, document = await decision_document(session, case, base_url)
    files = [pkg.PackedFile(f"content/001-{title}.pdf", title, "application/pdf", document)]
    for m in await materials_of(session, case):
        ext = upload_extension(m)
        title = MATERIAL_TITLES.get(m.kind, m.kind)
        data = await asyncio.to_thread(read_upload, m)
        files.append(
            pkg.PackedFile(
                f"content/{len(files) + 1:03d}-{title}{ext}", title, m.content_type, data
            )
        )
    return files


async def _events(session: AsyncSession, case: Case) -> list[dict[str, object]]:
    return [_event(case, e) for e in await events_of(session, case)]


def _event(case: Case, e: CaseEvent) -> dict[str, object]:
    """One trace line; its time in Beijing time (ISO 8601, +08:00), as people read it."""
    at = china_time(e.at)
    return {
        "case_no": case.case_no,
        "seq": e.seq,
        "at": at,
        "actor": e.actor,
        "action": e.action,
        "detail": e.detail,
    }


def china_time(value: dt.datetime) -> str:
    return value.astimezone(CHINA).isoformat(timespec="seconds")


async def _log_proof(
    db: Database, number: str, trace: bytes, seal: SealKey, now: dt.datetime | None = None
) -> dict[str, object]:
    """Append the trace's leaf (once) and return its inclusion proof and a signed tree head.
    A new leaf costs O(log n) from the stored compact range; only a rebuild of a package already
    in the log reads every leaf to prove its old position."""
    async with db.write_session() as session:
        leaf = (
            await session.scalars(select(LogLeaf).where(LogLeaf.archive_no == number))
        ).one_or_none()
        if leaf is None:
            head = await locked_row(
                session, LogHead, {"id": 1}, {"size": 0, "root": "", "frontier": []}
            )
            hashed = leaf_hash(trace)
            frontier, path, top = append(
                [bytes.fromhex(h) for h in head.frontier], head.size, hashed
            )
            session.add(LogLeaf(index=head.size, archive_no=number, leaf_hash=hashed.hex()))
            index, size = head.size, head.size + 1
            head.size, head.root, head.frontier = size, top.hex(), [h.hex() for h in frontier]
        else:
            query = select(LogLeaf.leaf_hash).order_by(LogLeaf.index)
            leaves = [bytes.fromhex(h) for h in (await session.scalars(query)).all()]
            index, size, path, top = (
                leaf.index,
                len(leaves),
                inclusion_proof(leaf.index, leaves),
                root(leaves),
            )
    head_fields = {"size": size, "root": top.hex(), "at": china_time(now or utcnow())}
    signature = seal.sign(canonical_json(head_fields))
    return {"leaf_index": index, "proof": [h.hex() for h in path],
            "tree_head": {**head_fields, "signature": base64.b64encode(signature).decode(), "public_key": seal.public_pem().decode()}}  # fmt: skip


async def _make_document(db: Database, seal: SealKey, case_id: int, base_url: str) -> None:
    """A decision's document is filed as it was made (the bytes the e-licence and the guardian
    hold): the notice sealed, the rejection kept, now if its job has not done it yet."""
    async with db.write_session() as session:
        case = await session.get(Case, case_id)
        if case is not None and case.outcome in (Status.NOTICE_ISSUED, Status.REJECTED):
            with suppress(NotFound):  # no licence (revoked meanwhile): nothing sealed to file
                await final_document(session, case, seal, base_url)


async def build_package(
    db: Database,
    library: Library,
    scratch: Path,
    seal: SealKey,
    case_id: int,
    base_url: str,
    scanner: Scanner | None = None,
    now: dt.datetime | None = None,
) -> ArchivePackage:
    """Read, build and check outside any transaction; then one short write records the package.
    ``now`` is the app's clock (the tree head's and the bag's date)."""
    now = now or utcnow()
    await _make_document(db, seal, case_id, base_url)
    async with db.read_session() as session:
        case = await session.get(Case, case_id)
        if case is None or case.outcome is None:
            raise NotFound("办件不存在或尚未办结")
        files = await _contents(session, case, base_url)
        events = await _events(session, case)
        superseded = await filings_of(session, case.id)
    number, issuer = archive_no(case, superseded), issuer_of(case.district_code)
    trace = b"".join(canonical_json(e) + b"\n" for e in events)
    proof = await _log_proof(db, number, trace, seal, now)
    obj = pkg.signed_object(number, files, events, issuer)
    tmp = scratch / f".tmp-{number}-{uuid.uuid4().hex[:8]}"
    contents = {
        "说明文件.txt": pkg.description(number, case.case_no, issuer, files),
        "目录文件.xml": pkg.catalogue(number, files),
        "METS.xml": pkg.mets(number, files),
        "metadata/eep.xml": pkg.eep(obj, seal.sign(pkg.canonical(obj)), seal.public_pem()),
        "metadata/premis.xml": pkg.premis(files, events, issuer),
        "trace/events.jsonl": trace,
        "trace/log-proof.json": json.dumps(proof, ensure_ascii=False, indent=1).encode(),
        **{f.path: f.data for f in files},
    }  # fmt: skip
    info = {"External-Identifier": number, "Source-Organization": issuer, "Bagging-Date": now.astimezone(CHINA).date().isoformat(),
            "Internal-Sender-Description": f"ruxue 随办随归 {case.case_no} {CHANNELS.get(case.channel, case.channel)}"}  # fmt: skip
    results = await asyncio.to_thread(_on_disk, tmp, contents, info, number, scanner)
    digest = hashlib.sha256(
        await asyncio.to_thread((tmp / "tagmanifest-sha256.txt").read_bytes)
    ).hexdigest()
    location = await asyncio.to_thread(library.store, tmp, number)
    index = proof["leaf_index"]
    assert isinstance(index, int)
    return await _record(db, location, digest, case, number, index, results, now)


def _on_disk(
    tmp: Path,
    contents: dict[str, bytes],
    info: dict[str, str],
    number: str,
    scanner: Scanner | None,
) -> list[Item]:
    """Write the bag, check it, add the check results; a failing package is removed, never
    stored. Every path is absolute: this runs in worker threads (see ``package.bag_tags``)."""
    for rel, data in contents.items():
        _write(tmp / "data" / rel, data)
    for name, data in pkg.bag_tags(contents, info).items():
        _write(tmp / name, data)
    results = check_package(tmp, scanner=scanner, archive_number=number)
    report = json.dumps(as_json(results), ensure_ascii=False, indent=1).encode()
    payload = {**contents, "metadata/four-property-check.json": report}
    _write(tmp / "data" / "metadata" / "four-property-check.json", report)
    for name, data in pkg.bag_tags(payload, info).items():
        _write(tmp / name, data)
    if not all(r.passed for r in results):
        shutil.rmtree(tmp)
        raise FilingFailed(number, results)
    return results


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


async def _record(
    db: Database,
    location: str,
    digest: str,
    case: Case,
    number: str,
    index: int,
    results: list[Item],
    now: dt.datetime,
) -> ArchivePackage:
    async with db.write_session() as session:
        old = (
            await session.scalars(select(ArchivePackage).where(ArchivePackage.archive_no == number))
        ).one_or_none()
        if old is not None:  # a rebuild replaces the record of the same package
            await session.delete(old)
            await session.flush()
        package = ArchivePackage(case_id=case.id, archive_no=number, location=location, school_code=case.school_code,
                                 district_code=case.district_code, digest=digest, leaf_index=index)  # fmt: skip
        package.built_at = now  # the app's clock, as the tree head's and the bag's date
        session.add(package)
        run = CheckRun(archive_no=number, stage="GD", passed=True, results=as_json(results))
        run.at = now
        session.add(run)
        await session.execute(delete(FilingFailure).where(FilingFailure.case_id == case.id))
    return package
