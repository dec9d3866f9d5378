"""Issue 22: an upload can never hold the app. The 2.5 KB PDF that looped in ``_inflated`` ends;
every parser runs in a killable child under CPU and memory limits; PDFs with actions that reach
outside the file (another file, a web address, a program, the printer) are refused."""

import subprocess
import sys
import time

import pytest

from ruxue.enrollment import materials, upload_worker
from ruxue.enrollment.uploads import BadUpload, UploadLimits
from ruxue.settings import Settings
from tests.support import files

LIMITS = UploadLimits.of(Settings())
CHECK = (
    "import sys; sys.path.insert(0, '.')\n"
    "from ruxue.enrollment import materials\n"
    "from ruxue.enrollment.uploads import BadUpload, UploadLimits\n"
    "from ruxue.settings import Settings\n"
    "from tests.support import files\n"
    "try:\n"
    "    materials.check_upload(files.pdf_inflate_loop(), UploadLimits.of(Settings()))\n"
    "except BadUpload:\n"
    "    pass\n"
)


def test_the_inflate_loop_pdf_is_answered_quickly() -> None:
    """In a child process, so today's endless loop fails the test instead of hanging it."""
    child = subprocess.Popen([sys.executable, "-c", CHECK])
    try:
        assert child.wait(timeout=20) == 0
    finally:
        child.kill()


@pytest.mark.parametrize(
    "action",
    [
        b"/S /GoToR /F (other.pdf) /D [0 /Fit]",
        b"/S /URI /URI (https://evil.example/track)",
        b"/S /Launch /F (cmd.exe)",
        b"/S /Named /N /Print",
        b"/S /JavaScript /JS (this.print())",
    ],
)
def test_a_pdf_with_an_outside_action_is_refused(action: bytes) -> None:
    with pytest.raises(BadUpload, match="脚本、自动操作或嵌入文件"):
        materials.check_upload(files.pdf_with_action(action), LIMITS)


def test_the_isolated_check_answers_as_the_check_does() -> None:
    assert upload_worker.check_upload_isolated(files.pdf(), LIMITS)[0] == "application/pdf"
    assert upload_worker.check_upload_isolated(files.photo("PNG"), LIMITS)[0] == "image/png"
    with pytest.raises(BadUpload, match="解压后超过 64 MB"):
        upload_worker.check_upload_isolated(files.pdf_bomb(), LIMITS)


def _spin(data: bytes, limits: UploadLimits) -> tuple[str, bytes]:
    while True:  # a parser bug that never ends
        pass


def _hog(data: bytes, limits: UploadLimits) -> tuple[str, bytes]:
    hoard = []
    while True:  # a parser bug that eats memory
        hoard.append(bytearray(64 * 1024 * 1024))


def test_a_parser_that_never_ends_is_killed_at_the_timeout() -> None:
    started = time.monotonic()
    with pytest.raises(BadUpload, match="限定时间和内存"):
        upload_worker._in_child(files.pdf(), LIMITS, 1.0, _spin)
    assert time.monotonic() - started < 10


def test_a_parser_that_eats_memory_is_stopped_by_its_limit() -> None:
    with pytest.raises(BadUpload, match="限定时间和内存"):
        upload_worker._in_child(files.pdf(), LIMITS, 60.0, _hog)
