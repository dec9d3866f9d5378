"""Uploaded PDFs: measured before any PDF library expands them, then parsed strictly by qpdf.

Every Flate stream in the file is expanded here with a cap on the total (found after each
``stream`` keyword, so a false ``/Length`` hides nothing; zlib says where each one ends; ASCII85
or hex text is decoded first, up to its end marker), and a stream's filters must be these or an
image codec, named in the stream's dictionary (always in the open, never inside an object
stream), so qpdf never expands anything that was not measured. Then qpdf parses it without
repairing it, and the page count, the object count and active content (scripts, launch actions,
embedded files) are checked."""

import base64
import binascii
import io
import re
import zlib
from collections.abc import Iterator

import pikepdf

from ruxue.enrollment.uploads import BadUpload, UploadLimits

STREAM = re.compile(rb"(?<!end)stream[ \t]*(?:\r\n|\r|\n)")
NAME = re.compile(rb"/([^\s/\[\]<>(){}%]*)")
ESCAPE = re.compile(rb"#([0-9a-fA-F]{2})")
FILTER_VALUE = re.compile(rb"\s*(\[[^\]]*\]|/[^\s/\[\]<>(){}%]*)")
MEASURED = {"FlateDecode", "Fl", "ASCII85Decode", "A85", "ASCIIHexDecode", "AHx"}  # expanded here
ASCII85 = re.compile(rb"[!-uz\s]*~>")
HEX = re.compile(rb"[0-9A-Fa-f\s]*>")
CODECS = {"DCTDecode", "DCT", "JPXDecode", "CCITTFaxDecode", "CCF", "JBIG2Decode"}  # never expanded
ACTIVE = {
    *("JavaScript", "JS", "Launch", "SubmitForm", "ImportData", "GoToE", "GoToR", "URI", "Print"),
    *("EmbeddedFile", "EmbeddedFiles", "RichMedia", "XFA"),
}
CHUNK = 1024 * 1024  # expanded output looked at, at most, at a time
WINDOW = 64 * 1024  # compressed input given to zlib at a time
DAMAGED = "PDF 文件结构不完整或已损坏，无法读取。请用扫描软件重新导出 PDF 后上传。"


def check_pdf(data: bytes, limits: UploadLimits) -> None:
    if not data.startswith(b"%PDF-"):
        raise BadUpload("PDF 文件必须以 %PDF- 开头（按文件内容判断），请重新导出后上传。")
    if data.rstrip(b"\r\n\t \x00")[-5:] != b"%%EOF":
        raise BadUpload("PDF 文件结尾之后还有其他内容，不能上传。请重新导出后上传。")
    _check_filters(data)
    if _expanded_size(data, limits.max_pdf_decoded_bytes) > limits.max_pdf_decoded_bytes:
        raise BadUpload(
            f"PDF 解压后超过 {limits.max_pdf_decoded_bytes // (1024 * 1024)} MB，可能是异常文件。请降低扫描分辨率后重新上传。"
        )
    _check_structure(data, limits)


def _names(data: bytes) -> Iterator[tuple[str, int]]:
    """Every name written in the open, with #xx escapes undone, and where it ends."""
    for match in NAME.finditer(data):
        raw = ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        yield raw.decode("latin-1"), match.end()


def _check_filters(data: bytes) -> None:
    """Every ``/Filter`` is a name or an array of names (no reference), each Flate or an image codec."""
    for name, end in _names(data):
        if name != "Filter":
            continue
        value = FILTER_VALUE.match(data, end)
        written = value.group(1) if value else b""
        filters = {n for n, _ in _names(written)}
        other = NAME.sub(b"", written).strip(b" \t\r\n\f\x00[]")
        if not filters or other or not filters <= MEASURED | CODECS:
            raise BadUpload("PDF 使用了不支持的压缩方式，请用扫描软件重新导出 PDF 后上传。")


def _expanded_size(data: bytes, cap: int) -> int:
    """The Flate streams' total size expanded, counted up to just over ``cap``."""
    total, looked_at, view = 0, 0, memoryview(data)
    for match in STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        looked_at += end - start  # streams overlap only in a crafted file: bound the work
        if looked_at > 4 * len(data):
            raise BadUpload(DAMAGED)
        total += _stream_size(data, view, start, end, cap - total)
        if total > cap:
            break
    return total


def _stream_size(data: bytes, view: memoryview, start: int, end: int, cap: int) -> int:
    try:
        return _inflated(view, start, cap)
    except zlib.error:
        text = _ascii_decoded(data, start, end)  # ASCII85 or hex, perhaps over Flate (reportlab)
    if text is None:
        return 0  # an image codec's data, or damaged: qpdf decides
    try:
        return _inflated(memoryview(text), 0, cap)
    except zlib.error:
        return len(text)


def _ascii_decoded(data: bytes, start: int, end: int) -> bytes | None:
    try:
        if found := ASCII85.match(data, start, end):
            return base64.a85decode(found.group()[:-2], ignorechars=b" \t\n\r\v\f")
        if found := HEX.match(data, start, end):
            return binascii.unhexlify(re.sub(rb"\s", b"", found.group()[:-1]).ljust(2, b"0"))
    except ValueError:
        return None
    return None


def _inflated(view: memoryview, start: int, cap: int) -> int:
    """The size of the zlib stream at ``start`` expanded, counted up to just over ``cap``. Ends at
    the stream's end, when a call expands nothing, or after a bounded number of calls."""
    inflater, size = zlib.decompressobj(), 0
    calls = 2 + cap // CHUNK + len(view) // WINDOW  # more than a well-formed stream can need
    for at in range(start, len(view), WINDOW):
        size += len(inflater.decompress(view[at : at + WINDOW], CHUNK))
        while inflater.unconsumed_tail and not inflater.eof and size <= cap:
            before, calls = size, calls - 1
            size += len(inflater.decompress(inflater.unconsumed_tail, CHUNK))
            if size == before or calls <= 0:
                raise BadUpload(DAMAGED)
        if inflater.eof or size > cap:
            break
    return size


def _check_structure(data: bytes, limits: UploadLimits) -> None:
    try:
        with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
            if pdf.is_encrypted:
                raise BadUpload("PDF 设有密码或已加密，请上传未加密的文件。")
            if int(pdf.trailer.get("/Size", 0)) > limits.max_pdf_objects:
                raise BadUpload("PDF 内部对象过多，可能是异常文件。请重新导出后上传。")
            if len(pdf.pages) > limits.max_pages:
                raise BadUpload(f"PDF 不能超过 {limits.max_pages} 页，请分开上传。")
            if _active_content(pdf):
                raise BadUpload("PDF 含有脚本、自动操作或嵌入文件，不能上传。请上传扫描件。")
    except pikepdf.PdfError:
        raise BadUpload(DAMAGED) from None


def _active_content(pdf: pikepdf.Pdf) -> bool:
    return any(_names_in(obj) & ACTIVE for obj in pdf.objects)


def _names_in(obj: pikepdf.Object, depth: int = 0) -> set[str]:
    """The names of a dictionary or array (keys and values), down through its direct parts."""
    if depth > 32:
        raise BadUpload(DAMAGED)
    if isinstance(obj, pikepdf.Name):
        return {str(obj)[1:]}
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        items = list(obj.items())
        names = {key[1:] for key, _ in items}
        parts = [value for _, value in items]
    elif isinstance(obj, pikepdf.Array):
        names, parts = set(), list(obj)
    else:
        return set()
    for part in parts:
        if isinstance(part, pikepdf.Object) and not part.is_indirect:
            names |= _names_in(part, depth + 1)
    return names
