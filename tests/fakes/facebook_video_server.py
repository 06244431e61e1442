"""A local HTTP server imitating Facebook's Page video API (Graph API, facebook-sdk's requests).

``POST /{v}/{page}/videos`` takes a whole file (multipart ``source``) or Meta's chunked upload
(``upload_phase`` start → transfer of each byte range it asks for, in order → finish); a video then
answers ``GET /{v}/{video}?fields=status`` with ``processing`` for some polls, then ``ready`` or
``error`` (with Meta's reason); ``POST /{v}/{video}/captions`` takes an SRT ``captions_file``.
Binds 127.0.0.1 only, checks the token and records every request.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.httpserver import JsonHandler, multipart, serve

TOKEN = "EAAB-SECRET-FB-VIDEO-TOKEN-77"
PAGE = "1234567890"
PROCESSING_FAILED = "The video file you selected is in a format that we don't support."


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    files: dict[str, tuple[str, bytes]]  # name → (file name, content)
    headers: dict[str, str]

    @property
    def shape(self) -> str:
        """ "POST videos start", "POST videos transfer 0-4000", "GET <video> status", "POST captions"..."""
        edge = self.path.rsplit("/", 1)[-1]
        if self.method == "GET":
            return f"GET <video> {self.query.get('fields', '')}"
        if edge == "videos":
            phase = self.form.get("upload_phase", "source")
            if phase == "transfer":
                begin = int(self.form["start_offset"])
                return f"POST videos transfer {begin}-{begin + len(self.files['video_file_chunk'][1])}"
            return f"POST videos {phase}"
        return f"POST {edge}"


@dataclass
class Video:
    id: str
    size: int
    description: str | None = None
    data: bytearray = field(default_factory=bytearray)
    published: bool = False
    polls_left: int = 0
    final: str = "ready"
    captions: list[tuple[str, bytes, str]] = field(default_factory=list)  # (file name, content, default locale)


@dataclass
class GraphVideos:
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    videos: dict[str, Video] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # upload session → video id
    chunk: int = 4000  # the byte range Meta asks for at each transfer
    processing_polls: int = 0  # how many status reads a new video answers "processing"
    final: str = "ready"  # how processing ends: "ready" or "error"
    captions_fail: bool = False
    hang: dict[str, float] = field(default_factory=dict)  # request shape prefix → seconds processed, then silent
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(10_150_000_000_000_001))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def shape(self) -> list[str]:
        return [request.shape for request in self.requests]

    def published(self) -> list[Video]:
        return [video for video in self.videos.values() if video.published]


def _handler(state: GraphVideos) -> type[JsonHandler]:
    class Handler(JsonHandler):
        json_type = "application/json; charset=UTF-8"

        routes = ("GET", "POST")

        def route(self, method: str) -> None:
            parts = urlsplit(self.path)
            raw = self.body()
            form, files = _fields(self.headers.get("Content-Type", ""), raw)
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            request = Request(method, parts.path, query, form, files, dict(self.headers.items()))
            with state.lock:
                state.requests.append(request)
                token = form.get("access_token") or self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token != TOKEN:
                    answer = (
                        400,
                        {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}},
                    )
                else:
                    answer = self.answer(request)
            delay = max(
                (seconds for prefix, seconds in state.hang.items() if request.shape.startswith(prefix)), default=0
            )
            if delay:
                time.sleep(delay)  # processed, but the answer comes after the client gave up
            self.reply(*answer)

        def answer(self, request: Request) -> tuple[int, dict[str, Any]]:
            segments = request.path.strip("/").split("/")
            if request.method == "POST" and segments[1:] == [PAGE, "videos"]:
                return self.videos(request)
            video = state.videos.get(segments[1]) if len(segments) > 1 else None
            if video is None:
                return 400, {"error": {"message": "Unsupported request", "type": "GraphMethodException", "code": 100}}
            if request.method == "GET" and request.query.get("fields") == "status":
                return 200, {"id": video.id, "status": status(video)}
            if request.method == "POST" and segments[2:] == ["captions"]:
                if state.captions_fail:
                    return 400, {"error": {"message": "Invalid caption file", "type": "OAuthException", "code": 100}}
                name, content = request.files["captions_file"]
                video.captions.append((name, content, request.form.get("default_locale", "")))
                return 200, {"success": True}
            return 400, {"error": {"message": "Unsupported request", "code": 100}}

        def videos(self, request: Request) -> tuple[int, dict[str, Any]]:
            phase, form = request.form.get("upload_phase"), request.form
            if phase is None:  # the whole file in one request: published at once
                _, data = request.files["source"]
                video = self.new_video(len(data))
                video.data[:], video.description, video.published = data, form.get("description"), True
                return 200, {"id": video.id}
            if phase == "start":
                video = self.new_video(int(form["file_size"]))
                session = str(next(state.ids))
                state.sessions[session] = video.id
                return 200, {"video_id": video.id, "upload_session_id": session, **self.range(video)}
            video = state.videos.get(state.sessions.get(form.get("upload_session_id", ""), ""), Video("", 0))
            if not video.id:
                return 400, {"error": {"message": "Invalid upload session", "code": 100}}
            if phase == "transfer":
                _, chunk = request.files["video_file_chunk"]
                expected = self.range(video)
                if form.get("start_offset") != expected["start_offset"] or len(chunk) != int(
                    expected["end_offset"]
                ) - int(expected["start_offset"]):
                    error = {"message": "Chunk out of order", "code": 6000, "error_subcode": 1363037}
                    return 400, {"error": {**error, "error_data": expected}}
                video.data += chunk
                return 200, self.range(video)
            if phase == "finish" and len(video.data) == video.size:
                video.description, video.published = form.get("description"), True
                return 200, {"success": True}
            return 400, {"error": {"message": "The upload is incomplete", "code": 6001}}

        def new_video(self, size: int) -> Video:
            video = Video(str(next(state.ids)), size, polls_left=state.processing_polls, final=state.final)
            state.videos[video.id] = video
            return video

        def range(self, video: Video) -> dict[str, str]:
            begin = len(video.data)
            return {"start_offset": str(begin), "end_offset": str(min(video.size, begin + state.chunk))}

    return Handler


def status(video: Video) -> dict[str, Any]:
    """Meta's VideoStatus: processing for the programmed polls, then ready or error."""
    uploading = {"status": "complete", "bytes_transferred": len(video.data)}
    if video.polls_left > 0:
        video.polls_left -= 1
        return {
            "video_status": "processing",
            "uploading_phase": uploading,
            "processing_phase": {"status": "in_progress"},
        }
    if video.final == "error":
        errors = [{"code": 1363008, "message": PROCESSING_FAILED}]
        return {"video_status": "error", "processing_phase": {"status": "error", "errors": errors}}
    return {"video_status": "ready", "uploading_phase": uploading, "processing_phase": {"status": "complete"}}


def _fields(content_type: str, raw: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    if "x-www-form-urlencoded" in content_type:
        return {key: values[0] for key, values in parse_qs(raw.decode()).items()}, {}
    if "multipart/form-data" not in content_type:
        return {}, {}
    form: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in multipart(content_type, raw):
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            files[name] = (part.get_filename(), payload)
        else:
            form[name] = payload.decode()
    return form, files


@contextmanager
def running() -> Iterator[GraphVideos]:
    state = GraphVideos()
    with serve(_handler(state)) as state.url:
        yield state
