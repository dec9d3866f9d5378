"""Every parser of uploaded bytes (qpdf, zlib, Pillow) runs in a child process with a hard CPU
and address-space limit (``setrlimit``) and a wall-clock timeout after which it is killed, so a
bug in a parser can never hold an app thread, its memory, or the server's shutdown.

Written here rather than taken from a library: ``concurrent.futures.ProcessPoolExecutor`` cannot
kill one hung task (only break the whole pool, failing every other upload in it), and pebble or
billiard would be a dependency for some thirty lines. One short-lived child per upload, forked
from a forkserver that has the parsers imported already, at most ``SLOTS`` at a time."""

import multiprocessing
import resource
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from ruxue.materials.rules import BadUpload, UploadLimits

SLOTS = 2  # parsers running at once in one app process; other uploads wait for a slot
CPU_SECONDS = 10  # the child's CPU limit (SIGXCPU, then SIGKILL)
MEMORY_BYTES = 1536 * 1024 * 1024  # the child's address space
TIMEOUT_S = 20.0  # wall clock, waiting included: then the child is killed
TOO_HARD = "文件无法在限定时间和内存内完成检查，可能是异常文件。请重新扫描或导出后上传。"
STOPPING = "服务正在重启，请稍后重新上传。"
TICK_S = 0.1  # how often a waiting upload looks whether the server is stopping

Parser = Callable[[bytes, UploadLimits], tuple[str, bytes]]
_slots = threading.BoundedSemaphore(SLOTS)
_stopping = threading.Event()
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["ruxue.materials.service"])


def check_upload_isolated(
    data: bytes, limits: UploadLimits, timeout: float = TIMEOUT_S
) -> tuple[str, bytes]:
    """``materials.check_upload`` in a limited child: its answer, or ``BadUpload``."""
    if not _wait(lambda: _slots.acquire(timeout=TICK_S), timeout):
        raise BadUpload(TOO_HARD)
    try:
        return _in_child(data, limits, timeout)
    finally:
        _slots.release()


def _in_child(
    data: bytes, limits: UploadLimits, timeout: float, parser: Parser | None = None
) -> tuple[str, bytes]:
    receiver, sender = _context.Pipe(duplex=False)
    child = _context.Process(target=_check, args=(sender, data, limits, parser), daemon=True)
    child.start()
    sender.close()
    try:
        if not _wait(lambda: receiver.poll(TICK_S), timeout):
            raise BadUpload(TOO_HARD)
        answer = receiver.recv()
    except (EOFError, OSError):
        raise BadUpload(TOO_HARD) from None  # killed by its limits
    finally:
        child.kill()
        child.join()
        receiver.close()
    if isinstance(answer, str):
        raise BadUpload(answer)
    content_type, stored = answer
    return content_type, stored


def stop_all() -> None:
    """The server is stopping: every waiting upload ends now (its child killed), so no thread
    outlives the shutdown by a parser's timeout."""
    _stopping.set()


def _wait(ready: Callable[[], bool], timeout: float) -> bool:
    """Until ``ready()`` (which blocks for at most ``TICK_S``), the timeout, or a stop."""
    deadline = time.monotonic() + timeout
    while not ready():
        if _stopping.is_set():
            raise BadUpload(STOPPING)
        if time.monotonic() >= deadline:
            return False
    return True


def _check(sender: Connection, data: bytes, limits: UploadLimits, parser: Parser | None) -> None:
    from ruxue.materials.service import check_upload

    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    try:
        answer: str | tuple[str, bytes] = (parser or check_upload)(data, limits)
    except BadUpload as refused:
        answer = refused.message
    except MemoryError:
        answer = TOO_HARD
    sender.send(answer)
    sender.close()
