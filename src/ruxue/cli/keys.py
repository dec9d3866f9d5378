"""``ruxue keys rotate``: moves every stored ciphertext, blind index and uploaded file to the
current keys, in batches, each its own transaction; run it again after a stop and it goes on.

Before: set the new key and its id (``RUXUE_PII_KEY``/``RUXUE_PII_KEY_ID``, the same for
``BLIND_INDEX`` and ``FILE``) and move the old keys into ``RUXUE_*_OLD_KEYS``, then restart the
app. While old blind-index keys are configured, lookups try every key, so the app keeps running.
Hash-chained rows (the call log, the audit log) are left as they are: their fields are hashed.
"""

import asyncio
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import Table, delete, func, select, update

from ruxue.audit import repository as ledger
from ruxue.cases.models import Case
from ruxue.county.models import StageReport
from ruxue.exchange.models import CallSubject, Consent
from ruxue.guardianship.models import GuardianshipRequest
from ruxue.identity.models import Account, SpouseInvite
from ruxue.kit import pii
from ruxue.kit.crypto import hmac_sm3_hex
from ruxue.kit.db import Base, Database
from ruxue.kit.ratelimit import RateCounter
from ruxue.kit.sessions import WebSession
from ruxue.notify.models import Notification
from ruxue.reference.models import PriorityChild, SeatHistory
from ruxue.settings import get_settings
from ruxue.staff.models import StaffUser

BATCH = 500
DELETE = None  # a row's changes: None deletes the row (a session that cannot be moved)

app = typer.Typer(help="Key rotation for personal data at rest.", no_args_is_help=True)


@dataclass
class Rotation:
    """The run's state: the older blind-index keys, and what each of their indexes becomes."""

    old_index_keys: list[bytes]
    remap: dict[str, str] = field(default_factory=dict)
    changed: Counter[str] = field(default_factory=Counter)
    stopped: bool = False

    def index(self, value: str) -> str:
        """The current index of a value, noting what its older indexes become."""
        new = pii.blind_index(value)
        for key in self.old_index_keys:
            self.remap[hmac_sm3_hex(key, value.encode())] = new
        return new


Changes = dict[str, Any] | None
RowRule = Callable[[Any, Rotation], Changes]


def _enc(token: str) -> str:
    return pii.reencrypt(token) if token else token


def _indexed(row: Any, rot: Rotation, enc: str, index: str) -> dict[str, Any]:
    """An encrypted value and its blind index, both under the current keys."""
    token = getattr(row, enc)
    if not token:
        return {}
    return {enc: _enc(token), index: rot.index(pii.decrypt(token))}


def case_row(row: Any, rot: Rotation) -> Changes:
    new = {"phone_enc": _enc(row.phone_enc), "draft_enc": _enc(row.draft_enc)}
    new |= _indexed(row, rot, "guardian_enc", "guardian_index")
    new |= _indexed(row, rot, "child_enc", "child_index")
    spouse = json.loads(pii.decrypt(row.draft_enc)).get("spouse") if row.draft_enc else None
    if spouse and row.spouse_index:
        new["spouse_index"] = rot.index(spouse["id_number"])
    return new


def consent_row(row: Any, rot: Rotation) -> Changes:
    subjects = [pii.decrypt(s) for s in row.subjects_enc]
    return _indexed(row, rot, "grantor_enc", "grantor_index") | {
        "subjects_enc": [_enc(s) for s in row.subjects_enc],
        "subjects_index": [rot.index(s) for s in subjects],
    }


def guardianship_row(row: Any, rot: Rotation) -> Changes:
    new = _indexed(row, rot, "applicant_enc", "applicant_index")
    return new | _indexed(row, rot, "child_enc", "child_index") | {"phone_enc": _enc(row.phone_enc)}


def invite_row(row: Any, rot: Rotation) -> Changes:
    return _indexed(row, rot, "spouse_enc", "spouse_index")


def notification_row(row: Any, rot: Rotation) -> Changes:
    return {"recipient_enc": _enc(row.recipient_enc)}


def staff_row(row: Any, rot: Rotation) -> Changes:
    return {"totp_enc": _enc(row.totp_enc)}


