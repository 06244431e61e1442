"""LinkedIn's media uploads (used by linkedin.py). A video, through the Videos API: register it, PUT the parts LinkedIn
names (keeping their ETags) and the captions (SRT), finalize the upload, then read its status until AVAILABLE. An
image, through the Images API: register it, PUT its bytes. An upload URL gets the token only on LinkedIn's own hosts."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from hospipost.networks.failures import Attempt, PermanentError, Step
from hospipost.networks.http import path_of
from hospipost.networks.processing import wait_until_processed
from hospipost.networks.srt import as_srt
from hospipost.networks.video import MP4, VideoLimits

if TYPE_CHECKING:
    import requests

    from hospipost.networks.base import Image
    from hospipost.networks.linkedin import LinkedIn
    from hospipost.networks.video import Video
    from hospipost.posts import Media

log = logging.getLogger(__name__)

# MP4, 3 s to 30 min, at most 500 MB (the ads specs; the API takes 5 GB), 1:2.4 to 2.4:1, SRT captions: NOTES.md
VIDEO = VideoLimits(500 * 2**20, 30 * 60, 3.0, MP4, (1 / 2.4, 2.4), captions=True)
VIDEOS = "/rest/videos"
PART = 4 * 2**20  # LinkedIn's uploadInstructions cut a video in parts of 4 MB
POLL, PROCESSING_LIMIT = 5.0, 15 * 60.0  # seconds between two status reads; the longest wait for AVAILABLE
OCTETS = "application/octet-stream"
STATES = {"AVAILABLE", "PROCESSING", "WAITING_UPLOAD"}  # and PROCESSING_FAILED
PUT_NOTE = "Authorization only when the upload URL is on the API host or an https linkedin.com host"


def register(li: LinkedIn, headers: dict[str, str]) -> dict[str, Any]:
    """The request registering an image: LinkedIn answers with its upload URL and its URN."""
    body, url = (
        {"initializeUploadRequest": {"owner": li.organization}},
        f"{li.api_base}/rest/images?action=initializeUpload",
    )
    return {"method": "POST", "url": url, "headers": headers, "json": body}


def upload_image(li: LinkedIn, session: requests.Session, image: Image) -> str:
    """Register the image, then PUT its bytes to the upload URL LinkedIn gave; its URN."""
    file, headers = image.media.file, li._headers()
    attempt = Attempt(f"preparing the image {file}", Step.UPLOAD)
    value = json_of(li._call(session, attempt, register(li, headers))).get("value")
    upload_url, urn = (value.get("uploadUrl"), value.get("image")) if isinstance(value, dict) else (None, None)
    if not (isinstance(upload_url, str) and upload_url and isinstance(urn, str) and urn):
        raise li.failure(KeyError("uploadUrl"), attempt)  # an unreadable answer to an upload: transient
    put(li, session, f"the image {file}", upload_url, image.data, image.type, headers)
    log.info("LinkedIn: uploaded %s as %s", file, urn)
    return urn


def initialize(li: LinkedIn, headers: dict[str, str], size: int, captions: bool) -> dict[str, Any]:
    """The request registering a video: LinkedIn answers with its URN, uploadToken and its parts' upload URLs."""
    body = {"owner": li.organization, "fileSizeBytes": size, "uploadCaptions": captions, "uploadThumbnail": False}
    url = f"{li.api_base}{VIDEOS}?action=initializeUpload"
    return {"method": "POST", "url": url, "headers": headers, "json": {"initializeUploadRequest": body}}


def finalize(li: LinkedIn, headers: dict[str, str], urn: str, token: str, etags: list[str]) -> dict[str, Any]:
    body = {"finalizeUploadRequest": {"video": urn, "uploadToken": token, "uploadedPartIds": etags}}
    return {"method": "POST", "url": f"{li.api_base}{VIDEOS}?action=finalizeUpload", "headers": headers, "json": body}


def dry_run(li: LinkedIn, item: Media, size: int, headers: dict[str, str]) -> list[dict[str, Any]]:
    """A video's requests for --dry-run: its parts as LinkedIn cuts them, its captions, the status reads."""
    put = {"Content-Type": OCTETS, "User-Agent": headers["User-Agent"]}
    parts = [(first, min(first + PART, size) - 1) for first in range(0, size, PART)] or [(0, 0)]
    steps = [{**initialize(li, headers, size, item.captions is not None), "file": item.file}]
    for number, (first, last) in enumerate(parts, 1):
        body = {"file": item.file, "firstByte": first, "lastByte": last, "bytes": last - first + 1}
        steps.append({"method": "PUT", "url": f"<uploadUrl of part {number}>", "headers": put, "body": body})
    if item.captions is not None:
        body = {"file": item.captions, "format": "SRT"}
        steps.append({"method": "PUT", "url": "<captionsUploadUrl>", "headers": put, "body": body})
    etags = [f"<ETag of part {number}>" for number in range(1, len(parts) + 1)]
    note = f"every {POLL:g} s until its status is AVAILABLE (at most {PROCESSING_LIMIT / 60:g} min)"
    status = {"method": "GET", "url": f"{li.api_base}{VIDEOS}/<video URN>", "headers": headers, "note": note}
    return [*steps, finalize(li, headers, "<video URN>", "<uploadToken>", etags), status]


