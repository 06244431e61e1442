"""A local server imitating Bluesky's video service (video.bsky.app), on 127.0.0.1.

It answers ``app.bsky.video.getUploadLimits`` (a service token for the service itself),
``uploadVideo`` (a service token for the account's PDS, lxm ``com.atproto.repo.uploadBlob``; the
MP4 as the body; a video it already has → 409 ``already_exists`` with its job) and
``getJobStatus`` (the job moves one state per question through ``states``: created, encoding…,
then completed with the blob, or failed with its error). Every request is recorded.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.httpserver import JsonHandler, serve

CREATED, ENCODING, DONE, FAILED = "JOB_STATE_CREATED", "JOB_STATE_ENCODING", "JOB_STATE_COMPLETED", "JOB_STATE_FAILED"


@dataclass
class Seen:
    """One request: method, XRPC method name, query, the headers that matter, the body's size and content."""

    method: str
    name: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class Job:
    id: str
    did: str
    size: int
    digest: str
    polls: int = 0
    blob: dict[str, Any] | None = None  # what the PDS stored, when the service has one


@dataclass
class FakeVideoService:
    url: str = ""
    pds_did: str = "did:web:bsky.social"  # the audience an upload's token must name
    states: list[str] = field(default_factory=lambda: [CREATED, ENCODING, ENCODING, DONE])
    error: dict[str, str] = field(default_factory=lambda: {"error": "encoding_failure", "message": "unsupported codec"})
    limits: dict[str, Any] = field(
        default_factory=lambda: {"canUpload": True, "remainingDailyVideos": 25, "remainingDailyBytes": 10_000_000_000}
    )
    seen: list[Seen] = field(default_factory=list)
    jobs: dict[str, Job] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    pds_url: str | None = None  # a real PDS: the video goes to its uploadBlob under the upload's token

    @property
    def did(self) -> str:
        return f"did:web:{urlsplit(self.url).hostname}"

    def names(self) -> list[str]:
        return [f"{request.method} {request.name}" for request in self.seen]

    def blob(self, job: Job) -> dict[str, Any]:
        if job.blob is not None:
            return job.blob
        return {
            "$type": "blob",
            "ref": {"$link": f"bafkreivideo{job.digest[:20]}"},
            "mimeType": "video/mp4",
            "size": job.size,
        }

    def status(self, job: Job) -> dict[str, Any]:
        state = self.states[min(job.polls, len(self.states) - 1)]
        status: dict[str, Any] = {"jobId": job.id, "did": job.did, "state": state}
        if state == DONE:
            status["blob"] = self.blob(job)
        elif state == FAILED:
            status.update(self.error)
        else:
            status["progress"] = min(99, 30 * job.polls)
        return status


def claims(authorization: str) -> dict[str, Any]:
    """The payload of a bearer JWT (unverified: the fake PDS signs nothing), {} when there is none."""
    token = authorization.removeprefix("Bearer ")
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def _handler(state: FakeVideoService) -> type[JsonHandler]:
    class Handler(JsonHandler):
        json_type = "application/json; charset=utf-8"

        def do_GET(self) -> None:
            seen = self.record(b"")
            if seen.name == "app.bsky.video.getUploadLimits":
                if not self.authorised(seen, state.did, "app.bsky.video.getUploadLimits"):
                    return
                self.reply(200, state.limits)
            elif seen.name == "app.bsky.video.getJobStatus":
                with state.lock:
                    job = state.jobs.get(seen.params.get("jobId", ""))
                    if job is not None:
                        job.polls += 1
                        status = state.status(job)
                if job is None:
                    self.reply(400, {"error": "InvalidRequest", "message": "job not found"})
                else:
                    self.reply(200, {"jobStatus": status})
            else:
                self.reply(404, {"error": "MethodNotImplemented"})

        def do_POST(self) -> None:
            seen = self.record(self.body())
            if seen.name != "app.bsky.video.uploadVideo":
                self.reply(404, {"error": "MethodNotImplemented"})
                return
            if not self.authorised(seen, state.pds_did, "com.atproto.repo.uploadBlob"):
                return
            did = seen.params.get("did", "")
            if claims(seen.headers.get("authorization", "")).get("iss") != did:
                self.reply(401, {"error": "BadJwt", "message": "jwt issuer does not match did"})
                return
            if seen.headers.get("content-type") != "video/mp4" or seen.body[4:8] != b"ftyp":
                self.reply(400, {"error": "InvalidRequest", "message": "not an mp4 video"})
                return
            digest = hashlib.sha256(seen.body).hexdigest()
            with state.lock:
                known = next((job for job in state.jobs.values() if job.digest == digest and job.did == did), None)
                if known is None:
                    job = Job(f"job{next(state.numbers)}", did, len(seen.body), digest)
                    state.jobs[job.id] = job
            if known is None and state.pds_url:
                job.blob = self.store(seen)
            if known is not None:
                body = {"error": "already_exists", "message": "Video already processed", "jobId": known.id}
                self.reply(409, {**body, "did": did, "state": state.status(known)["state"]})
                return
            self.reply(200, {"jobStatus": {"jobId": job.id, "did": did, "state": CREATED, "progress": 0}})

        def store(self, seen: Seen) -> dict[str, Any]:
            """The video stored on the PDS with the upload's own token (as the service does once it is encoded)."""
            import httpx

            headers = {"Authorization": seen.headers["authorization"], "Content-Type": "video/mp4"}
            answer = httpx.post(f"{state.pds_url}/xrpc/com.atproto.repo.uploadBlob", content=seen.body, headers=headers)
            answer.raise_for_status()
            return answer.json()["blob"]

        def record(self, body: bytes) -> Seen:
            split = urlsplit(self.path)
            params = {key: values[0] for key, values in parse_qs(split.query).items()}
            wanted = ("authorization", "content-type", "content-length", "transfer-encoding", "user-agent")
            headers = {key.lower(): value for key, value in self.headers.items() if key.lower() in wanted}
            seen = Seen(self.command, split.path.removeprefix("/xrpc/"), params, headers, body)
            with state.lock:
                state.seen.append(seen)
            return seen

        def authorised(self, seen: Seen, audience: str, method: str) -> bool:
            found = claims(seen.headers.get("authorization", ""))
            if found.get("aud") == audience and found.get("lxm") == method:
                return True
            self.reply(401, {"error": "BadJwtAudience", "message": f"jwt audience does not match {audience}"})
            return False

    return Handler


@contextmanager
def running() -> Iterator[FakeVideoService]:
    state = FakeVideoService()
    with serve(_handler(state)) as state.url:
        yield state
