"""Bluesky through atproto, with a handle and an app password (the session is saved, mode 0600).

Records are built here: rich-text facets in UTF-8 byte offsets, link cards never fetched
(the base re-encodes images over 1 000 000 bytes). Each part's record key derives from the delivery
id, so a failed createRecord is read back: a part is never published twice. More: NOTES.md."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from hospipost.media import image_size
from hospipost.networks import bluesky_video
from hospipost.networks.base import ConfigKey, Image, Limits, Network, Part, Rendering, Sent, http_url_problem
from hospipost.networks.failures import Answer, Attempt, DeliveryError, PermanentError, Step, TransientError
from hospipost.networks.http import HTTPX_LOGGERS, USER_AGENT
from hospipost.networks.video import Video, VideoLimits
from hospipost.textlength import grapheme_length

if TYPE_CHECKING:
    from atproto_client import Client

    from hospipost.posts import Media

log = logging.getLogger(__name__)

Dids = dict[str, str | None]  # mentioned handles → their DID (None: plain text)
Refs = list[tuple[str, str]]  # strong refs (uri, cid) of the parts online
Json = dict[str, Any]

POST = "app.bsky.feed.post"
FACET = "app.bsky.richtext.facet"
SESSION_FILE = "bluesky-session"
APP_PASSWORDS = "Bluesky → Settings → Privacy and security → App passwords"
MAIN_PASSWORD_SCOPE = "com.atproto.access"
AUTH_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthRequired", "AuthenticationRequired", "AuthMissing"})
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_EPOCH_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z, in microseconds

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
# @handle.domain: not inside a word, an e-mail address or a path; the whole handle.
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
_MENTION = re.compile(
    rf"(?<![\w@./+-])@((?:{_LABEL}\.)+[a-zA-Z](?:[a-zA-Z0-9-]{{0,61}}[a-zA-Z0-9])?)(?![\w-]|\.[a-zA-Z0-9])"
)
# #hashtag: '#' not inside a word, an entity, a path or after another '#'; letters (accented,
# decomposed or not), digits, '_'; at least one letter (#15 is the emergency number, not a tag).
_HASHTAG = re.compile(r"(?<![\w&#/@\u0300-\u036f])[#\uff03]([\w\u0300-\u036f]+)")
_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def _no_handle(value: Any) -> str | None:
    return None if str(value).strip("@ ") else "is empty: set the account's handle, e.g. chu.example.org"


@dataclass
class _Link:
    """One publish's client and what its records need: mentions' DIDs, images' entries, video blobs, refs online."""

    client: Client
    dids: Dids = field(default_factory=dict)
    images: list[dict[str, Any]] = field(default_factory=list)
    video: tuple[Any, Any] = (None, None)
    refs: Refs = field(default_factory=list)


