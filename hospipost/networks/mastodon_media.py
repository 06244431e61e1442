"""Mastodon media through /api/v2/media (used by mastodon.py): a video, or an image, in one multipart POST
(its alt text as ``description``; Mastodon takes no captions file), then ``GET /api/v1/media/{id}`` while the
instance processes it (202, then 206…) until done (200, with its url); the video limits an instance states."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hospipost.media import media_info
from hospipost.networks.failures import Attempt, PermanentError, Step, TransientError
from hospipost.networks.processing import wait_until_processed
from hospipost.networks.video import MP4_MOV, VideoLimits

if TYPE_CHECKING:
    import mastodon

    from hospipost.networks.failures import Answer, DeliveryError
    from hospipost.networks.mastodon import Mastodon
    from hospipost.posts import Media

log = logging.getLogger(__name__)

VIDEO = VideoLimits(99 * 2**20, 300.0, types=MP4_MOV)  # MAX_VIDEO_SIZE; 36,000 frames at 120 fps
MEDIA = "/api/v2/media"
POLL_DELAYS = (1.0, 2.0, 3.0, 5.0)  # seconds between two looks at a file being processed; the last one repeats
LATER = "hospipost will try again later"


@dataclass(frozen=True)
class Processing(Attempt):
    """Waiting for the instance to process an upload, with the file its refusals name."""

    upload: str = ""  # "the image media/a.png", "the video media/b.mp4"


def dry_run(base: str, item: Media, number: int) -> dict[str, Any]:
    """The upload of ``item`` (media id ``number``) for --dry-run: the multipart form, then the polling."""
    info = media_info(item.path)
    file = {"name": Path(item.file).name, "bytes": None if info.problem else info.size, "type": info.mime}
    fields = ({"description": item.alt} if item.alt else {}) | {"file": file}
    then = f"when it answers 202: GET {base}/api/v1/media/<media id {number}> while 206 (processing), until 200"
    return {"method": "POST", "url": f"{base}{MEDIA}", "file": item.file, "multipart": fields, "then": then}


def upload(ma: Mastodon, client: mastodon.Mastodon, data: Any, mime: str, media: Media) -> str:
    """One media file uploaded, then polled until processed (202, then 206…, then 200 with its url): its id."""
    what, video = f"the {mime.split('/')[0]} {media.file}", mime.startswith("video/")
    uploading = Attempt(f"uploading {what}", Step.UPLOAD)
    name = Path(media.file).name
    answer = ma._call(uploading, client.media_post, data, mime, media.alt or None, file_name=name)
    media_id = answer.get("id")
    if media_id in (None, ""):
        raise TransientError(f"{ma.who} returned no media id while {uploading.doing}; {uploading.nothing}, {LATER}")
    waiting = Processing(f"waiting for the instance to process {what}", Step.UPLOAD, upload=what)
    polls = 0

    def ready() -> float | None:  # the upload's own answer first, then one GET per call
        nonlocal answer, polls
        answer = ma._call(waiting, client.media, media_id) if polls else answer
        polls += 1
        return None if answer.get("url") else POLL_DELAYS[min(polls, len(POLL_DELAYS)) - 1]

    limit = ma.max_video_wait if video else ma.max_processing_wait
    wait_until_processed(ready, what=what, who=ma.who, limit=limit, sleep=ma.sleep)
    log.info("Mastodon: uploaded %s as media %s", media.file, media_id)
    return str(media_id)


def processing_failure(who: str, answer: Answer, attempt: Attempt) -> DeliveryError | None:
    """A media file the instance had not finished processing when a status named it (422, transient), or one
    it lost (404: not attached to any status yet) or could not process (422: transcoding, a thumbnail)."""
    upload, ref, nothing = getattr(attempt, "upload", ""), answer.ref, attempt.nothing
    if answer.status == 422 and "finished processing" in answer.reason:
        return TransientError(
            f"{who} had not finished processing a media file while {attempt.doing} ({ref}); {LATER}{attempt.already}"
        )
    if answer.status == 404 and upload:
        return TransientError(f"{who} lost {upload} while processing it ({ref}); {nothing}, {LATER}")
    if answer.status == 422 and upload:
        return PermanentError(
            f"{who} could not process {upload} ({ref}); {nothing}: replace or re-export it, then publish again"
        )
    return None


def learnt_video(video: VideoLimits | None, learnt: dict[str, Any]) -> VideoLimits | None:
    """``video`` with the instance's size limit and types (of ours) learnt; None when it takes none of ours."""
    size, types = learnt.get("video_bytes"), learnt.get("video_types")
    if video and type(size) is int and size > 0:
        video = replace(video, max_bytes=size)
    if video and isinstance(types, list):  # the instance names the types it takes
        video = replace(video, types=frozenset(types) & MP4_MOV) if set(types) & MP4_MOV else None
    return video
