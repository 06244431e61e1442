"""Bluesky's videos go through its video service (video.bsky.app, option video_service), not the PDS: the service checks the
account's daily allowance, processes the MP4 and stores the result on the account's PDS as a blob,
which the post embeds (``app.bsky.embed.video``). The calls are authorised by service tokens the PDS
signs (``com.atproto.server.getServiceAuth``). Lexicons and limits: NOTES.md."""

from __future__ import annotations

import contextlib
import itertools
import logging
import time
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hospipost.media import is_video
from hospipost.networks.failures import Attempt, PermanentError, Step, TransientError
from hospipost.networks.processing import wait_until_processed
from hospipost.networks.srt import as_vtt
from hospipost.textlength import grapheme_length

if TYPE_CHECKING:
    from atproto_client import Client
    from atproto_client.request import Request

    from hospipost.networks.base import Rendering
    from hospipost.networks.bluesky import Bluesky
    from hospipost.networks.video import Video
    from hospipost.posts import Media

log = logging.getLogger(__name__)

EMBED = "app.bsky.embed.video"
LIMITS, UPLOAD, STATUS = (f"app.bsky.video.{name}" for name in ("getUploadLimits", "uploadVideo", "getJobStatus"))
UPLOAD_BLOB = "com.atproto.repo.uploadBlob"  # what the service does on the PDS with the upload's token
TOKEN_LIFE = 30 * 60  # seconds the upload's token stays valid: the service uploads to the PDS once done
DONE, FAILED = "JOB_STATE_COMPLETED", "JOB_STATE_FAILED"
POLL_EVERY, POLL_FOR = 2.0, 300.0  # seconds between two getJobStatus, and at most in all
MAX_CAPTIONS_BYTES = 20_000  # app.bsky.embed.video#caption: text/vtt, maxSize 20000
MAX_ALT_GRAPHEMES = 1000  # app.bsky.embed.video: alt maxGraphemes 1000
CHUNK = 1 << 20  # the upload streams the file in pieces of 1 MiB


def did_web(url: str) -> str:
    """The did:web of a service at ``url`` (the audience of a service token): its host name, as a PDS
    names itself (``did:web:${hostname}``, without the port)."""
    return f"did:web:{urlsplit(url).hostname or ''}"


def checked(video: Video) -> Video:
    """The video with its captions as WebVTT (SRT converted), refused (PermanentError, nothing sent)
    when its description or captions exceed what the lexicon takes."""
    from dataclasses import replace

    alt = video.media.alt or ""
    if (length := grapheme_length(alt)) > MAX_ALT_GRAPHEMES:
        raise PermanentError(
            f"the description of {video.media.file} is {length} graphemes long and Bluesky takes"
            f" {MAX_ALT_GRAPHEMES}: shorten it, then publish again"
        )
    if video.captions is None:
        return video
    vtt = as_vtt(video.captions)
    if len(vtt) > MAX_CAPTIONS_BYTES:
        raise PermanentError(
            f"the captions {video.media.captions} weigh {len(vtt)} bytes as WebVTT and Bluesky takes at most"
            f" {MAX_CAPTIONS_BYTES}: split the video or shorten the captions, then publish again"
        )
    return replace(video, captions=vtt)


def embed(item: Media, video: Video | None, blob: Any, captions: Any, lang: str) -> dict[str, Any]:
    """The post's ``app.bsky.embed.video``: the processed blob, the description, the frame size, the captions."""
    found: dict[str, Any] = {"$type": EMBED, "video": blob, "alt": item.alt or ""}
    if video is not None:
        found["aspectRatio"] = {"width": video.width, "height": video.height}
    if captions is not None:
        found["captions"] = [{"lang": lang, "file": captions}]
    return found


def job_of(content: Any) -> dict[str, Any]:
    """The job status in an answer of uploadVideo or getJobStatus (wrapped in ``jobStatus`` or not)."""
    job = content.get("jobStatus") or content if isinstance(content, dict) else None
    if not isinstance(job, dict) or not job.get("jobId"):
        raise ValueError("Bluesky's video service answered without a job")
    return job