class Bluesky(Network):
    name = "bluesky"
    label = "Bluesky"
    default_api_base = "https://bsky.social"
    limits = Limits(
        max_length=300,
        count=grapheme_length,
        length_unit="graphemes",
        max_images=4,
        max_image_bytes=1_000_000,
        image_types=frozenset({"image/jpeg", "image/png", "image/webp"}),
        supports_threads=True,
        max_bytes=3000,
        shrink_to_fit=True,  # re-encoded as a JPEG under max_image_bytes, at most 2000 px a side
        max_image_side=2000,
        video=VideoLimits(max_bytes=100_000_000, max_seconds=180, captions=True),  # NOTES.md: the sources
    )
    config_keys = {
        "handle": ConfigKey(str, required=True, help="the account's handle, e.g. chu.example.org", check=_no_handle),
        "app_password_env": ConfigKey(str, default="HOSPIPOST_BLUESKY_APP_PASSWORD"),
        "video_service": ConfigKey(
            str, default="https://video.bsky.app", help="Bluesky's video service", check=http_url_problem
        ),
    }
    idempotent_publish = True
    idempotency_note = "a retry cannot publish it twice (same record key)"
    credential_keys = ("app_password_env",)
    library_loggers = (*HTTPX_LOGGERS, "atproto", "atproto_client", "atproto_core")

    _relogged = False  # this run logged in again once already
    _did: str | None = None  # of the session: the account, its handle, the scope of its token
    _session_handle: str | None = None
    _scope: str | None = None
    _pds: str | None = None  # the account's PDS, from the session's DID document (None: api_base)
    sleep = staticmethod(time.sleep)  # between two questions on a video's processing; tests inject a fake

    @property
    def handle(self) -> str:
        return str(self.settings.options.get("handle") or "").strip().lstrip("@").lower()

    @property
    def password_env(self) -> str:
        return str(self.settings.options.get("app_password_env") or self.config_keys["app_password_env"].default)

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        """The requests publishing would make, in order, with the record keys of delivery ``key``: no
        credential read, no network. Placeholders: DIDs, blobs, each reply's refs, the creation time."""

        def step(name: str, method: str = "POST", **fields: Any) -> dict[str, Any]:
            return {"method": method, "url": f"{self.api_base}/xrpc/{name}", **fields}

        login = {"identifier": self.handle, "password": f"<app password from {self.password_env}>"}
        note = "only when no saved session is valid; an app password, never the account's main password"
        steps = [step("com.atproto.server.createSession", json=login, note=note)]
        handles = _mentions(rendering.parts)
        note = "resolved at publish time; a handle that does not resolve stays plain text"
        steps += [step("com.atproto.identity.resolveHandle", "GET", params={"handle": h}, note=note) for h in handles]
        video_steps, video = bluesky_video.planned(self, rendering)  # the embed: None when the post has no video
        steps += video_steps
        images: list[Json] = []
        for number, item in enumerate(rendering.media if video is None else [], 1):
            steps.append(upload := step("com.atproto.repo.uploadBlob", file=item.file, alt=item.alt or ""))
            images.append({"alt": item.alt or "", "image": f"<blob {number}: {item.file}>"})
            try:
                [image] = self.read_images([item])  # as publishing reads it: re-encoded when too heavy
            except PermanentError as error:
                upload["problem"] = str(error)
                continue
            images[-1] = _embedded(image, images[-1]["image"])
            upload.update(content_type=image.type, bytes=len(image.data))
            if image.original_bytes is not None:
                size = "{width}×{height}".format(**images[-1]["aspectRatio"])
                shrunk = f"from {image.original_bytes} bytes to {len(image.data)} bytes ({size} JPEG)"
                upload["downscaled"] = f"{shrunk} to fit Bluesky's {self.limits.max_image_bytes} bytes"
        dids: Dids = {handle: f"<DID of @{handle}, resolved at publish time>" for handle in handles}
        for index, text in enumerate(rendering.parts):
            refs = [("<uri of part 1>", "<cid of part 1>"), (f"<uri of part {index}>", f"<cid of part {index}>")]
            media = ([], None, refs) if index else (images, video, [])
            record = _record(text, dids, *media, "<time of publication>", rendering.language)
            rkey = record_key(key, index) if key else f"<TID derived from the delivery id and part {index + 1}>"
            create = {"repo": f"<DID of @{self.handle}>", "collection": POST, "rkey": rkey, "record": record}
            steps.append(step("com.atproto.repo.createRecord", json=create))
        return steps

    @contextlib.contextmanager
    def connection(self) -> Iterator[_Link]:
        """An atproto client on api_base, not logged in yet (``begin`` logs in)."""
        from atproto_client import Client
        from atproto_client.request import Request

        request = Request(timeout=self.timeout)
        request.add_additional_header("User-Agent", f"{USER_AGENT} {request.get_headers().get('User-Agent', '')}")
        client = Client(base_url=self.api_base, request=request)
        client.on_session_change(lambda event, session: self._session_changed(client, event, session))
        with contextlib.closing(request):
            yield _Link(client)

    def begin(self, connection: _Link, parts: list[str], done: list[str]) -> None:
        """Check the texts; log in; read back the cids the ledger lacks; resolve the mentions."""
        client, count = connection.client, len(done) + len(parts)
        for index, text in enumerate(parts, len(done)):
            self.check_text(text, "the post" if count == 1 else f"part {index + 1} of the thread")
        refs = [_ref(part_id) for part_id in done]
        self._log_in(client)
        for number, (uri, cid) in enumerate(refs, 1):
            reading = Attempt(f"reading part {number} of the thread", Step.READ, len(done))
            if cid is None and (found := self._call(client, partial(self._find, client, uri), reading)) is None:
                raise PermanentError(
                    f"the published part {uri} is no longer on Bluesky (deleted?): the thread cannot go on under it; check the account, then `hospipost reconcile`"
                )
            connection.refs.append((uri, cid or found[1]))  # a cid the ledger lacks is read back
        for handle in _mentions(parts):
            attempt = Attempt(f"resolving the mention @{handle}", Step.READ, len(done))
            connection.dids[handle] = self._call(client, partial(self._resolve, client, handle), attempt)

    def upload_images(self, connection: _Link, images: list[Image]) -> list[str]:
        """``uploadBlob`` each image; its ``app.bsky.embed.images#image`` entry goes on the link."""
        for image in images:
            blob = self._blob(connection.client, image.data, image.type, f"the image {image.media.file}")
            log.info("Bluesky: uploaded %s (%d bytes)", image.media.file, len(image.data))
            connection.images.append(_embedded(image, blob))
        return [str(entry["image"]["ref"]) for entry in connection.images]

    def read_media(self, media: list[Media]) -> tuple[list[Image], Video | None]:
        """The base's reading; a video's description and captions checked against the lexicon (SRT → WebVTT)."""
        images, video = super().read_media(media)
        return images, video and bluesky_video.checked(video)

    def upload_video(self, connection: _Link, video: Video) -> list[str]:
        """The video and its captions through ``bluesky_video``; ``post_part`` embeds both."""
        connection.video = bluesky_video.upload(self, connection.client, video)
        return []

    def _blob(self, client: Client, data: bytes, content_type: str, what: str) -> Any:
        """``uploadBlob`` of ``what``: the blob the records embed."""
        upload = partial(_procedure, client, "com.atproto.repo.uploadBlob", data, content_type, "blob")
        return self._call(client, upload, Attempt(f"uploading {what}", Step.UPLOAD))["blob"]

    def post_part(self, connection: _Link, part: Part) -> str:
        """``createRecord`` under the part's record key; when it fails, a record already there counts as published."""
        client, rkey = connection.client, record_key(part.key, part.index)
        images = connection.images if part.media_ids else []
        video = bluesky_video.embed(v.media, v, *connection.video, part.language) if (v := part.video) else None
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        record = _record(part.text, connection.dids, images, video, connection.refs, now, part.language)
        fields = {"repo": self._did, "collection": POST, "rkey": rkey, "record": record}
        body = json.dumps(fields, ensure_ascii=False).encode()
        request = partial(_procedure, client, "com.atproto.repo.createRecord", body, "application/json", "uri", "cid")

        def create() -> tuple[str, str]:
            try:
                content = request()
                return str(content["uri"]), str(content["cid"])
            except Exception as error:
                if _xrpc(error)[0] == 429 or _is_auth_failure(error):
                    raise
                # Maybe created anyway (a lost answer) or by an earlier attempt (a second create is refused).
                if (found := self._find(client, f"at://{self._did}/{POST}/{rkey}", quietly=True)) is None:
                    raise
            log.info("Bluesky: %s was already online under key %s (an earlier attempt created it)", part.doing, rkey)
            if found[2] is not None and found[2] != part.text:
                log.warning("Bluesky: the text online under key %s differs from the current one (edited since)", rkey)
            return found[0], found[1]

        uri, cid = self._call(client, create, Attempt(part.doing, Step.PUBLISH, part.index))
        log.info("Bluesky: %s done, %s", part.doing, uri)
        connection.refs.append((uri, cid))
        return f"{uri} {cid}"

    def delete_part(self, connection: _Link, part_id: str) -> None:
        """``deleteRecord`` of the part (logged in once per connection); a RecordNotFound counts as deleted."""
        client, (did, rkey) = connection.client, _split_uri(_ref(part_id)[0])
        if getattr(client, "_session", None) is None:
            self._log_in(client)

        def delete() -> None:
            try:
                client.com.atproto.repo.delete_record({"repo": did, "collection": POST, "rkey": rkey})
            except Exception as error:
                if _xrpc(error)[1] != "RecordNotFound":
                    raise
                log.info("Bluesky: the record %s was already deleted", rkey)

        self._call(client, delete, Attempt(f"deleting the post at://{did}/{POST}/{rkey}", Step.DELETE))

    def sent(self, first: str) -> Sent:
        """The first part's at:// URI (its recorded id also holds its cid) and its address."""
        return super().sent(_ref(first)[0])

    def post_url(self, remote_id: str) -> str:
        did, rkey = _split_uri(remote_id.partition(" ")[0])
        who = self._session_handle or self.handle or did
        return f"https://bsky.app/profile/{quote(who, safe='.:-_')}/post/{quote(rkey, safe='')}"

    def verify(self) -> str:
        """Log in (or resume the saved session) and ask the server who we are: ``@handle (did)``."""
        with self.connection() as link:
            self._log_in(client := link.client)
            checking = Attempt("checking the session", Step.READ)
            session = self._call(client, client.com.atproto.server.get_session, checking)
            return f"@{session.handle} ({session.did})"

    def _resolve(self, client: Client, handle: str) -> str | None:
        """The DID of a mentioned handle; None (a warning) when it does not resolve: it stays plain text."""
        try:
            return str(client.com.atproto.identity.resolve_handle({"handle": handle}).did)
        except Exception as error:
            if _xrpc(error)[0] != 400 or _is_auth_failure(error):  # 400: not a handle of an account
                raise
        log.warning("Bluesky: @%s does not resolve to an account; it stays plain text", handle)
        return None

    def _find(self, client: Client, uri: str, quietly: bool = False) -> tuple[str, str, str | None] | None:
        """(uri, cid, text) of the post at ``uri``, or None when there is none (or, ``quietly``, unreadable)."""
        did, rkey = _split_uri(uri)
        try:
            response = client.com.atproto.repo.get_record({"repo": did, "collection": POST, "rkey": rkey})
        except Exception as error:
            if _xrpc(error)[1] != "RecordNotFound":
                if not quietly:
                    raise
                log.info("Bluesky: could not read back %s after a failure (%s)", uri, type(error).__name__)
            return None
        text = getattr(response.value, "text", None)
        return str(response.uri), str(response.cid), text if isinstance(text, str) else None

    def _log_in(self, client: Client, fresh: bool = False) -> None:
        """Resume the saved session (unless ``fresh``: refused), else ``createSession``; one login at a time."""
        with _LOGIN:
            with contextlib.suppress(Exception):  # a resumed session never reads it, but a server may echo it
                self.remember_secrets(self.secret("app_password_env"))
            owner = {"handle": self.handle, "api_base": self.api_base}  # the session of this account on this server
            saved = None if fresh else (self.load_private(SESSION_FILE, owner) or {}).get("session")
            if isinstance(saved, str) and saved:  # a secret once imported (_session_changed)
                try:
                    client.login(session_string=saved, fetch_bsky_profile=False)
                    return
                except Exception as error:
                    log.warning("Bluesky: the saved session is unusable (%s); logging in again", type(error).__name__)
            self.save_private(SESSION_FILE, None)  # unusable or refused: not tried again
            password = self.secret("app_password_env")  # CredentialsError names the variable
            try:
                client.login(self.handle, password, fetch_bsky_profile=False)
            except Exception as error:
                raise self.failure(error, Attempt(f"logging in as @{self.handle}", Step.READ)) from None
        if self._scope == MAIN_PASSWORD_SCOPE:
            raise PermanentError(
                f"{self.password_env} holds the main password of @{self.handle}: hospipost only logs in with an app password ({APP_PASSWORDS}), which can be revoked on its own; create one, put it in that variable, then publish again"
            )
        log.info("Bluesky: logged in as @%s", self.handle)

    def _session_changed(self, client: Client, event: Any, session: Any) -> None:
        """Keep requests on api_base, the new tokens secret; save a new session (never one of the main password)."""
        from atproto_client import SessionEvent

        client.update_base_url(self.api_base)
        self._did, self._session_handle, self._scope, text = session.did, session.handle, None, session.export()
        self._pds = getattr(session, "pds_endpoint", None)
        self.remember_secrets(text, session.access_jwt, session.refresh_jwt)
        with contextlib.suppress(Exception):
            self._scope = session.access_jwt_payload.scope
        if event != SessionEvent.IMPORT and self._scope != MAIN_PASSWORD_SCOPE:
            self.save_private(SESSION_FILE, {"handle": self.handle, "api_base": self.api_base, "session": text})

    def _call(self, client: Client, call: Callable[[], Any], attempt: Attempt) -> Any:
        """``call()``, logging in again once when the server refuses the session; failures as delivery errors."""
        try:
            try:
                return call()
            except Exception as error:
                if self._relogged or not _is_auth_failure(error):
                    raise
            self._relogged = True
            log.info("Bluesky: the session was refused; logging in again with %s", self.password_env)
            self._log_in(client, fresh=True)
            return call()
        except DeliveryError:
            raise
        except Exception as error:
            raise self.failure(error, attempt) from None

    def network_failure(self, error: BaseException, attempt: Attempt) -> DeliveryError | None:
        answer, code = self.answer_of(error), _xrpc(error)[1]
        ref = f" ({answer.ref})" if answer else ""
        if code == "AuthFactorTokenRequired":
            return PermanentError(
                f"Bluesky asks for an e-mail code to log in as @{self.handle}: {self.password_env} holds the account's main password; create an app password ({APP_PASSWORDS}) and put it in that variable instead"
            )
        if _is_auth_failure(error) and not (answer and answer.status in (401, 403)):  # 401, 403: the shared rules
            return PermanentError(
                f"Bluesky refused the session while {attempt.doing}{ref}, even after a new login; {attempt.nothing}: {self.credentials_hint()}{attempt.already}"
            )
        if answer and answer.status in (409, 425):  # a concurrent write to the repository; too early
            return TransientError(
                f"Bluesky asked to retry {attempt.doing} later{ref}; {attempt.nothing}, hospipost will try again later{attempt.already}"
            )
        return None

    def answer_of(self, error: BaseException) -> Answer | None:
        """atproto keeps the status, headers and XRPC error (code and message) on ``error.response``."""
        response, (status, code, message) = getattr(error, "response", None), _xrpc(error)
        if response is None or not isinstance(status, int):
            return None
        said = " ".join(self.redact(": ".join(filter(None, (code, message)))).split()).rstrip(". ")
        return Answer(status, response.headers or {}, said if len(said) <= 300 else said[:299] + "…")

    def credentials_hint(self) -> str:
        return f"check networks.bluesky.handle and that {self.password_env} holds an app password of @{self.handle} ({APP_PASSWORDS}), never the account's main password, then publish again"

    def permissions_hint(self, attempt: Attempt) -> str:
        return f"check on Bluesky that @{self.handle} is active (not suspended or taken down) and that {self.password_env} holds one of its app passwords, then publish again"

    metric_words = {"likes": "likes", "shares": "reposts", "comments": "replies", "quotes": "quotes"}
    metrics_batch = 25  # uris per app.bsky.feed.getPosts; Bluesky counts no views
    metrics_permission = "an app password of the account"

    def read_metrics(self, link: _Link, remote_ids: list[str], attempt: Attempt) -> dict[str, dict[str, int]]:
        """``app.bsky.feed.getPosts`` (the AppView, through the PDS, logged in; a refused session logs in again once):
        likeCount, repostCount, replyCount and quoteCount of each post it still has (a deleted one is left out)."""
        if getattr(link.client, "_session", None) is None:
            self._log_in(link.client)
        ids = {remote_id.partition(" ")[0]: remote_id for remote_id in remote_ids}  # by at:// URI
        posts = self._call(link.client, lambda: link.client.app.bsky.feed.get_posts({"uris": list(ids)}), attempt)
        names = {"likes": "like_count", "shares": "repost_count", "comments": "reply_count", "quotes": "quote_count"}
        found: dict[str, dict[str, int]] = {}
        for post in posts.posts:
            if post.uri in ids:
                counts = {name: getattr(post, key, None) for name, key in names.items()}
                found[ids[post.uri]] = {name: value for name, value in counts.items() if type(value) is int}
        return found


