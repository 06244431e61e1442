"""Facebook Page videos: one request (``source``) for a small file, Meta's chunked upload (``upload_phase``
start, transfer, finish) for a large one, both on ``POST /{page}/videos`` with the post text as ``description``;
then ``GET /{video}?fields=status`` until ``video_status`` is ``ready``, and the captions as SRT on
``POST /{video}/captions``. The video id is staged as soon as the publishing request answered, so that a retry
waits for that video instead of publishing a second one."""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from hospipost.networks.failures import Attempt, DeliveryError, PermanentError, Step, TransientError, UnknownOutcome
from hospipost.networks.processing import wait_until_processed
from hospipost.networks.srt import as_srt
from hospipost.networks.video import MP4_MOV, VideoLimits

if TYPE_CHECKING:
    import facebook

    from hospipost.networks.base import Part
    from hospipost.networks.facebook import Facebook
    from hospipost.networks.video import Video
    from hospipost.posts import Media

log = logging.getLogger(__name__)

PAGE_VIDEO = VideoLimits(
    max_bytes=10 * 1024**3,  # 10 GB
    max_seconds=240 * 60,  # 4 hours
    types=MP4_MOV,
    aspects=(9 / 16, 16 / 9),
    captions=True,
)
"""What a Page takes as a video post (sources in networks/NOTES.md, Facebook)."""
SIMPLE_MAX = 20 * 1024 * 1024  # up to this size the file goes in one request; above, in the chunks Meta asks for
FAILED = frozenset({"error", "expired"})
LOCALES = {"en": "en_US", "pt": "pt_PT", "ar": "ar_AR", "zh": "zh_CN", "ja": "ja_JP", "ko": "ko_KR"}


def publish_video(fb: Facebook, graph: facebook.GraphAPI, part: Part) -> str:
    """The Page video post of ``part`` once Facebook has processed it: its video id."""
    video = part.video
    assert video is not None
    video_id = part.staged  # published by an earlier attempt, which gave up waiting: wait for it again
    if not video_id:
        upload = _upload_in_chunks if video.size > fb.simple_upload_max else _upload_at_once
        video_id = upload(fb, graph, video, part)
        part.stage(video_id)
    checking = Attempt(f"checking that Facebook processed the video {video.media.file}", Step.UPLOAD)
    path = f"{graph.version}/{video_id}"

    def processed() -> float | None:
        answer = fb._call(graph, checking, lambda: graph.request(path, {"fields": "status"}))
        return _still_processing(answer, video)

    what = f"the video {video.media.file}"
    wait_until_processed(processed, what=what, who=fb.who, limit=fb.processing_limit, sleep=fb.sleep)
    if video.captions:
        _add_captions(fb, graph, video_id, video, part.language)
    return video_id


def _upload_at_once(fb: Facebook, graph: facebook.GraphAPI, video: Video, part: Part) -> str:
    """POST /{page}/videos with the file as ``source``: the publishing request."""
    attempt = Attempt(part.doing, Step.PUBLISH)
    with open(video.path, "rb") as handle:
        source = {"source": (video.path.name, handle, video.type)}
        fields = {"description": part.text}
        answer = fb._call(graph, attempt, lambda: graph.request(_edge(fb, graph), post_args=fields, files=source))
    return given_id(fb, answer.get("id"), "video")


def _upload_in_chunks(fb: Facebook, graph: facebook.GraphAPI, video: Video, part: Part) -> str:
    """Meta's chunked upload: start (the file size), transfer each range Meta asks for, finish (the publishing
    request, with the description). Nothing is visible on the Page before finish."""
    edge, uploading = _edge(fb, graph), Attempt(f"uploading the video {video.media.file}", Step.UPLOAD)
    fields = {"upload_phase": "start", "file_size": str(video.size)}
    started = fb._call(graph, uploading, lambda: graph.request(edge, post_args=fields))
    session, video_id = started.get("upload_session_id"), started.get("video_id")
    begin, end = _offsets(started, uploading)
    if not session or not video_id:
        raise TransientError(f"Facebook started the upload without a session or video id; {uploading.nothing}")
    with open(video.path, "rb") as handle:
        while begin < end:
            handle.seek(begin)
            chunk = {"video_file_chunk": (video.path.name, handle.read(end - begin), "application/octet-stream")}
            fields = {"upload_phase": "transfer", "upload_session_id": str(session), "start_offset": str(begin)}
            answer = fb._call(graph, uploading, partial(graph.request, edge, post_args=fields, files=chunk))
            previous, (begin, end) = begin, _offsets(answer, uploading)
            if begin <= previous and begin < end:
                raise TransientError(f"Facebook asked for the same part of the video twice; {uploading.nothing}")
    fields = {"upload_phase": "finish", "upload_session_id": str(session), "description": part.text}
    answer = fb._call(graph, Attempt(part.doing, Step.PUBLISH), lambda: graph.request(edge, post_args=fields))
    return given_id(fb, video_id if answer.get("success") is True else None, "video")


