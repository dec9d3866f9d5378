"""Files to upload: real scans (Pillow, pikepdf) and the bombs and polyglots an attacker would
send, written byte by byte where a library would refuse to write them."""

import base64
import functools
import io
import struct
import zlib

import pikepdf
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

MIB = 1024 * 1024


def photo(fmt: str = "PNG", size: tuple[int, int] = (320, 200), **save: object) -> bytes:
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).rectangle((20, 20, 200, 120), fill=(200, 30, 30))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def png_with_metadata() -> bytes:
    info = PngInfo()
    info.add_text("Comment", "GPS 31.30N 120.58E, 王小明家")
    return photo("PNG", pnginfo=info)


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretPhone Maker"  # Make
    return photo("JPEG", exif=exif.tobytes())


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(side: int = 20_000) -> bytes:
    """A valid 1-bit PNG of side × side pixels, all black: ~50 KB on disk, 400 MB once decoded."""
    row = b"\x00" + b"\x00" * (side // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row * 1000) for _ in range(side // 1000)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


def jpeg_bomb() -> bytes:
    """A small JPEG whose frame header claims 60000 × 60000 pixels."""
    data = bytearray(photo("JPEG", (64, 64)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 60_000, 60_000)
    return bytes(data)


def pdf() -> bytes:
    """A one-page PDF with text, in object streams as a modern tool writes it."""
    document = pikepdf.new()
    document.add_blank_page(page_size=(595, 842))
    document.pages[0].Contents = document.make_stream(b"BT /F1 24 Tf 72 720 Td (Birth) Tj ET")
    out = io.BytesIO()
    document.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def handwritten_pdf(objects: list[bytes], tail: bytes = b"") -> bytes:
    """A PDF from object bodies (object 1 is the catalog), with a correct xref table."""
    out, offsets = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % at for at in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out) + tail


def _pages(content: bytes, extra: bytes = b"") -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R " + extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        content,
    ]


@functools.cache
def zeros_deflated(size: int) -> bytes:
    packer = zlib.compressobj(9)
    chunk = b"\x00" * MIB
    return b"".join(packer.compress(chunk) for _ in range(size // MIB)) + packer.flush()


def pdf_bomb(expanded: int = 200 * MIB, length: int | None = None) -> bytes:
    """A valid PDF (~200 KB) whose page content expands to ``expanded`` bytes; ``length`` writes
    a false /Length."""
    packed = zeros_deflated(expanded)
    stated = len(packed) if length is None else length
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % stated + packed + b"\nendstream"
    return handwritten_pdf(_pages(stream))


def pdf_bomb_ascii85(expanded: int = 200 * MIB) -> bytes:
    """The bomb again, its Flate data written as ASCII85 text (as reportlab writes streams)."""
    text = base64.a85encode(zeros_deflated(expanded), wrapcol=72) + b"~>"
    head = b"<< /Length %d /Filter [/ASCII85Decode /FlateDecode] >>\nstream\n" % len(text)
    return handwritten_pdf(_pages(head + text + b"\nendstream"))


def reportlab_scan(pages: int = 3) -> bytes:
    """Pages of a photographed certificate, as reportlab writes them (ASCII85 over Flate)."""
    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    image = ImageReader(Image.open(io.BytesIO(photo("JPEG", (1200, 1600)))))
    for n in range(pages):
        sheet.drawImage(image, 0, 0, 595, 842)
        sheet.drawString(50, 50, f"page {n + 1}")
        sheet.showPage()
    sheet.save()
    return out.getvalue()


def pdf_with_script() -> bytes:
    content = b"<< /Length 0 >>\nstream\n\nendstream"
    action = b"/OpenAction 5 0 R"
    return handwritten_pdf([*_pages(content, action), b"<< /S /JavaScript /JS (app.alert(1)) >>"])


def pdf_inflate_loop() -> bytes:
    """A valid 2.5 KB PDF whose page content expands to 2 MB, followed (inside zlib's input window)
    by bytes after the stream's end: zlib keeps them as ``unconsumed_tail`` and expands nothing."""
    packed = zeros_deflated(2 * MIB) + b" " * 400
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed
    return handwritten_pdf(_pages(stream + b"\nendstream"))


def pdf_with_action(action: bytes) -> bytes:
    """A PDF that runs ``action`` (an action dictionary's body) when it is opened."""
    content = b"<< /Length 0 >>\nstream\n\nendstream"
    extra = b"/OpenAction 5 0 R"
    return handwritten_pdf([*_pages(content, extra), b"<< " + action + b" >>"])


def pdf_with_filter(filters: bytes) -> bytes:
    body = b"4142"
    content = b"<< /Length %d /Filter %s >>\nstream\n%s\nendstream" % (len(body), filters, body)
    return handwritten_pdf(_pages(content))


HTML = (
    b"<html><body><script>fetch('/api/v1/me').then(r=>r.text()).then(alert)</script></body></html>"
)


def png_then_html() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + HTML


def pdf_then_html() -> bytes:
    return b"%PDF-1.7\n" + HTML


def valid_pdf_then_html() -> bytes:
    return pdf() + HTML