def find_links(text: str) -> list[tuple[int, int, str]]:
    """Links as ``check`` finds them (twitter-text, with or without a scheme): (start, end, uri)."""
    from hospipost.twittertext import extract_urls

    return [(at, at + len(url), url if _SCHEME.match(url) else f"https://{url}") for at, url in extract_urls(text)]


def find_mentions(text: str) -> list[tuple[int, int, str]]:
    """``@handle.domain`` mentions: (start of '@', end, lowercase handle); links excluded."""
    links = find_links(text) if "." in text else []
    return [
        (match.start(), match.end(), match.group(1).lower())
        for match in _MENTION.finditer(text)
        if not _overlaps(*match.span(), links) and not match.group(1).rsplit(".", 1)[-1].isdigit()
    ]


def find_hashtags(text: str) -> list[tuple[int, int, str]]:
    """Hashtags: (start of '#', end, tag without '#'); '#15' alone is not one, nor one over 64 graphemes or 640 bytes."""
    tags = ((match, match.group(1).rstrip("_")) for match in _HASHTAG.finditer(text))
    return [
        (match.start(), match.start(1) + len(tag), tag)
        for match, tag in tags
        if any(c.isalpha() for c in tag) and grapheme_length(tag) <= 64 and len(tag.encode()) <= 640
    ]


