"""What every upload must satisfy, whatever its type: the limits, and no web page inside."""

import re
from dataclasses import dataclass

from ruxue.kit.errors import RuxueError
from ruxue.settings import Settings

# what a browser would run if the file were ever taken for a page (a polyglot)
MARKUP = re.compile(rb"<(?:html|script|body|iframe|svg|!doctype)[\s>/]|javascript:", re.IGNORECASE)


class BadUpload(RuxueError):
    code = "bad_upload"


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_pixels: int
    max_pages: int
    max_pdf_objects: int
    max_pdf_decoded_bytes: int

    @classmethod
    def of(cls, settings: Settings) -> "UploadLimits":
        return cls(
            max_bytes=settings.upload_max_bytes,
            max_pixels=settings.upload_max_pixels,
            max_pages=settings.upload_max_pages,
            max_pdf_objects=settings.upload_max_pdf_objects,
            max_pdf_decoded_bytes=settings.upload_max_pdf_decoded_bytes,
        )


def refuse_markup(data: bytes) -> None:
    if MARKUP.search(data):
        raise BadUpload("文件中含有网页或脚本内容，不能作为证明材料上传。请上传扫描件或照片。")