def session_row(row: Any, rot: Rotation) -> Changes:
    """A session's data, with the guardian's values encrypted inside it. Its provider keys can
    be recomputed for the subject only (the provider's session id is not kept): a guardian's
    session under an older blind-index key ends, and the guardian logs in again."""
    data = json.loads(pii.decrypt(row.data_enc))
    guardian = data.get("guardian") or {}
    subject = f"{guardian.get('iss', '')}|{guardian.get('sub', '')}"
    if row.idp_sub and row.idp_sub != pii.blind_index(subject):
        return DELETE
    moved = {k: _enc(guardian[k]) for k in ("id", "phone") if guardian.get(k)}
    current = pii.key_id_of(row.data_enc) == get_settings().pii_key_id
    if current and all(guardian[k] == v for k, v in moved.items()):
        return {}
    guardian.update(moved)
    return {"data_enc": pii.encrypt(json.dumps(data))}


def seat_row(row: Any, rot: Rotation) -> Changes:
    return _indexed(row, rot, "cert_enc", "cert_index") | _indexed(
        row, rot, "child_enc", "child_index"
    )


def priority_row(row: Any, rot: Rotation) -> Changes:
    return _indexed(row, rot, "child_enc", "child_index")


# rows holding ciphertexts; the values they decrypt feed the remap of the index-only rows below
ENCRYPTED: list[tuple[str, type[Base], RowRule]] = [
    ("办件 enrollment_case", Case, case_row),
    ("授权 consent", Consent, consent_row),
    ("监护关系 guardianship_request", GuardianshipRequest, guardianship_row),
    ("配偶邀请 spouse_invite", SpouseInvite, invite_row),
    ("通知 notification", Notification, notification_row),
    ("工作人员 staff_user", StaffUser, staff_row),
    ("会话 web_session", WebSession, session_row),
    ("学位使用记录 seat_history", SeatHistory, seat_row),
    ("优先入学名单 priority_child", PriorityChild, priority_row),
]
# blind indexes kept without the value: moved by the remap of the values seen above
INDEX_ONLY: list[tuple[str, Any]] = [
    ("实名账号 identity_account", Account.id_index),
    ("数据调用索引 exchange_call_subject", CallSubject.subject_index),
    ("县区上报（学生）case_stage_report", StageReport.child_index),
    ("县区上报（申请人）case_stage_report", StageReport.applicant_index),
]


async def _count(db: Database, table: Table) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def _rotate_batch(
    db: Database, name: str, table: Table, rule: RowRule, rot: Rotation, rows_after: Any, size: int
) -> Sequence[Any]:
    """One batch of rows after the given key, in one transaction."""
    (pk,) = table.primary_key.columns
    keep = {"updated_at": table.c.updated_at} if "updated_at" in table.c else {}
    query = select(table).order_by(pk).limit(size)
    if rows_after is not None:
        query = query.where(pk > rows_after)
    async with db.write_session() as session:
        rows = (await session.execute(query)).all()
        rewritten = []
        for row in rows:
            changes = rule(row, rot)
            where = pk == getattr(row, pk.name)
            if changes is DELETE:
                await session.execute(delete(table).where(where))
                rot.changed[name] += 1
            elif changed := {k: v for k, v in changes.items() if getattr(row, k) != v}:
                await session.execute(update(table).where(where).values(**changed, **keep))
                rot.changed[name] += 1
                rewritten.append(getattr(row, pk.name))
        await ledger.reenter(session, table, rewritten)  # a rotation is not an edit
    return rows


async def rotate_table(
    db: Database, name: str, table: Table, rule: RowRule, rot: Rotation, run: "Run"
) -> None:
    task = run.progress.add_task(name, total=await _count(db, table))
    (pk,) = table.primary_key.columns
    after = None
    while not rot.stopped:
        rows = await _rotate_batch(db, name, table, rule, rot, after, run.batch)
        run.progress.advance(task, len(rows))
        run.count_batch(rot)
        if len(rows) < run.batch:
            return
        after = getattr(rows[-1], pk.name)


async def remap_column(db: Database, name: str, column: Any, rot: Rotation, run: "Run") -> None:
    """Indexes kept without their value: each older index of a value seen becomes its current one."""
    olds = sorted(rot.remap)
    task = run.progress.add_task(name, total=len(olds))
    for start in range(0, len(olds), run.batch):
        if rot.stopped:
            return
        async with db.write_session() as session:
            for old in olds[start : start + run.batch]:
                statement = update(column.table).where(column == old)
                result = await session.execute(statement.values({column.name: rot.remap[old]}))
                rot.changed[name] += int(result.rowcount or 0)  # type: ignore[attr-defined]
        run.progress.advance(task, len(olds[start : start + run.batch]))
        run.count_batch(rot)