def build_facets(text: str, dids: Dids) -> list[dict[str, Any]]:
    """``app.bsky.richtext.facet`` entries of a text, ranges in UTF-8 bytes, sorted. A mention is one only where
    ``dids`` maps its handle to a DID (not None). Links win over mentions and hashtags they overlap."""
    found: list[tuple[int, int, Json]] = []
    for start, end, kind, value in [  # in that order: the first of two that overlap wins
        *((start, end, "link", {"uri": uri}) for start, end, uri in find_links(text)),
        *((start, end, "mention", {"did": did}) for start, end, h in find_mentions(text) if (did := dids.get(h))),
        *((start, end, "tag", {"tag": tag}) for start, end, tag in find_hashtags(text)),
    ]:
        if not _overlaps(start, end, found):
            index = {"byteStart": len(text[:start].encode()), "byteEnd": len(text[:end].encode())}
            found.append((start, end, {"index": index, "features": [{"$type": f"{FACET}#{kind}", **value}]}))
    return [facet for _, _, facet in sorted(found, key=lambda span: span[0])]


def _overlaps(start: int, end: int, spans: list[tuple[Any, ...]]) -> bool:
    """Whether [start, end) overlaps one of ``spans`` (tuples that begin with a start and an end)."""
    return any(start < span[1] and span[0] < end for span in spans)


