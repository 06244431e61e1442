"""A local HTTP server imitating Meta's container API (Instagram Graph API and Threads API).

Containers are created (``POST /{v}/{user}/media`` or ``/threads``), read
(``GET /{v}/{container}?fields=...``) and published (``.../media_publish``, ``.../threads_publish``).
Tests program it: containers that stay IN_PROGRESS for some polls or end in ERROR or EXPIRED, a
used-up quota, an expired token, error answers queued per edge, a publish that hangs. It also
serves the public images and videos under ``/public/`` and fetches each ``image_url`` and
``video_url``, as Meta does (a video container must say REELS or VIDEO and carry its video_url).
Binds 127.0.0.1 only and records every request.
"""

from __future__ import annotations

import itertools
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.httpserver import JsonHandler, serve

TOKEN = "IGQ-SECRET-META-TOKEN-5a5a"
EXPIRED_TOKEN = {
    "message": "Error validating access token: Session has expired on Monday, 30-Nov-26.",
    "type": "OAuthException",
    "code": 190,
    "error_subcode": 463,
}

UNKNOWN = {
    "message": "Unsupported delete request. Object with ID does not exist, cannot be loaded due to missing permissions,"
    " or does not support this operation",
    "type": "GraphMethodException",
    "code": 100,
    "error_subcode": 33,
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]

    @property
    def edge(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass
class Container:
    id: str
    fields: dict[str, str]
    status: str = "IN_PROGRESS"
    polls_left: int = 0
    final: str = "FINISHED"
    fetched: bytes | None = None
    reason: str = ""  # Meta's explanation once in ERROR (a default one when empty)


@dataclass
class MetaServer:
    url: str = ""
    folder: Path = Path()
    requests: list[Request] = field(default_factory=list)
    containers: dict[str, Container] = field(default_factory=dict)
    published: list[dict[str, str]] = field(default_factory=list)  # newest last
    in_progress_polls: int = 0  # how many status reads a new container answers IN_PROGRESS
    finals: list[str] = field(default_factory=list)  # the final status of the next containers (else FINISHED)
    reasons: list[str] = field(default_factory=list)  # Meta's explanation of the next containers' ERROR
    quota_usage: int = 0
    quota_total: int = 50
    token_expired: bool = False
    faults: dict[str, list[tuple[int, dict[str, Any]] | None]] = field(
        default_factory=dict
    )  # by edge ("status": reads)
    hang: dict[str, float] = field(default_factory=dict)  # seconds an edge waits before answering
    drop: set[str] = field(default_factory=set)  # edges whose requests are processed, then the connection closed
    publish_after_hang: bool = True  # a hung publish still publishes (as Meta may)
    listing_fails: bool = False
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(17_900_000_000_000_001))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, edge: str, status: int, error: dict[str, Any] | None = None, after: int = 0) -> None:
        """The next request to ``edge`` (after ``after`` answered normally) fails with this answer."""
        self.faults.setdefault(edge, []).extend([None] * after + [(status, {"error": error} if error else {})])

    def seen(self, method: str | None = None, edge: str | None = None) -> list[Request]:
        return [r for r in self.requests if (method in (None, r.method)) and (edge in (None, r.edge))]

    def created(self) -> list[Request]:
        return [r for r in self.requests if r.method == "POST" and r.edge in ("media", "threads")]

    def shape(self) -> list[str]:
        """Every API request as "METHOD edge" (container and media reads as "GET <id>")."""
        return [f"{r.method} {r.edge if not r.edge.isdigit() else '<id>'}" for r in self.requests]


