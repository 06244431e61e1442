"""A local HTTP server behaving like a Mastodon 4.x instance for media and statuses.

``POST /api/v2/media`` takes one multipart body (``file``, ``description``): an image is processed
at once (200, with its ``url``), a video is queued and answered 202 with ``url`` null, then
transcoded in the background: ``GET /api/v1/media/{id}`` answers 206 while it is queued or in
progress, 200 with its ``url`` once complete, and 422 with Mastodon's ``processing_error`` when
processing failed (``Api::V1::MediaController``). Like ``MediaAttachment``, it refuses a file over
``video_size_limit`` and a video of more than ``video_matrix_limit`` pixels (422), checks the
bearer token, and ``POST /api/v1/statuses`` refuses media still being processed (422) and answers
a repeated ``Idempotency-Key`` with the status it already made. ``GET /api/v2/instance`` states
the limits and ``version``. A status's figures (``GET /api/v1/statuses/:id``, and from 4.3 ``GET
/api/v1/statuses?id[]=…``, at most 20 ids, the statuses it has only) derive from its id, with
``quotes_count`` from 4.5; a status in ``gone`` answers 404. Tests program how many polls processing takes and how it ends; every request is
recorded. Binds 127.0.0.1 only.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.httpserver import JsonHandler, multipart, serve

TOKEN = "SECRET-MASTODON-TOKEN-video-7c1e"
PROCESSING_ERROR = "Error processing thumbnail for uploaded media"  # Mastodon's own words
NOT_PROCESSED = "Cannot attach files that have not finished processing. Try again in a moment!"
VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]  # form fields (statuses), or the text fields of a multipart body
    files: dict[str, tuple[str, str, bytes]]  # multipart files: (file name, content type, content)
    length: int  # the body's Content-Length
    query: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Attachment:
    id: str
    type: str  # image, video
    description: str | None
    size: int
    polls_left: int  # how many more GETs answer 206
    final: str  # complete or failed
    processing: str = "queued"  # Mastodon's enum: queued, in_progress, complete, failed
    history: list[str] = field(default_factory=list)  # every state a GET reported

    def json(self, url: str) -> dict[str, Any]:
        done = self.processing == "complete"
        return {
            "id": self.id,
            "type": self.type,
            "url": f"{url}/system/media_attachments/{self.id}/original.mp4" if done else None,
            "preview_url": f"{url}/system/media_attachments/{self.id}/small.png" if done else None,
            "description": self.description,
            "meta": {},
        }


@dataclass
class MastodonServer:
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    media: dict[str, Attachment] = field(default_factory=dict)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    video_polls: int = 1  # how many GETs a new video answers 206 (queued, then in progress)
    video_final: str = "complete"  # or "failed"
    video_size_limit: int = 99 * 2**20
    video_matrix_limit: int = 8_294_400  # 3840x2160
    supported_mime_types: tuple[str, ...] = IMAGE_TYPES + VIDEO_TYPES
    version: str = "4.5.0"
    gone: set[str] = field(default_factory=set)  # status ids deleted since (404)
    faults: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)  # by "METHOD /path prefix"
    idempotent: dict[str, dict[str, Any]] = field(default_factory=dict)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(110_000_000_000_000_001))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, route: str, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        """The next request to ``route`` ("GET /api/v1/media") gets this answer instead."""
        self.faults.setdefault(route, []).append((status, body, headers or {}))

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.requests]

    def instance(self) -> dict[str, Any]:
        return {
            "domain": "social.example.org",
            "version": self.version,
            "configuration": {
                "statuses": {"max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23},
                "media_attachments": {
                    "supported_mime_types": list(self.supported_mime_types),
                    "image_size_limit": 16 * 2**20,
                    "image_matrix_limit": 33_177_600,
                    "video_size_limit": self.video_size_limit,
                    "video_frame_rate_limit": 120,
                    "video_matrix_limit": self.video_matrix_limit,
                    "description_limit": 1500,
                },
            },
        }


def _handler(state: MastodonServer) -> type[JsonHandler]:
    class Handler(JsonHandler):
        json_type = "application/json; charset=utf-8"

        routes = ("GET", "POST")

        def route(self, method: str) -> None:
            path = urlsplit(self.path).path
            raw = self.body()
            form, files = self.parse(raw)
            with state.lock:
                query = parse_qs(urlsplit(self.path).query)
                state.requests.append(Request(method, path, dict(self.headers), form, files, len(raw), query))
                fault = next((f for r, f in state.faults.items() if f and f"{method} {path}".startswith(r)), None)
                answer = fault.pop(0) if fault else None
            if answer:
                return self.reply(*answer)
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self.reply(401, {"error": "The access token is invalid"})
            if method == "GET" and path.startswith("/api/v2/instance"):
                return self.reply(200, state.instance())
            if method == "GET" and path == "/api/v1/accounts/verify_credentials":
                return self.reply(200, {"id": "7", "username": "chu", "acct": "chu", "url": f"{state.url}/@chu"})
            if method == "POST" and path == "/api/v2/media":
                return self.upload(form, files)
            if method == "GET" and (found := re.fullmatch(r"/api/v1/media/(\d+)", path)):
                return self.poll(found[1])
            if method == "POST" and path == "/api/v1/statuses":
                return self.status(form)
            if method == "GET" and path.startswith("/api/v1/statuses"):
                return self.figures(path, query)
            return self.reply(404, {"error": "Record not found"})

        def upload(self, form: dict[str, list[str]], files: dict[str, tuple[str, str, bytes]]) -> None:
            if "file" not in files:
                return self.reply(422, {"error": "Validation failed: File can't be blank"})
            name, kind, data = files["file"]
            if kind not in state.supported_mime_types:
                return self.reply(422, {"error": "Validation failed: File content type is invalid"})
            video = kind.startswith("video/")
            if video and len(data) > state.video_size_limit:
                limit = state.video_size_limit // 2**20
                return self.reply(422, {"error": f"Validation failed: File file size must be less than {limit} MB"})
            if video and (size := _frame_size(data)) and size[0] * size[1] > state.video_matrix_limit:
                return self.reply(422, {"error": f"{size[0]}x{size[1]} videos are not supported"})
            with state.lock:
                media_id = str(next(state.ids))
                polls = state.video_polls if video else 0
                final = state.video_final if video else "complete"
                attachment = Attachment(media_id, "video" if video else "image", None, len(data), polls, final)
                attachment.description = (form.get("description") or [None])[0]
                attachment.processing = "queued" if video else "complete"
                state.media[media_id] = attachment
            self.reply(202 if video else 200, attachment.json(state.url))

        def poll(self, media_id: str) -> None:
            with state.lock:
                attachment = state.media.get(media_id)
                if attachment is None:
                    return self.reply(404, {"error": "Record not found"})
                if attachment.polls_left > 0:
                    attachment.polls_left -= 1
                    attachment.processing = "in_progress" if attachment.history else "queued"
                else:
                    attachment.processing = attachment.final
                attachment.history.append(attachment.processing)
            if attachment.processing == "failed":
                return self.reply(422, {"error": PROCESSING_ERROR})
            self.reply(200 if attachment.processing == "complete" else 206, attachment.json(state.url))

        def status(self, form: dict[str, list[str]]) -> None:
            key = self.headers.get("Idempotency-Key")
            with state.lock:
                if key and key in state.idempotent:
                    return self.reply(200, state.idempotent[key])
                attached = [state.media.get(media_id) for media_id in form.get("media_ids[]", [])]
                if any(a is None for a in attached):
                    return self.reply(422, {"error": "Validation failed: Media attachment ids is invalid"})
                if any(a is not None and a.processing != "complete" for a in attached):
                    return self.reply(422, {"error": NOT_PROCESSED})
                status_id = str(next(state.ids))
                status = {
                    "id": status_id,
                    "url": f"{state.url}/@chu/{status_id}",
                    "account": {"id": "7", "acct": "chu", "url": f"{state.url}/@chu"},
                    "content": form.get("status", [""])[0],
                    "in_reply_to_id": form.get("in_reply_to_id", [None])[0],
                    "media_attachments": [a.json(state.url) for a in attached if a is not None],
                }
                state.statuses.append(status)
                if key:
                    state.idempotent[key] = status
            self.reply(200, status)

        def figures(self, path: str, query: dict[str, list[str]]) -> None:
            """A status (404 when gone), or from 4.3 up to 20 of them at once (those it has)."""
            version = tuple(int(part) for part in state.version.split(".")[:2])
            if path == "/api/v1/statuses" and version >= (4, 3):
                if len(ids := query.get("id[]", [])) > 20:
                    return self.reply(422, {"error": "Validation failed: Too many statuses requested"})
                return self.reply(200, [status_figures(i, version) for i in ids if i.isdigit() and i not in state.gone])
            status_id = path.removeprefix("/api/v1/statuses/")
            if not status_id.isdigit() or status_id in state.gone:
                return self.reply(404, {"error": "Record not found"})
            self.reply(200, status_figures(status_id, version))

        def parse(self, raw: bytes) -> tuple[dict[str, list[str]], dict[str, tuple[str, str, bytes]]]:
            kind = self.headers.get("Content-Type", "")
            if "x-www-form-urlencoded" in kind:
                return parse_qs(raw.decode(), keep_blank_values=True), {}
            if not kind.startswith("multipart/form-data"):
                return {}, {}
            form: dict[str, list[str]] = {}
            files: dict[str, tuple[str, str, bytes]] = {}
            for part in multipart(kind, raw):
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                if part.get_filename():
                    files[str(name)] = (str(part.get_filename()), part.get_content_type(), payload)
                else:
                    form.setdefault(str(name), []).append(payload.decode())
            return form, files

    return Handler


def status_figures(status_id: str, version: tuple[int, ...] = (4, 5)) -> dict[str, Any]:
    """A status as the instance answers it, its counts derived from its id (quotes_count from Mastodon 4.5)."""
    n = int(status_id)
    counts = {"replies_count": n % 7, "reblogs_count": n % 11, "favourites_count": n % 13 + 1}
    quotes = {"quotes_count": n % 5} if version >= (4, 5) else {}
    return {"id": status_id, "url": f"https://social.example.org/@chu/{status_id}", **counts, **quotes}


def _frame_size(data: bytes) -> tuple[int, int] | None:
    """The width and height of an MP4/MOV video (what ffprobe tells Mastodon)."""
    import tempfile

    from hospipost.media import video_info

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"
        path.write_bytes(data)
        info = video_info(path)
    return (info.width, info.height) if info else None


@contextmanager
def running() -> Iterator[MastodonServer]:
    state = MastodonServer()
    with serve(_handler(state)) as state.url:
        yield state
