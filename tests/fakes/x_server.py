"""A local server that behaves like X's API v2 for media: the chunked upload (initialize, append
in order, finalize checking the bytes), the asynchronous processing a video goes through
(STATUS: pending → in_progress → succeeded, or failed), alt text, subtitles and the post; and the
post lookup that reads posts' figures (``GET /2/tweets?ids=…&tweet.fields=public_metrics``).

It refuses what X refuses (an unsigned request, a segment out of order, a size that does not
add up, a post naming media still processing) and records every request, so tests assert the
exact requests. It binds 127.0.0.1 only and stops with the test.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.httpserver import JsonHandler, multipart, serve


@dataclass
class Request:
    method: str
    path: str  # with its query, as sent
    body: Any  # JSON, or the multipart fields (a file field: its bytes)
    authorization: str


@dataclass
class Upload:
    media_type: str
    total_bytes: int
    category: str
    chunks: list[bytes] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)  # what finalize, then each STATUS, says
    state: str = "initialized"
    alt: str | None = None
    subtitles: list[dict[str, Any]] = field(default_factory=list)

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


@dataclass
class FakeX:
    consumer_key: str
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    uploads: dict[str, Upload] = field(default_factory=dict)
    tweets: list[dict[str, Any]] = field(default_factory=list)
    processing: list[dict[str, Any]] = field(default_factory=list)
    """The processing_info of a video's finalize, then of each STATUS (the last one repeats)."""
    faults: dict[tuple[str, str], tuple[Any, ...]] = field(default_factory=dict)
    """An answer X gives once to a request (method, path without query) instead of its own: (status, body[, headers])."""
    metrics: dict[str, dict[str, int]] = field(default_factory=dict)
    """The public_metrics of each post the lookup knows, by id; any other id is a deleted post (an ``errors`` entry)."""
    slow: dict[str, float] = field(default_factory=dict)  # seconds a path keeps the client waiting
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1_880_000_000_000_000_001))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def process(self, *states: str, check_after: int = 2, reason: str = "") -> None:
        """How X processes the next videos: each state in turn, check_after_secs between them."""
        self.processing = [
            {"state": state, "check_after_secs": check_after}
            if state in ("pending", "in_progress")
            else {"state": "failed", "error": {"code": 1, "name": "InvalidMedia", "message": reason}}
            if state == "failed"
            else {"state": state}
            for state in states
        ]

    def steps(self) -> list[tuple[str, str]]:
        return [(request.method, request.path) for request in self.requests]