def allowance_problem(limits: dict[str, Any], size: int) -> str | None:
    """Why the service takes no video of ``size`` bytes from the account today, or None."""
    videos, size_left = limits.get("remainingDailyVideos"), limits.get("remainingDailyBytes")
    if limits.get("canUpload") and (videos is None or videos > 0) and (size_left is None or size_left >= size):
        return None
    said = ": ".join(str(limits[key]) for key in ("error", "message") if limits.get(key))
    return said or f"{videos} videos and {size_left} bytes left today"


def failure(job: dict[str, Any], file: str) -> PermanentError:
    """A job the service could not process, with its reason."""
    reason = ": ".join(str(job[key]) for key in ("error", "message") if job.get(key)) or "no reason given"
    return PermanentError(
        f"Bluesky's video service could not process the video {file} ({reason}); nothing was published:"
        " re-export it as MP4 (H.264 and AAC), then publish again"
    )


class VideoService:
    """The video service's three calls, on their own HTTP client (never the PDS session's token)."""

    def __init__(self, base: str, timeout: float, user_agent: str) -> None:
        from atproto_client.request import Request

        self.base = base.rstrip("/")
        self.did = did_web(self.base)
        self.request: Request = Request(timeout=timeout)
        self.request.add_additional_header("User-Agent", user_agent)

    def url(self, name: str) -> str:
        return f"{self.base}/xrpc/{name}"

    def limits(self, token: str) -> dict[str, Any]:
        """``getUploadLimits``: canUpload, remainingDailyVideos, remainingDailyBytes (message, error)."""
        content = self.request.get(self.url(LIMITS), headers={"Authorization": f"Bearer {token}"}).content
        if not isinstance(content, dict) or "canUpload" not in content:
            raise ValueError(f"{LIMITS} answered without canUpload")
        return content

    def upload(self, token: str, did: str, video: Video) -> dict[str, Any]:
        """``uploadVideo`` of the file, streamed: its job. A video the service already has (409
        ``already_exists``) gives that job again."""
        from atproto_client import exceptions

        headers = {"Authorization": f"Bearer {token}", "Content-Type": video.type, "Content-Length": str(video.size)}
        params = {"did": did, "name": video.path.name}
        try:
            content = self.request.post(self.url(UPLOAD), params=params, content=video.chunks(CHUNK), headers=headers)
        except exceptions.NetworkError as error:
            body = getattr(error.response, "content", None)
            if getattr(error.response, "status_code", None) == 409 and (job_id := getattr(body, "jobId", None)):
                return {"jobId": str(job_id), "state": "JOB_STATE_CREATED"}
            raise
        return job_of(content.content)

    def status(self, job_id: str) -> dict[str, Any]:
        """``getJobStatus``, without a token, as Bluesky's app asks it."""
        return job_of(self.request.get(self.url(STATUS), params={"jobId": job_id}).content)

    def close(self) -> None:
        self.request.close()


def upload(bsky: Bluesky, client: Client, video: Video) -> tuple[Any, Any]:
    """The video through the service (the day's allowance, the upload, its processing until the blob is on
    the PDS), then its captions with ``uploadBlob``: (video blob, captions blob or None)."""
    from hospipost.networks.http import USER_AGENT

    file, token = video.media.file, partial(service_token, bsky, client)
    with contextlib.closing(VideoService(service_url(bsky), bsky.timeout, USER_AGENT)) as service:
        asking = Attempt("asking Bluesky's video service for the day's allowance", Step.UPLOAD)
        limits = bsky._call(client, lambda: service.limits(token(service.did, LIMITS)), asking)
        if problem := allowance_problem(limits, video.size):
            raise TransientError(
                f"Bluesky's video service takes no video of {video.size} bytes from @{bsky.handle} now ({problem});"
                " nothing was published, hospipost will try again later"
            )
        pds = did_web(bsky._pds or bsky.api_base)
        job = bsky._call(  # a new token on each try: the one after a new login is the new session's
            client,
            lambda: service.upload(token(pds, UPLOAD_BLOB, TOKEN_LIFE), str(bsky._did), video),
            Attempt(f"uploading the video {file}", Step.UPLOAD),
        )
        asking = Attempt(f"asking Bluesky's video service how {file} is processing", Step.UPLOAD)
        poll = partial(bsky._call, client, partial(service.status, job["jobId"]), asking)
        answers, last = itertools.chain([job], iter(poll, None)), job  # the upload's answer is the first status

        def ready() -> float | None:
            nonlocal last
            if (last := next(answers)).get("state") == FAILED:
                raise failure(last, file)
            return None if last.get("state") == DONE and last.get("blob") else POLL_EVERY

        wait_until_processed(ready, what=f"the video {file}", who=bsky.who, limit=POLL_FOR, sleep=bsky.sleep)
    log.info("Bluesky: %s processed (%d bytes, job %s)", file, video.size, job["jobId"])
    if video.captions is None:
        return last["blob"], None
    return last["blob"], bsky._blob(client, video.captions, "text/vtt", f"the captions {video.media.captions}")


