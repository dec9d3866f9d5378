"""Uploads are decided by parsing: scans are accepted (images encoded again without metadata),
bombs and polyglots are refused with a Chinese message, quickly and in little memory."""

import io
import resource
import time
import tracemalloc
from collections.abc import Callable

import pikepdf
import pytest
from PIL import Image

from ruxue.materials import service as materials
from ruxue.materials.rules import BadUpload, UploadLimits
from ruxue.notice.render import render_notice
from ruxue.settings import Settings
from tests.support import files
from tests.support.notice import DATA as NOTICE

LIMITS = UploadLimits.of(Settings())


@pytest.mark.parametrize(
    ("make", "content_type", "fmt"),
    [
        (lambda: files.photo("PNG"), "image/png", "PNG"),
        (lambda: files.photo("JPEG"), "image/jpeg", "JPEG"),
        (files.png_with_metadata, "image/png", "PNG"),
        (files.jpeg_with_exif, "image/jpeg", "JPEG"),
    ],
)
def test_an_image_is_stored_encoded_again_without_metadata(
    make: Callable[[], bytes], content_type: str, fmt: str
) -> None:
    original = make()
    kind, stored = materials.check_upload(original, LIMITS)
    assert kind == content_type
    with Image.open(io.BytesIO(stored)) as image:
        image.load()
        assert image.format == fmt and image.size == (320, 200)
        assert "Comment" not in image.info and not image.getexif()
        assert image.getpixel((100, 60))[0] > 150  # the red rectangle is still there
    assert b"SecretPhone" not in stored and "王小明".encode() not in stored


def test_a_pdf_is_stored_as_it_came() -> None:
    original = files.pdf()
    assert materials.check_upload(original, LIMITS) == ("application/pdf", original)
    plain = files.handwritten_pdf(files._pages(b"<< /Length 0 >>\nstream\n\nendstream"))
    notice = render_notice(NOTICE)  # reportlab, then pikepdf for PDF/A: fonts, ICC, XMP
    others = (plain, files.reportlab_scan(), files.pdf_with_filter(b"/ASCIIHexDecode"), notice)
    for accepted in others:
        assert materials.check_upload(accepted, LIMITS)[0] == "application/pdf"


def test_a_pdf_over_the_page_limit_is_refused() -> None:
    document = pikepdf.new()
    for _ in range(3):
        document.add_blank_page()
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(BadUpload, match="不能超过 2 页"):
        materials.check_upload(out.getvalue(), UploadLimits.of(Settings(upload_max_pages=2)))


REFUSED = [
    (files.png_bomb, "像素过多"),
    (files.jpeg_bomb, "像素过多"),
    (files.pdf_bomb, "解压后超过 64 MB"),
    (lambda: files.pdf_bomb(length=10), "解压后超过 64 MB"),  # a false /Length hides nothing
    (files.pdf_bomb_ascii85, "解压后超过 64 MB"),
    (files.png_then_html, "网页或脚本"),
    (files.pdf_then_html, "网页或脚本"),
    (files.valid_pdf_then_html, "网页或脚本"),
    (lambda: files.pdf() + b"MZ\x90\x00", "结尾之后还有其他内容"),
    (files.pdf_with_script, "脚本、自动操作或嵌入文件"),
    (lambda: files.pdf_with_filter(b"/LZWDecode"), "不支持的压缩方式"),
    (lambda: files.pdf_with_filter(b"[/AHx /RunLengthDecode]"), "不支持的压缩方式"),
    (lambda: files.pdf_with_filter(b"[/Fl#61teDecode 9 0 R]"), "不支持的压缩方式"),
    (lambda: files.pdf_with_filter(b"/LZ#57Decode"), "不支持的压缩方式"),
    (lambda: files.pdf_with_filter(b"9 0 R"), "不支持的压缩方式"),
    (lambda: b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n", "结构不完整或已损坏"),
    (lambda: b"%PDF-1.7\n" + b"stream\n" * 300_000 + b"%%EOF", "结构不完整或已损坏"),
    (lambda: files.photo("PNG")[:-40], "无法完整读取"),
    (lambda: files.photo("GIF"), "只能上传 PDF、JPG 或 PNG"),
    (lambda: b"  %PDF-1.7" + files.pdf(), "只能上传 PDF、JPG 或 PNG"),
    (lambda: b"", "文件是空的"),
]


@pytest.mark.parametrize(("make", "message"), REFUSED)
def test_bombs_and_polyglots_are_refused_quickly_in_little_memory(
    make: Callable[[], bytes], message: str
) -> None:
    data = make()
    cpu_started, started = (
        time.thread_time(),
        time.perf_counter(),
    )  # this thread's CPU: not the load
    with pytest.raises(BadUpload, match=message):
        materials.check_upload(data, LIMITS)
    cpu, elapsed = time.thread_time() - cpu_started, time.perf_counter() - started
    assert cpu < 1.0 and elapsed < 5.0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        with pytest.raises(BadUpload, match=message):
            materials.check_upload(data, LIMITS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert peak < 100 * files.MIB and grown_kib < 100 * 1024  # Python objects; the whole process


def test_a_phone_photo_is_stored_upright_without_its_orientation_tag() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90° clockwise to view"
    sideways = files.photo("JPEG", (320, 200), exif=exif.tobytes())
    _, stored = materials.check_upload(sideways, LIMITS)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (200, 320) and not image.getexif()