def upload(li: LinkedIn, session: requests.Session, video: Video) -> str:
    """Upload ``video`` and wait until LinkedIn has processed it: its URN. Nothing is visible before the post."""
    file, headers, captions = video.media.file, li._headers(), video.captions
    attempt = Attempt(f"preparing the video {file}", Step.UPLOAD)
    value = json_of(li._call(session, attempt, initialize(li, headers, video.size, captions is not None))).get("value")
    value = value if isinstance(value, dict) else {}
    urn, token, parts = value.get("video"), value.get("uploadToken", ""), _parts(value, video.size)
    if not (isinstance(urn, str) and urn.startswith("urn:li:video:") and isinstance(token, str) and parts):
        raise li.failure(KeyError("uploadInstructions"), attempt)  # an unreadable answer: transient
    etags = []
    with open(video.path, "rb") as handle:
        for number, (first, last, url) in enumerate(parts, 1):
            handle.seek(first)
            what = f"part {number} of {len(parts)} of the video {file}"
            etags.append(put(li, session, what, url, handle.read(last - first + 1), OCTETS, headers))
            if not etags[-1]:
                raise li.failure(KeyError("ETag"), Attempt(f"uploading {what}", Step.UPLOAD))
    if captions is not None:
        if not isinstance(captions_url := value.get("captionsUploadUrl"), str) or not captions_url:
            raise PermanentError(
                f"LinkedIn gave no address for the captions {video.media.captions}; nothing was published: burn the"
                " captions into the video and remove `captions:`, then publish again"
            )
        put(li, session, f"the captions {video.media.captions}", captions_url, as_srt(captions), OCTETS, headers)
    finalizing = Attempt(f"finalizing the upload of {file}", Step.UPLOAD)
    li._call(session, finalizing, finalize(li, headers, urn, token, etags))
    status = {"method": "GET", "url": f"{li.api_base}{VIDEOS}/{quote(urn, safe='')}", "headers": headers}
    reading = Attempt(f"reading the processing status of the video {file}", Step.UPLOAD)

    def ready() -> float | None:
        body = json_of(li._call(session, reading, status))
        if body.get("status") == "PROCESSING_FAILED":
            reason = body.get("processingFailureReason") or "no reason given"
            raise PermanentError(
                f"LinkedIn could not process the video {file} ({reason}); nothing was published: re-export it as MP4"
                " (H.264 and AAC), then publish again"
            )
        if body.get("status") not in STATES:
            raise li.failure(KeyError("status"), reading)  # an unreadable answer: transient
        return None if body["status"] == "AVAILABLE" else POLL

    wait_until_processed(ready, what=f"the video {file}", who=li.who, limit=PROCESSING_LIMIT, sleep=li.sleep)
    log.info("LinkedIn: uploaded %s as %s (%d parts%s)", file, urn, len(parts), ", captions" if captions else "")
    return urn


def put(
    li: LinkedIn, session: requests.Session, what: str, url: str, data: bytes, kind: str, headers: dict[str, str]
) -> str:
    """PUT ``what`` to an upload URL LinkedIn gave (the token only to LinkedIn's own hosts): the answer's ETag."""
    sent = {"Content-Type": kind}
    if token_allowed(url, li.api_base):
        sent["Authorization"] = headers["Authorization"]
    else:
        log.info("LinkedIn: uploading %s without the token to %s (not LinkedIn's)", what, path_of(url))
    request = {"method": "PUT", "url": url, "headers": sent, "data": data}
    return str(li._call(session, Attempt(f"uploading {what}", Step.UPLOAD), request).headers.get("ETag") or "")


def _parts(value: dict[str, Any], size: int) -> list[tuple[int, int, str]]:
    """The parts LinkedIn asks for (first byte, last byte, upload URL), when they cover the file exactly once."""
    found = value.get("uploadInstructions")
    parts = [
        (part["firstByte"], part["lastByte"], part["uploadUrl"])
        for part in (found if isinstance(found, list) else [])
        if isinstance(part, dict)
        and type(part.get("firstByte")) is int
        and type(part.get("lastByte")) is int
        and isinstance(part.get("uploadUrl"), str)
    ]
    parts.sort()
    ends = [0] + [last + 1 for _, last, _ in parts] == [first for first, _, _ in parts] + [size]
    return parts if parts and isinstance(found, list) and len(parts) == len(found) and ends else []


def json_of(response: requests.Response) -> dict[str, Any]:
    """A JSON object answer's content; empty when the body is not one."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def token_allowed(url: str, api_base: str) -> bool:
    """Whether the bearer token may go to ``url``: the API host itself (same netloc), or LinkedIn over HTTPS."""
    try:
        target, api = urlsplit(url), urlsplit(api_base)
    except ValueError:
        return False
    if (target.scheme, target.netloc.lower()) == (api.scheme, api.netloc.lower()):
        return True
    host = (target.hostname or "").lower()
    return target.scheme == "https" and (host == "linkedin.com" or host.endswith(".linkedin.com"))
