"""Media files: what they are (sniffed from their first bytes, not their name) and their size."""

from __future__ import annotations

import stat as stat_module
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

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
    mime: str | None = None  # an image or video type networks know, sniffed from the content
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
    return MediaInfo(None, stat.st_size, mime or video_type(head), kind)


VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})
_VIDEO_BRANDS = {b"qt  ": "video/quicktime"}  # any other ISO base media brand of a video plays as MP4


@dataclass(frozen=True)
class VideoInfo:
    """What networks limit about a video: its type, length in seconds and frame size."""

    mime: str
    seconds: float
    width: int
    height: int
    located: bool = False  # its metadata records where it was filmed (a phone's GPS position)

    @property
    def aspect(self) -> float:
        return self.width / self.height if self.height else 0.0


def video_type(head: bytes) -> str | None:
    """``video/mp4`` or ``video/quicktime`` for an MP4/MOV file's first bytes, else None."""
    if head[4:8] != b"ftyp" or sniff(head)[1] not in ("an MP4 video", "a QuickTime video"):
        return None
    return _VIDEO_BRANDS.get(head[8:12], "video/mp4")


def is_video(path: Path) -> bool:
    """Whether a file is an MP4 or MOV video, by its content (False when it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            return video_type(handle.read(16)) is not None
    except OSError:
        return False


def video_info(path: Path) -> VideoInfo | None:
    """Type, duration and frame size of an MP4/MOV video, read from its ``moov`` box headers
    (a few small reads, whatever the file's size); None when it is not a readable video.

    Hand-written rather than a library's: ``check`` reads every video of every post, and
    the boxes needed (ISO/IEC 14496-12 ``mvhd``, ``tkhd``, ``hdlr``) take forty lines.
    """
    try:
        with open(path, "rb") as handle:
            mime = video_type(handle.read(16))
            if mime is None:
                return None
            moov = _find_box(handle, b"moov", 0, path.stat().st_size)
            if moov is None:
                return None
            handle.seek(moov[0])
            return _read_moov(handle.read(min(moov[1], 16 * 1024 * 1024)), mime)
    except (OSError, ValueError, IndexError):
        return None


def _find_box(handle: BinaryIO, kind: bytes, start: int, end: int) -> tuple[int, int] | None:
    """(offset of the body, body size) of the first top-level box ``kind`` between start and end."""
    offset = start
    while offset + 8 <= end:
        handle.seek(offset)
        header = handle.read(16)
        size, found = int.from_bytes(header[:4], "big"), header[4:8]
        body = offset + 8
        if size == 1:  # a 64-bit size follows the type
            size, body = int.from_bytes(header[8:16], "big"), offset + 16
        elif size == 0:  # the box runs to the end of the file
            size = end - offset
        if size < body - offset:
            return None
        if found == kind:
            return body, size - (body - offset)
        offset += size
    return None


def _children(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    offset = 0
    while offset + 8 <= len(data):
        size, kind = int.from_bytes(data[offset : offset + 4], "big"), data[offset + 4 : offset + 8]
        if size < 8:
            return
        yield kind, data[offset + 8 : offset + size]
        offset += size


def _read_moov(moov: bytes, mime: str) -> VideoInfo | None:
    boxes = dict(_children(moov))
    mvhd = boxes.get(b"mvhd")
    if not mvhd:
        return None
    if mvhd[0] == 1:  # version 1: 64-bit times
        timescale, duration = int.from_bytes(mvhd[20:24], "big"), int.from_bytes(mvhd[24:32], "big")
    else:
        timescale, duration = int.from_bytes(mvhd[12:16], "big"), int.from_bytes(mvhd[16:20], "big")
    for kind, trak in _children(moov):
        if kind != b"trak":
            continue
        parts = dict(_children(trak))
        hdlr = dict(_children(parts.get(b"mdia", b""))).get(b"hdlr", b"")
        tkhd = parts.get(b"tkhd", b"")
        if hdlr[8:12] == b"vide" and len(tkhd) >= 84:
            width, height = int.from_bytes(tkhd[-8:-4], "big") >> 16, int.from_bytes(tkhd[-4:], "big") >> 16
            if _quarter_turn(tkhd[-44:-8]):  # a phone video filmed upright: the matrix turns it
                width, height = height, width
            located = any(mark in moov for mark in _LOCATION_MARKS)
            return VideoInfo(mime, duration / timescale if timescale else 0.0, width, height, located)
    return None


# Where phones record the filming position in a video's metadata: QuickTime's ©xyz user data
# (ISO 6709), Apple's location key in the metadata box, and 3GPP's 'loci' box.
_LOCATION_MARKS = (b"\xa9xyz", b"com.apple.quicktime.location.ISO6709", b"loci")


def _quarter_turn(matrix: bytes) -> bool:
    """Whether a track's display matrix turns it by 90° (its a and d terms are zero)."""
    return int.from_bytes(matrix[0:4], "big") == 0 and int.from_bytes(matrix[16:20], "big") == 0


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


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels of an image's bytes, as stored (its header only is read)."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size


JPEG_QUALITIES = (90, 85, 80, 75, 70, 60, 50)


def fit_image(data: bytes, max_bytes: int, max_side: int | None = None, min_side: int = 320) -> bytes | None:
    """The image upright and at most ``max_bytes``: ``data`` itself when it already is, else a JPEG
    re-encode; None when none fits. ValueError when the image cannot be decoded.

    The JPEG is at most ``max_side`` pixels a side; qualities go down, then the sides shrink by a
    quarter, down to ``min_side``. The EXIF orientation is applied and no metadata is copied;
    transparency is flattened onto white.
    """
    import io

    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            if len(data) <= max_bytes and opened.getexif().get(0x0112, 1) == 1:
                return data
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValueError("the image cannot be decoded") from None
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        image = image.convert("RGB")
    width, height = image.size
    sides = [min(max_side or max(width, height), max(width, height))]
    while sides[-1] > min_side:
        sides.append(max(min_side, int(sides[-1] * 0.75)))
    for side in sides:
        scale = min(1.0, side / max(width, height))
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        scaled = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
        for quality in JPEG_QUALITIES:
            out = io.BytesIO()
            scaled.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
            if out.tell() <= max_bytes:
                return out.getvalue()
    return None
