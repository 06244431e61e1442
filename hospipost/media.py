"""Media files: what they are (sniffed from their first bytes, not their name) and their size."""

from __future__ import annotations

import stat as stat_module
from dataclasses import dataclass
from pathlib import Path

# ISO base media files (MP4, MOV, HEIC, AVIF…): the brand after "ftyp" says which.
_FTYP_BRANDS = {
    b"heic": "a HEIC photo",
    b"heix": "a HEIC photo",
    b"hevc": "a HEIC photo",
    b"heim": "a HEIC photo",
    b"heis": "a HEIC photo",
    b"mif1": "a HEIF photo",
    b"msf1": "a HEIF photo",
    b"avif": "an AVIF image",
    b"avis": "an AVIF image",
    b"qt  ": "a QuickTime video",
    b"M4V ": "an MP4 video",
    b"3gp4": "a 3GP video",
}


@dataclass(frozen=True)
class MediaInfo:
    """What check needs to know about a media file, read once per check run."""

    problem: str | None  # why it cannot be used at all (missing, unreadable, empty)
    size: int = 0
    mime: str | None = None  # an image type networks know, sniffed from the content
    kind: str = ""  # what the file is, for messages ("an MP4 video", "a PDF document")


def sniff(head: bytes) -> tuple[str | None, str]:
    """(image MIME type or None, description) from the first bytes of a file."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "a JPEG image"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "a PNG image"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif", "a GIF image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "a WEBP image"
    if head[4:8] == b"ftyp":
        return None, _FTYP_BRANDS.get(head[8:12], "an MP4 video")
    if head.startswith(b"%PDF"):
        return None, "a PDF document"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return None, "a TIFF image"
    if head.startswith(b"BM"):
        return None, "a BMP image"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return None, "an AVI video"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return None, "a WebM/MKV video"
    if head.lstrip().startswith((b"<svg", b"<?xml")):
        return None, "an SVG/XML file"
    if head.startswith(b"PK\x03\x04"):
        return None, "a ZIP archive (an Office document?)"
    return None, "not a known image format"


def media_info(path: Path) -> MediaInfo:
    """Size and sniffed type of a media file: one stat and one 16-byte read."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return MediaInfo("was not found (paths are relative to config.yaml's folder)")
    except OSError as error:
        return MediaInfo(f"cannot be read ({error.strerror or error})")
    if not stat_module.S_ISREG(stat.st_mode):
        return MediaInfo("is not a file")
    if stat.st_size == 0:
        return MediaInfo("is empty")
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError as error:
        return MediaInfo(f"cannot be read ({error.strerror or error})")
    mime, kind = sniff(head)
    return MediaInfo(None, stat.st_size, mime, kind)


def image_type(data: bytes) -> str | None:
    """The image MIME type of some bytes (JPEG, PNG, GIF, WEBP), or None."""
    return sniff(data[:16])[0]


# JPEG segments that carry metadata: APP1 (Exif: GPS position, camera, date; XMP), APP13
# (IPTC), COM (comments). APP0 (JFIF), APP2 (ICC colour profile) and APP14 (Adobe) stay.
_JPEG_METADATA = {0xE1, 0xED, 0xFE}
_PNG_METADATA = {b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"}


def strip_metadata(data: bytes) -> bytes:
    """The image without its metadata (EXIF GPS position, camera, dates, comments), losslessly.

    A photo taken on a phone carries where it was taken: published as is, it can tell
    where a patient lives. JPEG and PNG are cleaned segment by segment, without
    re-encoding; other formats are returned unchanged.
    """
    if data.startswith(b"\xff\xd8"):
        return _strip_jpeg(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _strip_png(data)
    return data


def _strip_jpeg(data: bytes) -> bytes:
    out = bytearray(data[:2])
    position = 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: the image data follows, copied as is
            break
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        end = position + 2 + length
        if marker not in _JPEG_METADATA:
            out += data[position:end]
        position = end
    return bytes(out + data[position:])


def _strip_png(data: bytes) -> bytes:
    out = bytearray(data[:8])
    position = 8
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if kind not in _PNG_METADATA:
            out += data[position:end]
        position = end
    return bytes(out)


def jpeg_orientation(data: bytes) -> int:
    """The EXIF orientation of a JPEG (1 when upright or unknown)."""
    if not data.startswith(b"\xff\xd8"):
        return 1
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return int(image.getexif().get(0x0112, 1))
    except Exception:  # an unreadable image is refused elsewhere with a clear message
        return 1
