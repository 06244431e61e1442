"""Videos on their way to a network: what each network takes, and each file checked against it
before any request (type, size, duration, shape, captions), then streamed in chunks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hospipost.networks.failures import PermanentError

if TYPE_CHECKING:
    from pathlib import Path

    from hospipost.posts import Media

MP4 = frozenset({"video/mp4"})
MP4_MOV = frozenset({"video/mp4", "video/quicktime"})
_TYPE_NAMES = {"video/mp4": "MP4", "video/quicktime": "MOV"}


@dataclass(frozen=True)
class VideoLimits:
    """What a network takes as video: one per post, alone (no images beside it)."""

    max_bytes: int
    max_seconds: float
    min_seconds: float = 0.0
    types: frozenset[str] = MP4
    aspects: tuple[float, float] | None = None  # the narrowest and widest width/height it shows
    captions: bool = False  # it takes a captions file (WebVTT or SRT) with the video


@dataclass(frozen=True)
class Video:
    """A video ready to upload: its file (streamed, never read whole), measures and captions."""

    media: Media
    size: int
    type: str
    seconds: float
    width: int
    height: int
    captions: bytes | None = None  # the captions file's content, where the post names one

    @property
    def path(self) -> Path:
        return self.media.path

    def chunks(self, size: int) -> Iterator[bytes]:
        """The file in pieces of ``size`` bytes (the last one shorter)."""
        with open(self.media.path, "rb") as handle:
            while chunk := handle.read(size):
                yield chunk


def read_video(item: Media, limits: VideoLimits | None, who: str) -> Video:
    """The video of ``item`` measured and checked against ``limits`` before any request:
    PermanentError (nothing sent) for a file the network would refuse."""
    from hospipost.media import video_info

    if limits is None:
        raise PermanentError(f"hospipost does not publish videos to {who}: remove {item.file} or this network")
    info = video_info(item.path)
    if info is None:
        raise PermanentError(
            f"cannot read the video {item.file} (missing, cut or not MP4/MOV): restore or re-export it as MP4"
            " (H.264 and AAC), then publish again"
        )
    size = item.path.stat().st_size
    problem = video_problem(info.mime, size, info.seconds, info.aspect, limits, who)
    if problem:
        raise PermanentError(f"the video {item.file} {problem}: re-export it, then publish again")
    return Video(item, size, info.mime, info.seconds, info.width, info.height, _captions(item, limits, who))


def video_problem(mime: str, size: int, seconds: float, aspect: float, limits: VideoLimits, who: str) -> str | None:
    """Why a network would refuse a video with these measures (a clause), or None. Shared by
    ``check`` (network-media) and the adapters, so both say the same."""
    if mime not in limits.types:
        return f"is {_TYPE_NAMES.get(mime, mime)} and {who} takes {' or '.join(_names(limits.types))} videos"
    if size > limits.max_bytes:
        return f"weighs {_megabytes(size)} and {who} takes at most {_megabytes(limits.max_bytes)}"
    if seconds > limits.max_seconds:
        return f"lasts {_duration(seconds)} and {who} takes at most {_duration(limits.max_seconds)}"
    if seconds < limits.min_seconds:
        return f"lasts {_duration(seconds)} and {who} needs at least {_duration(limits.min_seconds)}"
    if limits.aspects and not limits.aspects[0] - 0.01 <= aspect <= limits.aspects[1] + 0.01:
        narrow, wide = (_ratio(value) for value in limits.aspects)
        return f"has the shape {_ratio(aspect)} and {who} shows videos from {narrow} to {wide}"
    return None


def _captions(item: Media, limits: VideoLimits, who: str) -> bytes | None:
    if item.captions_path is None or not limits.captions:
        return None  # a11y-video-captions tells the team in `check`
    try:
        data = item.captions_path.read_bytes()
    except OSError as error:
        raise PermanentError(
            f"cannot read the captions {item.captions} ({error.strerror or error}): restore the file, then publish again"
        ) from None
    if not captions_format(data):
        raise PermanentError(f"the captions {item.captions} are neither WebVTT nor SRT: export them as .vtt")
    return data


def captions_format(data: bytes) -> str | None:
    """ "vtt" or "srt" for a captions file's content, None for anything else."""
    text = data.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"WEBVTT"):
        return "vtt"
    first = text.split(b"\n", 2)
    if len(first) >= 2 and first[0].strip().isdigit() and b"-->" in first[1]:
        return "srt"
    return None


def _names(types: frozenset[str]) -> list[str]:
    return [_TYPE_NAMES.get(mime, mime) for mime in sorted(types, key=lambda mime: mime != "video/mp4")]


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    if seconds >= 60:
        return f"{int(seconds // 60)} min {seconds % 60:02.0f} s"
    return f"{seconds:.3g} s"


def _megabytes(size: int) -> str:
    """A video's size in MB, with a decimal below 10 MB (never "0 MB")."""
    megabytes = size / 1_048_576
    return f"{megabytes:.0f} MB" if megabytes >= 10 else f"{megabytes:.1f} MB".replace(".0 MB", " MB")


def _ratio(aspect: float) -> str:
    for name, value in (
        ("9:16", 9 / 16),
        ("4:5", 4 / 5),
        ("1:1", 1.0),
        ("16:9", 16 / 9),
        ("1.91:1", 1.91),
        ("3:1", 3.0),
    ):
        if abs(aspect - value) < 0.01:
            return name
    return f"{aspect:.2f}:1"