def _handler(state: MetaServer) -> type[JsonHandler]:
    class Handler(JsonHandler):
        routes = ("GET", "POST", "DELETE")

        def route(self, method: str) -> None:
            parts = urlsplit(self.path)
            if parts.path.startswith("/public/"):
                file = state.folder / parts.path.removeprefix("/public/")
                data = file.read_bytes() if file.is_file() else b""
                video = file.suffix in (".mp4", ".mov")
                self.send(200 if data else 404, data, f"video/{file.suffix[1:]}" if video else "image/jpeg")
                return
            raw = self.body()
            request = Request(
                method,
                parts.path,
                {k: v[0] for k, v in parse_qs(parts.query).items()},
                {k: v[0] for k, v in parse_qs(raw.decode()).items()},
                dict(self.headers.items()),
            )
            with state.lock:
                state.requests.append(request)
                fault_edge = (
                    "status"
                    if method == "GET" and request.edge.isdigit() and "status" in str(request.query)
                    else request.edge
                )
                fault = state.faults.get(fault_edge, []).pop(0) if state.faults.get(fault_edge) else None
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self.reply(
                    400, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}
                )
                return
            if state.token_expired:
                self.reply(400, {"error": EXPIRED_TOKEN})
                return
            if request.edge in state.drop:  # processed, then the connection breaks before any answer
                self.answer(request)
                self.close_connection = True
                return
            if request.edge in state.hang:  # processed (or not), then the answer comes too late
                answer = self.answer(request) if state.publish_after_hang else (500, {})
                time.sleep(state.hang[request.edge])
                self.reply(*answer)
                return
            if fault:
                self.reply(*fault)
                return
            self.reply(*self.answer(request))

        def answer(self, request: Request) -> tuple[int, dict[str, Any]]:
            edge, segments = request.edge, request.path.strip("/").split("/")
            with state.lock:
                if request.method == "GET" and (edge == "insights" or "ids" in request.query):
                    return self.insights(request, segments)
                if edge in ("content_publishing_limit", "threads_publishing_limit"):
                    config = {"quota_total": state.quota_total, "quota_duration": 86400}
                    return 200, {"data": [{"quota_usage": state.quota_usage, "config": config}]}
                if request.method == "DELETE":  # a published post (Threads); Meta's answer for an unknown object
                    found = [post for post in state.published if post["id"] == edge]
                    state.published = [post for post in state.published if post["id"] != edge]
                    return (200, {"success": True, "deleted_id": edge}) if found else (400, {"error": UNKNOWN})
                if request.method == "POST" and edge in ("media", "threads"):
                    return self.create(request.form)
                if request.method == "POST" and edge in ("media_publish", "threads_publish"):
                    return self.publish(request.form.get("creation_id", ""))
                if request.method == "GET" and edge in ("media", "threads"):
                    if state.listing_fails:
                        return 500, {"error": {"message": "Please retry", "code": 2, "is_transient": True}}
                    return 200, {"data": list(reversed(state.published))[: int(request.query.get("limit", 25))]}
                if len(segments) == 2 and request.query.get("fields") == "username":
                    return 200, {"username": "chu.angers", "id": segments[1]}
                if len(segments) == 2 and segments[1] in state.containers:
                    return self.status(state.containers[segments[1]], request.query.get("fields", ""))
                if len(segments) == 2 and "status" in request.query.get("fields", ""):
                    return self.missing()  # a container Meta does not know (any more)
                if len(segments) == 2 and request.query.get("fields") == "permalink":
                    found = [p for p in state.published if p["id"] == segments[1]]
                    return (200, {"id": segments[1], "permalink": found[0]["permalink"]}) if found else self.missing()
            return 400, {"error": {"message": "Unsupported request", "code": 100}}

        def create(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
            container = Container(str(next(state.ids)), form, polls_left=state.in_progress_polls)
            if state.finals:
                container.final = state.finals.pop(0)
            if state.reasons:
                container.reason = state.reasons.pop(0)
            video = form.get("media_type") in ("REELS", "VIDEO")
            if video != bool(form.get("video_url")) or (video and form.get("image_url")):
                return 400, {"error": {"message": "(#100) Invalid parameter: media_type and video_url", "code": 100}}
            if form.get("children") and any(c not in state.containers for c in form["children"].split(",")):
                return 400, {"error": {"message": "Invalid children", "code": 100}}
            if form.get("image_url") or form.get("video_url"):
                try:
                    address = form.get("image_url") or form["video_url"]
                    with urllib.request.urlopen(address, timeout=5) as answer:  # Meta fetches the image or video
                        container.fetched = answer.read()
                except OSError:
                    container.final = "ERROR"
            state.containers[container.id] = container
            return 200, {"id": container.id}

        def status(self, container: Container, fields: str) -> tuple[int, dict[str, Any]]:
            if container.status == "IN_PROGRESS":
                if container.polls_left > 0:
                    container.polls_left -= 1
                else:
                    container.status = container.final
            explained = {
                "ERROR": "Error: The image could not be fetched from the URI (2207052)",
                "EXPIRED": "Expired: the container was not published within 24 hours",
            }.get(container.status, f"{container.status.title()}")
            explained = container.reason if container.reason and container.status == "ERROR" else explained
            if "status_code" in fields:
                return 200, {"status_code": container.status, "status": explained, "id": container.id}
            body = {"status": container.status, "id": container.id}
            return 200, {**body, "error_message": explained} if container.status == "ERROR" else body

        def publish(self, creation_id: str) -> tuple[int, dict[str, Any]]:
            container = state.containers.get(creation_id)
            if container is None:
                return self.missing()
            if container.status != "FINISHED":
                return 400, {"error": {"message": "Media ID is not available", "code": 9007, "error_subcode": 2207027}}
            container.status = "PUBLISHED"
            media_id = str(next(state.ids))
            state.published.append(
                {
                    "id": media_id,
                    "timestamp": f"2026-12-01T09:{len(state.published):02d}:00+0000",
                    "permalink": f"https://www.example.com/p/{media_id}/",
                }
            )
            return 200, {"id": media_id}

        def insights(self, request: Request, segments: list[str]) -> tuple[int, dict[str, Any]]:
            """A post's insights (``GET /{id}/insights?metric=…``), or several posts' (``GET /?ids=…&fields=
            insights.metric(…)``, where one unknown id fails the whole lookup, as on Graph)."""
            online = {post["id"] for post in state.published}
            if "ids" in request.query:
                ids = request.query["ids"].split(",")
                names = request.query.get("fields", "").removeprefix("insights.metric(").removesuffix(")")
                if unknown := [one for one in ids if one not in online]:
                    said = f"(#803) Some of the aliases you requested do not exist: {','.join(unknown)}"
                    return 404, {"error": {"message": said, "type": "OAuthException", "code": 803}}
                return 200, {one: {"insights": insights_of(one, names.split(",")), "id": one} for one in ids}
            if segments[1] not in online:
                return 400, {"error": UNKNOWN}
            return 200, insights_of(segments[1], request.query.get("metric", "").split(","))

        def missing(self) -> tuple[int, dict[str, Any]]:
            error = {"message": "Media not found", "code": 24, "error_subcode": 2207006}
            return 400, {"error": error}

    return Handler


def figure(media_id: str, metric: str) -> int:
    """The figure the server gives of a post: derived from its id and the metric's name."""
    return int(media_id[-3:]) * 10 + len(metric)


def insights_of(media_id: str, metrics: list[str]) -> dict[str, Any]:
    """Meta's insights answer: one lifetime value per metric."""
    return {
        "data": [
            {"name": name, "period": "lifetime", "values": [{"value": figure(media_id, name)}], "title": name}
            for name in metrics
        ]
    }


class FolderMedia:
    """A PublicMedia for tests: writes each image into the folder the server serves, returns its URL."""

    def __init__(self, server: MetaServer) -> None:
        self.server = server
        self.calls: list[tuple[str, bytes, str]] = []
        self.files: list[tuple[str, Path, str]] = []  # the videos handed as files

    def url(self, file: str, data: bytes, content_type: str) -> str:
        self.calls.append((file, data, content_type))
        name = file.replace("/", "_")
        (self.server.folder / name).write_bytes(data)
        return f"{self.server.url}/public/{name}"

    def file_url(self, file: str, path: Path, content_type: str) -> str:
        """A video: copied (not read whole) into the served folder."""
        import shutil

        self.files.append((file, path, content_type))
        name = file.replace("/", "_")
        shutil.copyfile(path, self.server.folder / name)
        return f"{self.server.url}/public/{name}"


def make_adapter(cls: type[Any], server: MetaServer, environ: dict[str, str] | None = None, **options: Any) -> Any:
    """An adapter of ``cls`` talking to ``server``, its images put where the server serves them."""
    from hospipost.config import NetworkSettings
    from hospipost.credentials import Credentials

    settings = {"enabled": True, "user_id": "17841400000000001", "api_base": server.url, "timeout": 5, **options}
    settings.setdefault("token_env", cls.config_keys["token_env"].default)
    credentials = Credentials(environ={settings["token_env"]: TOKEN} if environ is None else environ)
    adapter = cls(NetworkSettings(cls.name, True, settings, 1), credentials)
    adapter.public_media = FolderMedia(server)
    adapter.sleeps = []
    adapter.sleep = adapter.sleeps.append
    return adapter


def image(folder: Path, name: str, data: bytes, alt: str | None = "Le hall d'accueil du CHU") -> Any:
    from hospipost.posts import Media

    path = folder / "media" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Media(file=f"media/{name}", path=path, alt=alt, people=False, consent=None, line=1)


@contextmanager
def running(folder: Path) -> Iterator[MetaServer]:
    folder.mkdir(parents=True, exist_ok=True)
    state = MetaServer(folder=folder)
    with serve(_handler(state)) as state.url:
        yield state


def clip(
    folder: Path,
    name: str = "visite.mp4",
    alt: str | None = "Visite guidée de la maternité",
    captions: str | None = None,
    **shape: Any,
) -> Any:
    """A post's video: a small real one (tests/fakes/video.py) in folder/media, with its captions file if named."""
    from hospipost.posts import Media
    from tests.fakes.video import make_video

    path = make_video(folder / "media" / name, **{"seconds": 1.0, "width": 160, "height": 90, **shape})
    captions_path = None
    if captions:
        captions_path = folder / "media" / captions
        captions_path.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nBienvenue à la maternité\n", encoding="utf-8")
    return Media(
        file=f"media/{name}",
        path=path,
        alt=alt,
        people=False,
        consent=None,
        line=1,
        captions=f"media/{captions}" if captions else None,
        captions_path=captions_path,
    )