def _handler(state: FakeX) -> type[JsonHandler]:
    class Handler(JsonHandler):
        routes = ("GET", "POST")

        def route(self, method: str) -> None:
            raw = self.body()
            path, query = urlsplit(self.path).path, {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            body = self.parse(raw)
            authorization = self.headers.get("Authorization", "")
            time.sleep(state.slow.get(path, 0.0))
            with state.lock:
                state.requests.append(Request(self.command, self.path, body, authorization))
                if fault := state.faults.pop((self.command, path), None):
                    self.reply(*fault)
                    return
                if f'oauth_consumer_key="{state.consumer_key}"' not in authorization:
                    self.reply(
                        401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
                    )
                    return
                self.reply(*self.answer(path, query, body))

        def answer(self, path: str, query: dict[str, str], body: Any) -> tuple[int, dict[str, Any]]:
            parts = path.strip("/").split("/")
            if path == "/2/media/upload/initialize":
                if not isinstance(body.get("total_bytes"), int) or body.get("media_category") not in CATEGORIES:
                    return invalid("total_bytes and media_category are required")
                media_id = str(next(state.ids))
                state.uploads[media_id] = Upload(body["media_type"], body["total_bytes"], body["media_category"])
                return 200, {"data": {"id": media_id, "media_key": f"7_{media_id}", "expires_after_secs": 86399}}
            if len(parts) == 5 and parts[:3] == ["2", "media", "upload"]:
                upload = state.uploads.get(parts[3])
                if upload is None or upload.state != "initialized":
                    return invalid(f"no upload session {parts[3]} to {parts[4]}")
                if parts[4] == "append":
                    if body.get("segment_index") != str(len(upload.chunks)) or not isinstance(body.get("media"), bytes):
                        return invalid(f"segment {body.get('segment_index')} is out of order or has no media")
                    upload.chunks.append(body["media"])
                    return 200, {"data": {"expires_at": 1795465000}}
                if len(upload.data) != upload.total_bytes:
                    return invalid(f"File size mismatch: got {len(upload.data)} of {upload.total_bytes} bytes")
                upload.state = "succeeded"
                if upload.category == "tweet_video" and state.processing:
                    upload.states = list(state.processing)
                return 200, {"data": self.status(parts[3], upload)}
            if path == "/2/media/upload" and query.get("command") == "STATUS":
                upload = state.uploads.get(query.get("media_id", ""))
                if upload is None or not upload.states:
                    return invalid("no media is processing under that id")
                return 200, {"data": self.status(query["media_id"], upload)}
            if path == "/2/media/metadata":
                upload = state.uploads.get(body.get("id", ""))
                if upload is None or upload.state != "succeeded":
                    return invalid("the media is not ready")
                upload.alt = body["metadata"]["alt_text"]["text"]
                return 200, {"data": {"id": body["id"], "associated_metadata": body["metadata"]}}
            if path == "/2/media/subtitles":
                video, track = state.uploads.get(body.get("id", "")), body.get("subtitles") or {}
                captions = state.uploads.get(track.get("id", ""))
                if video is None or video.state != "succeeded" or body.get("media_category") != "TweetVideo":
                    return invalid("the video is not ready for subtitles")
                if captions is None or captions.category != "subtitles" or captions.state != "succeeded":
                    return invalid("the subtitles are not an uploaded subtitles file")
                video.subtitles.append(track)
                return 200, {"data": {"id": body["id"], "media_category": "TweetVideo", "associated_subtitles": track}}
            if path == "/2/tweets" and self.command == "GET":
                return self.lookup(query)
            if path == "/2/tweets":
                media_ids = (body.get("media") or {}).get("media_ids") or []
                if any(state.uploads.get(media_id, Upload("", 0, "")).state != "succeeded" for media_id in media_ids):
                    return invalid("Your media IDs are invalid.")
                tweet_id = str(next(state.ids))
                state.tweets.append({"id": tweet_id, **body})
                return 201, {"data": {"id": tweet_id, "text": body.get("text"), "edit_history_tweet_ids": [tweet_id]}}
            return 404, {"title": "Not Found Error", "type": "about:blank", "status": 404, "detail": path}

        def lookup(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
            """X's post lookup: up to 100 ids; a deleted one is an ``errors`` entry of a 200 answer."""
            ids = query.get("ids", "").split(",")
            if not 1 <= len(ids) <= 100 or not all(post_id.isdigit() for post_id in ids):
                return invalid("The `ids` query parameter value must be 1 to 100 numeric ids")
            fields = query.get("tweet.fields", "").split(",")
            found = [post_id for post_id in ids if post_id in state.metrics]
            data = [{"id": i, "text": f"post {i}", "edit_history_tweet_ids": [i]} for i in found]
            for post in data:
                if "public_metrics" in fields:
                    post["public_metrics"] = state.metrics[post["id"]]
            errors = [
                {
                    "value": post_id,
                    "detail": f"Could not find tweet with ids: [{post_id}].",
                    "title": "Not Found Error",
                    "resource_type": "tweet",
                    "parameter": "ids",
                    "resource_id": post_id,
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                }
                for post_id in ids
                if post_id not in state.metrics
            ]
            return 200, {**({"data": data} if data else {}), **({"errors": errors} if errors else {})}

        def status(self, media_id: str, upload: Upload) -> dict[str, Any]:
            data: dict[str, Any] = {"id": media_id, "media_key": f"7_{media_id}", "size": upload.total_bytes}
            if upload.states:
                info = upload.states.pop(0) if len(upload.states) > 1 else upload.states[0]
                upload.state = info["state"]
                data["processing_info"] = info
            return data

        def parse(self, raw: bytes) -> Any:
            kind = self.headers.get("Content-Type", "")
            if "json" in kind:
                return json.loads(raw or b"{}")
            if "multipart/form-data" in kind:
                return _multipart(kind, raw)
            return {} if not raw else {"raw": raw}

    return Handler


CATEGORIES = ("tweet_image", "tweet_video", "tweet_gif", "subtitles")


def invalid(message: str) -> tuple[int, dict[str, Any]]:
    return 400, {"errors": [{"message": message}], "title": "Invalid Request", "type": "about:blank"}


def _multipart(content_type: str, raw: bytes) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for part in multipart(content_type, raw):
        payload = part.get_payload(decode=True) or b""
        name = part.get_param("name", header="content-disposition")
        fields[name] = payload if part.get_filename() else payload.decode()
    return fields


@contextmanager
def running(consumer_key: str) -> Iterator[FakeX]:
    """The fake X on 127.0.0.1, accepting requests signed with ``consumer_key``."""
    state = FakeX(consumer_key)
    with serve(_handler(state)) as state.url:
        yield state