def service_url(bsky: Bluesky) -> str:
    """The video service's address (option video_service)."""
    return str(bsky.settings.options.get("video_service") or bsky.config_keys["video_service"].default).rstrip("/")


def service_token(bsky: Bluesky, client: Client, aud: str, lxm: str, life: int = 0) -> str:
    """A token the PDS signs for service ``aud`` to call ``lxm`` as the account (a secret from now on)."""
    params = {"aud": aud, "lxm": lxm, **({"exp": int(time.time()) + life} if life else {})}
    token = str(client.com.atproto.server.get_service_auth(params).token)
    bsky.remember_secrets(token)
    return token


def planned(bsky: Bluesky, rendering: Rendering) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The dry run's video requests and the post's embed; ([], None) without a video."""
    if not (items := [item for item in rendering.media if is_video(item.path)]):
        return [], None
    video, problem = None, None
    try:
        video = bsky.read_media(rendering.media)[1]  # as publishing reads it: SRT captions become WebVTT
    except PermanentError as error:
        problem = str(error)
    steps = dry_run(items[0], video, service_url(bsky), bsky.api_base, bsky.handle)
    if problem:
        steps[3]["problem"] = problem  # on uploadVideo
    captions = None if video is None or video.captions is None else f"<blob: {items[0].captions}>"
    blob = f"<blob of {items[0].file}, from getJobStatus>"
    return steps, embed(items[0], video, blob, captions, rendering.language)


def dry_run(item: Media, video: Video | None, service: str, pds: str, handle: str) -> list[dict[str, Any]]:
    """The video requests of the dry run: placeholders for tokens and ids, sizes from the file (``video``,
    None when it cannot be read)."""
    token = {"Authorization": "Bearer <service token from getServiceAuth>"}
    auth = f"{pds}/xrpc/com.atproto.server.getServiceAuth"
    pds_did, name = f"<did:web of @{handle}'s PDS>", item.path.name
    steps: list[dict[str, Any]] = [
        {"method": "GET", "url": auth, "params": {"aud": did_web(service), "lxm": LIMITS}},
        {
            "method": "GET",
            "url": f"{service}/xrpc/{LIMITS}",
            "headers": token,
            "note": "nothing uploaded unless canUpload and enough left today",
        },
        {"method": "GET", "url": auth, "params": {"aud": pds_did, "lxm": UPLOAD_BLOB, "exp": "<in 30 minutes>"}},
        {"method": "POST", "url": f"{service}/xrpc/{UPLOAD}", "params": {"did": f"<DID of @{handle}>", "name": name}},
        {"method": "GET", "url": f"{service}/xrpc/{STATUS}", "params": {"jobId": "<jobId from uploadVideo>"}},
    ]
    steps[3].update(headers=token, file=item.file)
    steps[4]["note"] = f"every {POLL_EVERY:g} s until {DONE} (its blob) or {FAILED}, at most {POLL_FOR:g} s"
    if video is not None:
        steps[3].update({"content_type": video.type, "bytes": video.size, "seconds": round(video.seconds, 2)})
        steps[3]["size"] = f"{video.width}×{video.height}"
        if video.captions is not None:
            captions = {"file": video.media.captions, "content_type": "text/vtt", "bytes": len(video.captions)}
            steps.append({"method": "POST", "url": f"{pds}/xrpc/{UPLOAD_BLOB}", **captions})
    return steps
