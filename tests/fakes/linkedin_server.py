"""A local HTTP server imitating LinkedIn's Videos API and Posts API (what the LinkedIn adapter calls for a video).

``POST /rest/videos?action=initializeUpload`` registers a video and cuts it in parts (``part_size`` bytes, 4 MB
at LinkedIn), each with its own upload URL on this server; every ``PUT`` of a part must carry exactly its bytes
and is answered with an ETag; ``finalizeUpload`` must name the uploadToken and every ETag in order; then
``GET /rest/videos/{urn}`` answers WAITING_UPLOAD (before finalizing), PROCESSING for ``processing_polls``
reads, then AVAILABLE or the programmed ``final`` (PROCESSING_FAILED, or PROCESSING for ever). ``POST /rest/posts``
takes only an AVAILABLE video. ``GET /rest/organizationalEntityShareStatistics`` answers the figures of the shares
or ugcPosts listed (Rest.li 2.0 ``List(…)`` of URL-encoded URNs) that ``statistics`` knows, leaving out the others.
Binds 127.0.0.1 only and records every request.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakes.httpserver import JsonHandler, serve


@dataclass
class Request:
    method: str
    path: str  # decoded, without the query
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    raw_query: str = ""  # as sent, still URL-encoded

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"{}")


@dataclass
class Upload:
    urn: str
    size: int
    token: str
    captions: bool
    parts: list[tuple[int, int]]  # (first byte, last byte)
    received: dict[int, bytes] = field(default_factory=dict)  # part number -> bytes
    captions_file: bytes | None = None
    finalized: bool = False
    polls: int = 0
    available: bool = False

    def etag(self, number: int) -> str:
        return f"/ambry-video/signedId/{self.urn.rsplit(':', 1)[1]}-part-{number}"  # as LinkedIn's: unquoted

    @property
    def data(self) -> bytes:
        return b"".join(self.received[number] for number in sorted(self.received))


@dataclass
class LinkedInServer:
    url: str = ""
    part_size: int = 1024
    processing_polls: int = 0  # how many status reads after finalizing answer PROCESSING
    final: str = "AVAILABLE"  # or PROCESSING_FAILED, or PROCESSING (never ends)
    failure_reason: str = "Video codec not supported"
    captions_url: bool = True  # whether initializeUpload answers a captionsUploadUrl when asked for one
    etags: bool = True  # whether part uploads are answered with an ETag
    faults: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)  # by step, see _step
    requests: list[Request] = field(default_factory=list)
    uploads: dict[str, Upload] = field(default_factory=dict)  # by video URN
    posts: list[dict[str, Any]] = field(default_factory=list)
    statistics: dict[str, dict[str, int]] = field(default_factory=dict)  # totalShareStatistics by post URN
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(7_300_000_000_000_000_001))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, step: str, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        """Answer the next request of ``step`` (initialize, part, captions, finalize, status, post, statistics) with
        an error."""
        self.faults.setdefault(step, []).append((status, body, headers or {}))

    def steps(self) -> list[str]:
        return [_step(request.method, request.path, request.query) for request in self.requests]


def _step(method: str, path: str, query: dict[str, str]) -> str:
    if path == "/rest/videos":
        return query.get("action", "videos").removesuffix("Upload")  # initialize, finalize
    if path.startswith("/rest/videos/"):
        return "status"
    if path.startswith("/upload/"):
        return "captions" if path.endswith("/captions") else "part"
    if path == "/rest/organizationalEntityShareStatistics":
        return "statistics"
    return "post" if path == "/rest/posts" else f"{method} {path}"


def _handler(state: LinkedInServer) -> type[JsonHandler]:
    class Handler(JsonHandler):
        def encode(self, status: int, body: Any) -> bytes:
            return json.dumps(body).encode() if body else b""  # LinkedIn answers an empty {} with no body

        routes = ("GET", "POST", "PUT")

        def route(self, method: str) -> None:
            split = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(split.query).items()}
            body = self.body()
            request = Request(method, unquote(split.path), query, dict(self.headers.items()), body, split.query)
            step = _step(method, request.path, query)
            with state.lock:
                state.requests.append(request)
                fault = state.faults[step].pop(0) if state.faults.get(step) else None
            if fault:
                self.reply(*fault)
                return
            if request.headers.get("Authorization") != "Bearer " + TOKEN:
                self.reply(401, {"status": 401, "serviceErrorCode": 65600, "message": "Invalid access token"})
                return
            handler = getattr(self, step, None)
            if handler is None:
                self.reply(404, {"status": 404, "message": f"No virtual resource found for {method} {request.path}"})
                return
            with state.lock:
                handler(request)

        def initialize(self, request: Request) -> None:
            asked = request.json["initializeUploadRequest"]
            assert set(asked) == {"owner", "fileSizeBytes", "uploadCaptions", "uploadThumbnail"}, asked
            number, size = next(state.ids), asked["fileSizeBytes"]
            urn = f"urn:li:video:D4E10AQ{number}"
            parts = [(first, min(first + state.part_size, size) - 1) for first in range(0, size, state.part_size)]
            upload = Upload(urn, size, f"token-{number}", asked["uploadCaptions"], parts)
            state.uploads[urn] = upload
            instructions = [
                {
                    "uploadUrl": f"{state.url}/upload/{number}/part/{index}?ca=vector_feedshare",
                    "firstByte": a,
                    "lastByte": b,
                }
                for index, (a, b) in enumerate(parts, 1)
            ]
            value = {
                "uploadUrlsExpireAt": 1790000000000,
                "video": urn,
                "uploadInstructions": list(reversed(instructions)),  # in any order: the byte ranges tell
                "uploadToken": upload.token,
                "thumbnailUploadUrl": "",
            }
            if upload.captions and state.captions_url:
                value["captionsUploadUrl"] = f"{state.url}/upload/{number}/captions"
            self.reply(200, {"value": value})

        def part(self, request: Request) -> None:
            _, _, number, _, index = request.path.split("/")
            upload = state.uploads[f"urn:li:video:D4E10AQ{number}"]
            first, last = upload.parts[int(index) - 1]
            if len(request.body) != last - first + 1:
                self.reply(400, {"message": f"part {index} must be {last - first + 1} bytes"})
                return
            upload.received[int(index)] = request.body
            self.reply(200, {}, {"ETag": upload.etag(int(index))} if state.etags else {})

        def captions(self, request: Request) -> None:
            state.uploads[f"urn:li:video:D4E10AQ{request.path.split('/')[2]}"].captions_file = request.body
            self.reply(200, {})

        def finalize(self, request: Request) -> None:
            asked = request.json["finalizeUploadRequest"]
            upload = state.uploads.get(asked["video"])
            expected = [upload.etag(number) for number in range(1, len(upload.parts) + 1)] if upload else []
            if upload is None or asked["uploadToken"] != upload.token or asked["uploadedPartIds"] != expected:
                self.reply(400, {"status": 400, "message": "uploadedPartIds do not match the uploaded parts"})
                return
            upload.finalized = True
            self.reply(200, {})

        def status(self, request: Request) -> None:
            upload = state.uploads[request.path.removeprefix("/rest/videos/")]
            body: dict[str, Any] = {"id": upload.urn, "owner": "urn:li:organization:123"}
            if not upload.finalized:
                body["status"] = "WAITING_UPLOAD"
            else:
                upload.polls += 1
                body["status"] = "PROCESSING" if upload.polls <= state.processing_polls else state.final
                upload.available = body["status"] == "AVAILABLE"
                if body["status"] == "PROCESSING_FAILED":
                    body["processingFailureReason"] = state.failure_reason
            self.reply(200, body)

        def statistics(self, request: Request) -> None:
            """Lifetime statistics of the listed posts: one kind of URN per request, each URN encoded in List(…)."""
            raw = dict(part.split("=", 1) for part in request.raw_query.split("&"))
            lists = {key: raw[key] for key in ("shares", "ugcPosts") if key in raw}
            if (
                request.query.get("q") != "organizationalEntity"
                or len(lists) != 1
                or "LinkedIn-Version" not in request.headers
            ):
                self.reply(
                    400, {"status": 400, "message": "q=organizationalEntity, one of shares or ugcPosts, a version"}
                )
                return
            [(kind, listed)] = lists.items()
            urns = [unquote(urn) for urn in listed.removeprefix("List(").removesuffix(")").split(",")]
            if not listed.startswith("List(") or any(":" in urn for urn in listed.split(",")):
                self.reply(400, {"status": 400, "message": f"Invalid Rest.li list in {kind}"})
                return
            organization = unquote(raw.get("organizationalEntity", ""))
            elements = [
                {
                    "organizationalEntity": organization,
                    kind.removesuffix("s"): urn,
                    "totalShareStatistics": state.statistics[urn],
                }
                for urn in urns
                if urn in state.statistics
            ]
            self.reply(200, {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements})

        def post(self, request: Request) -> None:
            post = request.json
            media = post.get("content", {}).get("media", {})
            upload = state.uploads.get(media.get("id", ""))
            if str(media.get("id", "")).startswith("urn:li:video:") and not (upload and upload.available):
                self.reply(
                    422, {"status": 422, "message": f"ERROR :: /content/media/id :: {media['id']} is not AVAILABLE"}
                )
                return
            state.posts.append(post)
            self.reply(201, {}, {"x-restli-id": f"urn:li:share:{next(state.ids)}"})

    return Handler


TOKEN = "AQX-SECRET-LINKEDIN-VIDEO-TOKEN-77"


@contextmanager
def running(**options: Any) -> Iterator[LinkedInServer]:
    state = LinkedInServer(**options)
    with serve(_handler(state)) as state.url:
        yield state