def _still_processing(answer: dict[str, Any], video: Video) -> float | None:
    """None once the video is ready; PermanentError with Meta's reason when processing failed; else the
    seconds to wait before asking again."""
    status = _mapping(answer.get("status"))
    state = str(status.get("video_status") or "").lower()
    if state == "ready":
        return None
    phase = _mapping(status.get("processing_phase"))
    if state in FAILED or phase.get("status") == "error":
        errors = [e.get("message") for e in phase.get("errors") or [] if isinstance(e, dict) and e.get("message")]
        reason = " ".join(" ".join(str(text) for text in errors).split())[:300] or f"video status {state}"
        raise PermanentError(
            f"Facebook could not process the video {video.media.file} ({reason}), so the Page does not show the"
            " post: re-export the video as MP4 (H.264 and AAC), then publish again"
        )
    return 5.0  # Meta's status answer suggests no pace


def _add_captions(fb: Facebook, graph: facebook.GraphAPI, video_id: str, video: Video, language: str) -> None:
    """POST /{video}/captions with an SRT file named ``name.{locale}.srt``. The post is online by now: a
    refusal is logged for the team, never a failed delivery."""
    locale = fb_locale(language)
    name = f"{video.path.stem}.{locale}.srt"
    files = {"captions_file": (name, as_srt(video.captions or b""), "application/x-subrip")}
    attempt = Attempt(f"adding the captions {video.media.captions}", Step.UPLOAD)
    path = f"{graph.version}/{video_id}/captions"
    try:
        fb._call(graph, attempt, lambda: graph.request(path, post_args={"default_locale": locale}, files=files))
    except DeliveryError as error:
        log.warning("Facebook published the video %s without its captions: %s", video.media.file, error)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _edge(fb: Facebook, graph: facebook.GraphAPI) -> str:
    return f"{graph.version}/{fb.page_id}/videos"


def _offsets(answer: dict[str, Any], attempt: Attempt) -> tuple[int, int]:
    try:
        return int(answer["start_offset"]), int(answer["end_offset"])
    except (KeyError, TypeError, ValueError):
        raise TransientError(f"Facebook's upload answer gave no byte range; {attempt.nothing}") from None


def given_id(fb: Facebook, remote_id: Any, what: str) -> str:
    """The id Facebook gave a published ``what`` (post, video); UnknownOutcome when it gave none."""
    if not remote_id:
        raise UnknownOutcome(
            f"Facebook accepted the {what} but returned no {what} id: it may be online; {fb.unknown_hint()}"
        )
    return str(remote_id)


def described(item: Media) -> dict[str, Any]:
    """A file as --dry-run shows a multipart upload: its name and size (None when it cannot be read)."""
    try:
        size: int | None = item.path.stat().st_size
    except OSError:
        size = None
    return {"file": item.file, "name": item.path.name, "bytes": size}


def fb_locale(language: str) -> str:
    """Facebook's locale (``fr_FR``) for a BCP 47 tag (``fr``, ``fr-CA``)."""
    parts = language.replace("_", "-").split("-")
    lang = parts[0].lower() or "fr"
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), None)
    return f"{lang}_{region}" if region else LOCALES.get(lang, f"{lang}_{lang.upper()}")


def video_payload(base: str, text: str, item: Media, language: str, simple_max: int) -> list[dict[str, Any]]:
    """The requests of a video post for --dry-run (ids as placeholders, sizes from the file, no token)."""
    source = described(item)
    size, version_base, videos = source["bytes"], base.rsplit("/", 1)[0], f"{base}/videos"
    if size is None or size <= simple_max:
        requests = [{"method": "POST", "url": videos, "data": {"description": text}, "files": {"source": source}}]
    else:
        requests = [
            {"method": "POST", "url": videos, "data": {"upload_phase": "start", "file_size": str(size)}},
            {
                "method": "POST",
                "url": videos,
                "data": {"upload_phase": "transfer", "upload_session_id": "<upload session id>"},
                "files": {"video_file_chunk": {**source, "bytes": "each byte range Facebook asks for"}},
            },
            {
                "method": "POST",
                "url": videos,
                "data": {"upload_phase": "finish", "upload_session_id": "<upload session id>", "description": text},
            },
        ]
    status = {"fields": "status"}
    requests.append({"method": "GET", "url": f"{version_base}/<video id>", "params": status, "until": "ready"})
    if item.captions:
        locale = fb_locale(language)
        name = f"{item.path.stem}.{locale}.srt"
        captions = {"file": item.captions, "name": name, "format": "SRT"}
        captions_url = f"{version_base}/<video id>/captions"
        requests.append(
            {
                "method": "POST",
                "url": captions_url,
                "data": {"default_locale": locale},
                "files": {"captions_file": captions},
            }
        )
    return requests
