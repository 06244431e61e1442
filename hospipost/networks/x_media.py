"""X's v2 media upload (used by x.py; tweepy lacks it): initialize, append in chunks, finalize, STATUS until
processed, then the alt text. Videos (tweet_video) go this way, as images (tweet_image) do; a video's captions
too (subtitles), attached to it just before its post. Requests are signed by ``X._call``. Sources: NOTES.md."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hospipost.media import image_type, video_type
from hospipost.networks.failures import Attempt, PermanentError, Step
from hospipost.networks.processing import wait_until_processed
from hospipost.networks.video import MP4_MOV, VideoLimits, captions_format

if TYPE_CHECKING:
    from collections.abc import Iterable

    import tweepy

    from hospipost.networks.video import Video
    from hospipost.networks.x import X
    from hospipost.posts import Media

log = logging.getLogger(__name__)

# docs.x.com/x-api/media/quickstart/best-practices: MP4/MOV, 512 MB, 0.5–140 s, 1:3 to 3:1; subtitles
VIDEO = VideoLimits(512 * 1_048_576, 140.0, 0.5, MP4_MOV, (1 / 3, 3.0), captions=True)
MEDIA_CATEGORY, VIDEO_CATEGORY, CAPTIONS_CATEGORY = "tweet_image", "tweet_video", "subtitles"
CATEGORIES = {"video": VIDEO_CATEGORY, "text": CAPTIONS_CATEGORY}  # by the top of the MIME type; else images
KINDS = {MEDIA_CATEGORY: "image", VIDEO_CATEGORY: "video", CAPTIONS_CATEGORY: "captions"}
CAPTIONS_TYPES = {"vtt": "text/vtt", "srt": "text/srt"}
UNTIL = "processing_info.state is succeeded, every check_after_secs"
LANGUAGES = {"fr": "Français", "en": "English", "de": "Deutsch", "es": "Español", "it": "Italiano", "nl": "Nederlands"}


def dry_run(x: X, ref: str, item: Media, language: str) -> list[dict[str, Any]]:
    """One media file's requests for --dry-run (``ref`` stands for its id): upload, a video's STATUS, alt text,
    then a video's captions."""
    size, media_type = _describe_file(item.path)
    video = media_type.startswith("video/")
    steps = _upload_steps(x, ref, item.file, media_type, size, VIDEO_CATEGORY if video else MEDIA_CATEGORY)
    if video:  # X processes every video: STATUS until done
        steps.append(_step(x, item.file, "GET", "/upload", until=UNTIL, params=_status(ref)))
    if item.alt:
        steps.append(_step(x, item.file, "POST", "/metadata", json=_alt_text(ref, item.alt)))
    if video and item.captions and item.captions_path:
        size, kind = _describe_file(item.captions_path)
        steps += _upload_steps(x, "<captions id>", item.captions, kind, size, CAPTIONS_CATEGORY)
        subtitles = _subtitles(ref, "<captions id>", language)
        steps.append(_step(x, item.captions, "POST", "/subtitles", json=subtitles))
    return steps


def upload(x: X, client: tweepy.Client, item: Media, media_type: str, size: int, chunks: Iterable[bytes]) -> str:
    """initialize → append (≤ chunk_bytes each) → finalize → STATUS polling → alt text; the media id."""
    category = CATEGORIES.get(media_type.split("/")[0], MEDIA_CATEGORY)
    file = str(item.captions if category == CAPTIONS_CATEGORY else item.file)
    what = f"the {KINDS[category]} {file}"
    call = partial(x._call, client, Attempt(f"uploading {what}", Step.UPLOAD))
    started = call("POST", "/upload/initialize", json=_initialize(media_type, size, category))
    media_id = str(started.get("id") or started.get("media_id") or "")
    if not media_id:
        raise PermanentError(f"X returned no media id while uploading {what}; nothing was published: try again later")
    for segment, chunk in enumerate(chunks):
        media = {"media": (Path(file).name, chunk, "application/octet-stream")}
        call("POST", f"/upload/{media_id}/append", files=media, data={"segment_index": str(segment)})
    answers = [call("POST", f"/upload/{media_id}/finalize")]
    status = partial(call, "GET", "/upload", params=_status(media_id))

    def ready() -> float | None:  # finalize's answer first, then STATUS after each wait
        info = (answers.pop() if answers else status()).get("processing_info") or {}
        if info.get("state") == "failed":
            reason = (info.get("error") or {}).get("message") or "no reason given"
            failed = (
                f"X could not process {what} ({reason}); nothing was published: replace the file, then publish again"
            )
            raise PermanentError(x.redact(failed))
        return float(info.get("check_after_secs") or 1) if info.get("state") in ("pending", "in_progress") else None

    wait = x.max_video_wait if category == VIDEO_CATEGORY else x.max_processing_wait
    wait_until_processed(ready, what=what, who=x.who, limit=wait, sleep=x.sleep)
    if item.alt and category != CAPTIONS_CATEGORY:
        call("POST", "/metadata", json=_alt_text(media_id, item.alt))
    log.info("X: uploaded %s as media %s", what, media_id)
    return media_id


