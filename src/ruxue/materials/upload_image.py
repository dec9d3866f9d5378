"""Uploaded images: decoded in full with Pillow under a pixel limit, then encoded again, so the
stored file holds only pixels written here — no trailing bytes, no metadata, no second format."""

import io
import warnings

from PIL import Image, ImageOps

from ruxue.materials.rules import BadUpload

FORMATS = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg")}
ORIENTATION = 0x0112  # the EXIF tag a phone sets instead of turning the pixels


def too_many_pixels(max_pixels: int) -> BadUpload:
    return BadUpload(f"图片像素过多，请缩小到 {max_pixels // 1_000_000} 百万像素以内后重新上传。")


def reencode_image(data: bytes, max_pixels: int) -> tuple[str, str, bytes]:
    """(content type, extension, the image encoded again); refused unless it decodes fully."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                if image.width * image.height > max_pixels:  # before a single pixel is decoded
                    raise too_many_pixels(max_pixels)
                image.load()
                return (*FORMATS[str(image.format)], _encode(image))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels(max_pixels) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise BadUpload(
                "图片无法完整读取：文件可能已损坏，或不是真正的 JPG/PNG 图片。请重新拍照或扫描后上传。"
            ) from None


def _encode(image: Image.Image) -> bytes:
    upright = image
    if image.getexif().get(ORIENTATION, 1) != 1:
        upright = ImageOps.exif_transpose(image)
    # no EXIF (location, device), no ICC profile, no text chunks; a palette's transparency stays
    upright.info = {k: v for k, v in image.info.items() if k == "transparency"}
    out = io.BytesIO()
    if image.format == "JPEG":
        upright.save(out, "JPEG", quality=90)
    else:
        upright.save(out, "PNG")
    return out.getvalue()