def rotate_files(root: Path, rot: Rotation, run: "Run") -> None:
    """Uploaded files under an older file key, rewritten under the current one (atomically)."""
    files = (
        [p for p in root.rglob("*") if p.is_file() and p.suffix != ".part"] if root.exists() else []
    )
    task = run.progress.add_task("上传文件 uploads", total=len(files))
    current = get_settings().file_key_id
    for path in files:
        blob = path.read_bytes()
        key_id = pii.file_key_id_of(blob)
        if key_id is not None and key_id != current:
            part = path.with_name(path.name + ".part")
            part.write_bytes(pii.encrypt_file(pii.decrypt_file(blob)))
            part.replace(path)
            rot.changed["上传文件 uploads"] += 1
        run.progress.advance(task)


@dataclass
class Run:
    progress: Progress
    batch: int = BATCH
    max_batches: int | None = None  # stop after this many (a test of the resumption)
    batches: int = 0

    def count_batch(self, rot: Rotation) -> None:
        self.batches += 1
        if self.max_batches is not None and self.batches >= self.max_batches:
            rot.stopped = True


async def rotate_all(db: Database, upload_dir: Path, run: Run) -> Rotation:
    """Every ciphertext, blind index and file to the current keys; ``stopped`` if cut short."""
    settings = get_settings()
    olds = settings.blind_index_old_keys
    rot = Rotation([bytes.fromhex(k) for i, k in olds.items() if i != settings.blind_index_key_id])
    for name, model, rule in ENCRYPTED:
        await rotate_table(db, name, cast(Table, model.__table__), rule, rot, run)
    for name, column in INDEX_ONLY:
        await remap_column(db, name, column, rot, run)
    if rot.stopped:
        return rot
    if rot.old_index_keys:  # counters under an older key are dropped: a limit starts afresh
        async with db.write_session() as session:
            await session.execute(delete(RateCounter))
    await asyncio.to_thread(rotate_files, upload_dir, rot, run)
    return rot


ROTATE_HELP = (
    "Move every encrypted column, blind index and uploaded file to the current keys.\n\n"
    "First set the new keys and ids (RUXUE_PII_KEY and RUXUE_PII_KEY_ID, RUXUE_BLIND_INDEX_KEY "
    "and RUXUE_BLIND_INDEX_KEY_ID, RUXUE_FILE_KEY and RUXUE_FILE_KEY_ID), put the old ones in "
    "RUXUE_PII_OLD_KEYS, RUXUE_BLIND_INDEX_OLD_KEYS and RUXUE_FILE_OLD_KEYS (JSON, id -> key) "
    "and restart the app and the worker. The app keeps running during the rotation: old "
    "ciphertexts are still read and lookups try the old blind-index keys too.\n\n"
    "Rows already under the new keys are skipped, so a stopped run is simply started again. "
    "A new blind-index key ends the guardians' web sessions (they log in again) and resets the "
    "rate limits. The hash-chained call and audit logs are left as written. Remove the old keys "
    "only after a complete run."
)


@app.command(help=ROTATE_HELP)
def rotate(
    batch: int = typer.Option(BATCH, min=1, help="rows per transaction"),
    max_batches: int | None = typer.Option(None, min=1, help="stop after this many batches"),
) -> None:
    """Move every encrypted column, blind index and uploaded file to the current keys."""
    console = Console()
    started = dt.datetime.now(dt.UTC)

    async def go() -> Rotation:
        settings = get_settings()
        db = Database(settings.resolved_database_url())
        try:
            with Progress(console=console) as progress:
                return await rotate_all(db, settings.upload_dir, Run(progress, batch, max_batches))
        finally:
            await db.dispose()

    try:
        rot = asyncio.run(go())
    except ValueError as exc:  # a key not configured: the batch rolled back, nothing half-written
        console.print(f"[red]无法解密：{exc}[/red]（请在对应的 *_OLD_KEYS 中配置该密钥后重新运行）")
        raise typer.Exit(1) from None
    for name, count in sorted(rot.changed.items()):
        console.print(f"{name}: {count} 条已更新")
    seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    if rot.stopped:
        console.print(f"已暂停（{seconds:.0f} 秒）：再次运行 ruxue keys rotate 继续。")
        raise typer.Exit(3)
    console.print(f"密钥轮换完成（{seconds:.0f} 秒）。旧密钥现在可以从 *_OLD_KEYS 中移除。")