def _record(text: str, dids: Dids, images: list[Json], video: Json | None, refs: Refs, when: str, lang: str) -> Json:
    """The ``app.bsky.feed.post`` record of a part, as JSON: its facets, its reply to the thread's root
    and previous part (``refs``), its embed: the video, the images, else a card for its first link (titled the link)."""
    record: Json = {"$type": POST, "text": text, "createdAt": when, "langs": [lang]}
    if facets := build_facets(text, dids):
        record["facets"] = facets
    if refs:
        record["reply"] = {
            name: {"uri": uri, "cid": cid} for name, (uri, cid) in [("root", refs[0]), ("parent", refs[-1])]
        }
    if video:
        record["embed"] = video
    elif images:
        record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
    elif links := find_links(text):
        start, end, uri = links[0]
        card = {"uri": uri, "title": text[start:end], "description": ""}
        record["embed"] = {"$type": "app.bsky.embed.external", "external": card}
    return record


def record_key(key: str, index: int) -> str:
    """The record key (a TID) of part ``index`` of delivery ``key``, the same on every attempt. A TID is 64 bits (a
    zero, 53 bits of µs since the epoch, a 10-bit clock id) in base32-sortable; here the timestamp (within 2**44 µs
    after 2023-01-01) and the clock id both come from a SHA-256 of the delivery id and the index."""
    number = int.from_bytes(hashlib.sha256(f"hospipost/bluesky/{key}/{index}".encode()).digest()[:8], "big")
    timestamp = TID_EPOCH_US + (number >> 10) % (1 << 44)  # spread over 2**44 µs (about 203 days)
    value = (timestamp << 10) | (number & 0x3FF)
    return "".join(TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


def is_tid(value: str) -> bool:
    return bool(_TID.match(value))


def _split_uri(uri: str) -> tuple[str, str]:
    """(did, rkey) of the at:// URI of a record."""
    return uri.removeprefix("at://").partition("/")[0], uri.rpartition("/")[2]


def _ref(part_id: str) -> tuple[str, str | None]:
    """(uri, cid) of a published part's recorded id ``"<at:// uri> <cid>"`` (the cid may be missing)."""
    uri, _, cid = part_id.strip().partition(" ")
    if not uri.startswith("at://"):
        raise PermanentError(
            f"the recorded id of a published part ({part_id!r}) is not an at:// URI: `hospipost reconcile` this delivery"
        )
    return uri, cid.strip() or None


def _mentions(parts: list[str]) -> list[str]:
    return list(dict.fromkeys(mention for part in parts for _, _, mention in find_mentions(part)))


def _embedded(image: Image, blob: Any) -> dict[str, Any]:
    """An ``app.bsky.embed.images#image`` entry: the blob, the alt text, the size in pixels (upright)."""
    width, height = image_size(image.data)
    return {"alt": image.media.alt or "", "image": blob, "aspectRatio": {"width": width, "height": height}}


def _procedure(client: Client, name: str, data: bytes, content_type: str, *keys: str) -> dict[str, Any]:
    """An XRPC procedure's JSON answer; ValueError when it lacks one of ``keys``."""
    content = client.invoke_procedure(name, content=data, headers={"Content-Type": content_type}).content
    if not isinstance(content, dict) or not all(content.get(key) for key in keys):
        raise ValueError(f"{name} answered without {' and '.join(keys)}")
    return content


def _xrpc(error: BaseException) -> tuple[int | None, str, str]:
    """(HTTP status, error code, message) of an XRPC error answer; None and empty strings when there is none."""
    content = getattr(response := getattr(error, "response", None), "content", None)
    get = content.get if isinstance(content, dict) else partial(getattr, content)
    return getattr(response, "status_code", None), str(get("error", None) or ""), str(get("message", None) or "")


def _is_auth_failure(error: BaseException) -> bool:
    from atproto_client import exceptions

    refused = isinstance(error, exceptions.UnauthorizedError | exceptions.LoginRequiredError)
    return refused or (isinstance(error, exceptions.BadRequestError) and _xrpc(error)[1] in AUTH_ERRORS)


_LOGIN = threading.Lock()  # adapters publishing in parallel (one account per config) log in once, not each