def upload_data(x: X, client: tweepy.Client, item: Media, media_type: str, data: bytes) -> str:
    """``upload`` of a file already read (an image, captions), in pieces of ``chunk_bytes``."""
    chunks = (data[offset : offset + x.chunk_bytes] for offset in range(0, len(data), x.chunk_bytes))
    return upload(x, client, item, media_type, len(data), chunks)


def caption(x: X, client: tweepy.Client, video: Video, video_id: str, language: str) -> None:
    """The captions file uploaded (subtitles), then attached to the processed video in the post's language."""
    if len(language.split("-")[0]) != 2:
        raise PermanentError(
            f"X takes captions in languages with a two-letter code and this post is in {language}: burn the"
            " captions into the video or remove them, then publish again"
        )
    data = video.captions or b""
    kind = CAPTIONS_TYPES.get(captions_format(data) or "", "text/srt")
    captions_id = upload_data(x, client, video.media, kind, data)
    attempt = Attempt(f"attaching the captions {video.media.captions} to the video", Step.UPLOAD)
    x._call(client, attempt, "POST", "/subtitles", json=_subtitles(video_id, captions_id, language))


# ---------------------------------------------------------------------- requests, real and dry run


def _initialize(media_type: str, size: int | None, category: str) -> dict[str, Any]:
    return {"media_type": media_type, "total_bytes": size, "media_category": category}


def _status(media_id: str) -> dict[str, Any]:
    return {"media_id": media_id, "command": "STATUS"}


def _alt_text(media_id: str, alt: str) -> dict[str, Any]:
    return {"id": media_id, "metadata": {"alt_text": {"text": alt}}}


def _subtitles(video_id: str, captions_id: str, language: str) -> dict[str, Any]:
    """``POST /2/media/subtitles``: the captions track of a video, in a two-letter language X shows by name."""
    code = language.split("-")[0].lower()
    track = {"id": captions_id, "language_code": code.upper(), "display_name": LANGUAGES.get(code, code.upper())}
    return {"id": video_id, "media_category": "TweetVideo", "subtitles": track}


def _step(x: X, file: str, method: str, path: str, **shown: Any) -> dict[str, Any]:
    """A request as the dry run shows it (``path`` under /2/media, as ``X._call`` takes it)."""
    return {"method": method, "url": f"{x.api_base}/2/media{path}", "file": file, **shown}


def _upload_steps(x: X, ref: str, file: str, media_type: str, size: int | None, category: str) -> list[dict[str, Any]]:
    """initialize, each append and finalize of one file, for the dry run."""
    steps = [_step(x, file, "POST", "/upload/initialize", json=_initialize(media_type, size, category))]
    for segment in range(max(1, -(-(size or 0) // x.chunk_bytes))):
        chunk = "?" if size is None else min(x.chunk_bytes, size - segment * x.chunk_bytes)
        multipart = {"media": f"<{chunk} bytes of {file}>", "segment_index": segment}
        steps.append(_step(x, file, "POST", f"/upload/{ref}/append", multipart=multipart))
    return [*steps, _step(x, file, "POST", f"/upload/{ref}/finalize")]


def _describe_file(path: Path) -> tuple[int | None, str]:
    """Size and type of a media file for the dry run (None and a guess when unreadable)."""
    import mimetypes

    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
        size: int | None = Path(path).stat().st_size
    except OSError:
        head, size = b"", None
    guess = mimetypes.guess_type(str(path))[0]
    captions = CAPTIONS_TYPES.get(captions_format(head) or "")
    return size, image_type(head) or video_type(head) or captions or guess or "application/octet-stream"
