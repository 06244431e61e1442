"""A local HTTP server standing in for the seven networks at once.

It answers the endpoints hospipost's adapters call (Meta's containers included, and the
public copies of media under ``/public/`` that Instagram and Threads fetch), records every
post it receives and every DELETE of an X or Mastodon post, and can be told to be slow or to
fail. Tests point the adapters' `api_base` (and `media_url`) at it. It binds 127.0.0.1 only and stops with the test.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakes.httpserver import JsonHandler, multipart, serve


@dataclass
class Received:
    network: str
    path: str
    body: dict[str, Any]
    text: str | None
    arrived: float = field(default_factory=time.time)


@dataclass
class FakeNetworks:
    latency: float = 0.0
    received: list[Received] = field(default_factory=list)
    faults: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1_000_001))
    url: str = ""
    idempotent: dict[str, dict[str, Any]] = field(default_factory=dict)  # Mastodon's Idempotency-Key
    bluesky_records: dict[str, dict[str, Any]] = field(default_factory=dict)  # by record key
    containers: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # Meta: id → (network, fields)
    public: Path | None = None  # the folder served under /public/ (what media_url points at)
    deleted_parts: list[tuple[str, str]] = field(default_factory=list)  # (network, id) of every delete asked
    posted: dict[str, str] = field(default_factory=dict)  # X tweets and Mastodon statuses online: id → network
    deletions: list[tuple[str, str, int]] = field(default_factory=list)  # DELETE requests: (network, id, status)
    delete_latency: float = 0.0  # seconds each DELETE waits before it is answered
    read_faults: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = field(default_factory=dict)  # GETs

    def fail_next(self, network: str, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self.faults.setdefault(network, []).append((status, body, headers or {}))

    def fail_next_read(
        self, network: str, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        self.read_faults.setdefault(network, []).append((status, body, headers or {}))

    def posts(self, network: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.text is not None and (network is None or r.network == network)]

    def texts(self, network: str) -> list[str]:
        return [r.text for r in self.posts(network)]

    def deleted(self, network: str) -> list[str]:
        """The ids of the posts a DELETE removed (each once: a second DELETE of an id answers 404)."""
        with self.lock:
            return [post_id for name, post_id, status in self.deletions if name == network and status == 200]


def _handler(state: FakeNetworks) -> type[JsonHandler]:
    class Handler(JsonHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            query = parse_qs(urlsplit(self.path).query)
            if state.latency and not path.startswith("/public/"):
                time.sleep(state.latency)
            with state.lock:
                faults = state.read_faults.get(network_of(path))
                fault = faults.pop(0) if faults else None
            if fault:
                self.reply(*fault)
                return
            if path.startswith("/public/") and state.public is not None:
                self.public_file(path.removeprefix("/public/"))
            elif path == "/2/tweets":  # X's post lookup: the figures of posts (stats fetch; before Meta's ?ids=)
                self.reply(200, metrics_answer(state, "x", query.get("ids", [""])[0].split(",")))
            elif path == "/rest/organizationalEntityShareStatistics":  # LinkedIn's post statistics (stats fetch)
                listed = (query.get("shares") or query.get("ugcPosts") or ["List()"])[0]
                self.reply(200, metrics_answer(state, "linkedin", listed.removeprefix("List(")[:-1].split(",")))
            elif "ids" in query or path.endswith("/insights"):  # Facebook's, Instagram's, Threads' figures
                self.reply(*meta_figures(path, query))
            elif network_of(path) in META or path.rsplit("/", 1)[-1] in state.containers:
                self.meta_read(path)
            elif path == "/xrpc/com.atproto.repo.getRecord":
                rkey = query.get("rkey", [""])[0]
                with state.lock:
                    record = state.bluesky_records.get(rkey)
                if record is None:
                    self.reply(400, {"error": "RecordNotFound", "message": "Could not locate record"})
                else:
                    self.reply(200, {"uri": record["uri"], "cid": record["cid"], "value": record["value"]})
            elif path == "/xrpc/com.atproto.server.getSession":
                self.reply(200, {"did": BLUESKY_DID, "handle": "chu.test"})
            elif path == "/xrpc/com.atproto.identity.resolveHandle":
                self.reply(400, {"error": "InvalidRequest", "message": "Unable to resolve handle"})
            elif path.startswith("/api/v1/statuses"):  # a status's figures; 20 at once (Mastodon 4.3+)
                self.reply(*mastodon_figures(state, path, query))
            elif path == "/xrpc/app.bsky.feed.getPosts":  # up to 25 posts' figures
                gone = {uri for network, uri in state.deleted_parts if network == "bluesky"}
                self.reply(200, {"posts": [bluesky_post(uri) for uri in query.get("uris", []) if uri not in gone]})
            elif path == "/2/users/me":
                self.reply(200, {"data": {"id": "42", "name": "CHU", "username": "chu_test"}})
            elif path.startswith("/api/v2/instance"):
                self.reply(
                    200,
                    {
                        "domain": "social.example.org",
                        "configuration": {
                            "statuses": {
                                "max_characters": 500,
                                "max_media_attachments": 4,
                                "characters_reserved_per_url": 23,
                            },
                            "media_attachments": {"image_size_limit": 10485760, "description_limit": 1500},
                        },
                    },
                )
            elif path == "/api/v1/accounts/verify_credentials":
                self.reply(200, {"id": "7", "username": "chu", "acct": "chu", "url": f"{state.url}/@chu"})
            elif path.startswith("/rest/organizations/"):
                self.reply(200, {"localizedName": "CHU Test"})
            elif path.count("/") == 2 and path.startswith("/v"):
                self.reply(200, {"id": path.split("/")[2], "name": "CHU Test"})
            else:
                self.reply(404, {"error": "not found"})

        def do_PUT(self) -> None:
            self.body()
            self.reply(201, {})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            path = urlsplit(self.path).path
            network = network_of(path)
            body = self.parse(raw)
            if state.latency:
                time.sleep(state.latency)
            with state.lock:
                fault = state.faults.get(network, []).pop(0) if state.faults.get(network) else None
            if fault and not path.endswith(("createSession", "refreshSession")):
                self.reply(*fault)
                return
            if fault:
                state.faults[network].insert(0, fault)
            if network == "bluesky":
                self.bluesky(path, body)
                return
            if network in META:
                self.meta_write(network, path, body)
                return
            key = self.headers.get("Idempotency-Key")
            with state.lock:
                if key and key in state.idempotent:  # Mastodon: the same key answers the same status
                    self.reply(200, state.idempotent[key])
                    return
            text = {"x": body.get("text"), "mastodon": body.get("status"), "linkedin": body.get("commentary")}.get(
                network, body.get("message") or body.get("caption")
            )
            is_post = path in ("/2/tweets", "/api/v1/statuses", "/rest/posts") or path.endswith(("/feed", "/photos"))
            with state.lock:
                state.received.append(Received(network, path, body, text if is_post else None))
                new_id = next(state.ids)
                if path in ("/2/tweets", "/api/v1/statuses"):
                    state.posted[str(new_id)] = network
            if path == "/api/v1/statuses":
                status = {
                    "id": str(new_id),
                    "url": f"{state.url}/@chu/{new_id}",
                    "account": {"url": f"{state.url}/@chu"},
                }
                if key:
                    with state.lock:
                        state.idempotent[key] = status
                self.reply(200, status)
            elif path == "/api/v2/media":
                self.reply(200, {"id": str(new_id), "type": "image", "url": f"{state.url}/media/{new_id}.png"})
            elif path == "/rest/posts":
                self.reply(201, {}, {"x-restli-id": f"urn:li:share:{new_id}"})
            elif path == "/rest/images":
                self.reply(
                    200, {"value": {"uploadUrl": f"{state.url}/upload/{new_id}", "image": f"urn:li:image:{new_id}"}}
                )
            elif path == "/2/tweets":
                self.reply(201, {"data": {"id": str(new_id), "text": text}})
            elif network == "x":
                self.reply(200, {"data": {"id": str(new_id), "media_key": f"3_{new_id}"}})
            elif path.endswith("/photos"):
                page = path.split("/")[2]
                self.reply(200, {"id": str(new_id), "post_id": f"{page}_{new_id}"})
            else:
                page = path.split("/")[2]
                self.reply(200, {"id": f"{page}_{new_id}"})

        def do_DELETE(self) -> None:
            """A published part deleted, with the answer each network gives. X and Mastodon know which
            posts are online: deleting one again answers 404, as they do; the others answer success."""
            self.body()
            path = urlsplit(self.path).path
            network, post_id = network_of(path), unquote(path.rsplit("/", 1)[-1])
            if state.delete_latency:
                time.sleep(state.delete_latency)
            with state.lock:
                state.deleted_parts.append((network, post_id))
                fault = state.faults.get(network, []).pop(0) if state.faults.get(network) else None
            if fault:
                with state.lock:
                    state.deletions.append((network, post_id, fault[0]))
                self.reply(*fault)
                return
            tracked = path.startswith(("/2/tweets/", "/api/v1/statuses/"))
            with state.lock:
                found = not tracked or state.posted.get(post_id) == network
                if tracked and found:
                    del state.posted[post_id]
                state.deletions.append((network, post_id, 200 if found else 404))
            if not found:
                missing = {
                    "title": "Not Found Error",
                    "detail": f"Could not find tweet with id: [{post_id}].",
                    "status": 404,
                }
                self.reply(404, missing if network == "x" else {"error": "Record not found"})
                return
            answers = {
                "x": (200, {"data": {"deleted": True}}),
                "mastodon": (200, {"id": post_id, "text": "", "url": f"{state.url}/@chu/{post_id}"}),
                "linkedin": (204, {}),
            }
            self.reply(*answers.get(network, (200, {"success": True})))

        def bluesky(self, path: str, body: dict[str, Any]) -> None:
            if path in ("/xrpc/com.atproto.server.createSession", "/xrpc/com.atproto.server.refreshSession"):
                self.reply(200, {"did": BLUESKY_DID, "handle": "chu.test", "accessJwt": _jwt(), "refreshJwt": _jwt()})
            elif path == "/xrpc/com.atproto.repo.uploadBlob":
                self.reply(
                    200, {"blob": {"$type": "blob", "ref": {"$link": BLUESKY_CID}, "mimeType": "image/png", "size": 1}}
                )
            elif path == "/xrpc/com.atproto.repo.deleteRecord":  # a record already gone: a success too
                with state.lock:
                    state.bluesky_records.pop(str(body.get("rkey")), None)
                    state.deleted_parts.append(
                        ("bluesky", f"at://{body.get('repo')}/{body.get('collection')}/{body.get('rkey')}")
                    )
                self.reply(200, {})
            elif path == "/xrpc/com.atproto.repo.createRecord":
                rkey = body.get("rkey") or str(next(state.ids))
                uri = f"at://{BLUESKY_DID}/app.bsky.feed.post/{rkey}"
                with state.lock:
                    if rkey in state.bluesky_records:  # the same record key twice: refused, as the PDS does
                        self.reply(500, {"error": "InternalServerError", "message": "Internal Server Error"})
                        return
                    state.bluesky_records[rkey] = {"uri": uri, "cid": BLUESKY_CID, "value": body.get("record", {})}
                    state.received.append(Received("bluesky", path, body, body.get("record", {}).get("text")))
                self.reply(200, {"uri": uri, "cid": BLUESKY_CID})
            else:
                self.reply(404, {"error": "MethodNotImplemented"})

        def meta_write(self, network: str, path: str, body: dict[str, Any]) -> None:
            """Instagram and Threads: a container is created, then published with its creation_id."""
            with state.lock:
                new_id = str(next(state.ids))
                if path.endswith("_publish"):
                    fields = state.containers.get(str(body.get("creation_id")), (network, {}))[1]
                    state.received.append(Received(network, path, fields, fields.get("caption") or fields.get("text")))
                else:
                    state.received.append(Received(network, path, body, None))
                state.containers[new_id] = (network, body)  # a container, or the post it became
            self.reply(200, {"id": new_id})

        def meta_read(self, path: str) -> None:
            """A container's status (processed at once), a post's permalink, the publishing quota."""
            last = path.rsplit("/", 1)[-1]
            if last.endswith("publishing_limit"):
                self.reply(200, {"data": [{"quota_usage": 0, "config": {"quota_total": 50, "quota_duration": 86400}}]})
            else:
                done = {"status_code": "FINISHED", "status": "FINISHED", "permalink": f"{state.url}/p/{last}"}
                self.reply(200, {"id": last, **done})

        def public_file(self, relative: str) -> None:
            assert state.public is not None
            target = (state.public / relative).resolve()
            if not target.is_relative_to(state.public.resolve()) or not target.is_file():
                self.reply(404, {"error": "not found"})
                return
            self.send(200, target.read_bytes(), "application/octet-stream")

        def parse(self, raw: bytes) -> dict[str, Any]:
            kind = self.headers.get("Content-Type", "")
            if "json" in kind:
                return json.loads(raw or b"{}")
            if "x-www-form-urlencoded" in kind:
                return {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            if "multipart/form-data" in kind:
                return _multipart_fields(kind, raw)
            return {}

    return Handler


BLUESKY_DID = "did:plc:chutestaccount0000000000"
BLUESKY_CID = "bafyreibvjvcv745gig4mvqs4hctx4zfkono4rjejm2ta6gtyzkqxfjeily"


def _jwt() -> str:
    """A syntactically valid, unsigned JWT, as atproto's client decodes (an app-password session)."""
    import base64

    def encode(part: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()

    claims = {
        "scope": "com.atproto.appPass",
        "sub": BLUESKY_DID,
        "exp": int(time.time()) + 3600,
        "iat": int(time.time()),
    }
    return f"{encode({'alg': 'HS256', 'typ': 'JWT'})}.{encode(claims)}.c2lnbmF0dXJl"


def counts(post_id: str) -> tuple[int, int, int, int]:
    """A post's replies, shares, likes and quotes, derived from its id (the same on every read)."""
    import zlib

    seed = zlib.crc32(post_id.encode())
    return seed % 7, seed % 11, seed % 97 + 1, seed % 5


def mastodon_figures(state: FakeNetworks, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
    """``GET /api/v1/statuses/:id`` (404 once deleted) or ``?id[]=…`` (the statuses not deleted), with their counts."""
    gone = set(state.deleted("mastodon"))

    def status(status_id: str) -> dict[str, Any]:
        names = ("replies_count", "reblogs_count", "favourites_count", "quotes_count")
        return {
            "id": status_id,
            "url": f"{state.url}/@chu/{status_id}",
            **dict(zip(names, counts(status_id), strict=True)),
        }

    if path == "/api/v1/statuses":
        return 200, [status(status_id) for status_id in query.get("id[]", [])[:20] if status_id not in gone]
    status_id = unquote(path.rsplit("/", 1)[-1])
    return (404, {"error": "Record not found"}) if status_id in gone else (200, status(status_id))


def bluesky_post(uri: str) -> dict[str, Any]:
    """A post view as the AppView's ``app.bsky.feed.getPosts`` gives it, its counts derived from its AT URI."""
    author, at = {"did": BLUESKY_DID, "handle": "chu.test"}, "2026-12-01T09:00:00.000Z"
    record = {"$type": "app.bsky.feed.post", "text": "", "createdAt": at}
    figures = dict(zip(("replyCount", "repostCount", "likeCount", "quoteCount"), counts(uri), strict=True))
    return {"uri": uri, "cid": BLUESKY_CID, "author": author, "record": record, "indexedAt": at, **figures}


INSTAGRAM_USER = "17841400000000000"
THREADS_USER = "17841400000000001"
META = ("instagram", "threads")


def metrics_answer(state: FakeNetworks, network: str, ids: list[str]) -> dict[str, Any]:
    """X's or LinkedIn's answer to a metrics read: figures derived from each post's id (the same at every read);
    a post deleted through this server is left out (X lists it in ``errors``, as X does)."""
    deleted = set(state.deleted(network))
    found = [post_id for post_id in ids if post_id and post_id not in deleted]
    counts = {}
    for post_id in found:
        n = int("".join(filter(str.isdigit, post_id)) or 0)
        counts[post_id] = (n % 9973 + 100, n % 997 + 50, n % 89, n % 97, n % 13, n % 7)
    if network == "x":
        names = ("impression_count", "like_count", "retweet_count", "reply_count", "quote_count", "bookmark_count")
        data = [
            {
                "id": i,
                "text": "",
                "edit_history_tweet_ids": [i],
                "public_metrics": dict(zip(names, counts[i], strict=True)),
            }
            for i in found
        ]
        errors = [{"value": i, "title": "Not Found Error", "resource_type": "tweet"} for i in ids if i in deleted]
        return {**({"data": data} if data else {}), **({"errors": errors} if errors else {})}
    names = ("impressionCount", "uniqueImpressionsCount", "clickCount", "likeCount", "commentCount", "shareCount")
    kind = "ugcPost" if any(":ugcPost:" in post_id for post_id in found) else "share"
    return {"elements": [{kind: i, "totalShareStatistics": dict(zip(names, counts[i], strict=True))} for i in found]}


def meta_figures(path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
    """Figures derived from each post's id: ``GET /{v}/?ids=…&fields=insights.metric(…)[,comments…,shares]``
    (Facebook, Instagram) or ``GET /v1.0/{id}/insights?metric=…`` (Threads)."""

    def insights(post_id: str, names: list[str]) -> dict[str, Any]:
        seed = sum(map(ord, post_id))
        return {"data": [{"name": name, "values": [{"value": seed % 500 + len(name)}]} for name in names if name]}

    if path.endswith("/insights"):
        return 200, insights(path.split("/")[-2], query.get("metric", [""])[0].split(","))
    fields = query.get("fields", [""])[0]
    asked = fields.partition("insights.metric(")[2].partition(")")[0]
    names, rest = asked.split(","), fields.replace(f"insights.metric({asked})", "")
    edges = {"comments": {"summary": {"total_count": 3}}} if "comments" in rest else {}
    edges |= {"shares": {"count": 2}} if "shares" in rest else {}
    return 200, {one: {"id": one, "insights": insights(one, names), **edges} for one in query["ids"][0].split(",")}


def network_of(path: str) -> str:
    if path.startswith("/v1.0/"):
        return "threads"
    if f"/{INSTAGRAM_USER}/" in path:
        return "instagram"
    if path.startswith("/xrpc/"):
        return "bluesky"
    if path.startswith("/2/"):
        return "x"
    if path.startswith("/api/"):
        return "mastodon"
    if path.startswith(("/rest/", "/upload/")):
        return "linkedin"
    return "facebook"


def _multipart_fields(content_type: str, raw: bytes) -> dict[str, Any]:
    """Text fields of a multipart body (file fields become their size in bytes)."""
    fields: dict[str, Any] = {}
    for part in multipart(content_type, raw):
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        fields[name] = len(payload) if part.get_filename() else payload.decode("utf-8", "replace")
    return fields


@contextmanager
def running(latency: float = 0.0, public: Path | None = None) -> Iterator[FakeNetworks]:
    state = FakeNetworks(latency=latency, public=public)
    with serve(_handler(state)) as state.url:
        yield state
