"""Bluesky through atproto, with a handle and an app password (the session is saved, mode 0600).

Records are built here: rich-text facets in UTF-8 byte offsets, link cards never fetched
(the base re-encodes images over 1 000 000 bytes). Each part's record key derives from the delivery
id, so a failed createRecord is read back: a part is never published twice. More: NOTES.md."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from hospipost.media import image_size
from hospipost.networks import bluesky_video
from hospipost.networks.base import ConfigKey, Image, Limits, Network, Sent, http_url_problem
from hospipost.networks.failures import Answer, Attempt, DeliveryError, PermanentError, Step, TransientError
from hospipost.networks.video import VideoLimits
from hospipost.textlength import grapheme_length

if TYPE_CHECKING:
    from atproto_client import Client

    from hospipost.networks.base import Part, Rendering
    from hospipost.networks.video import Video
    from hospipost.posts import Media

log = logging.getLogger(__name__)

Dids = dict[str, str | None]  # mentioned handles → their DID (None: plain text)
Refs = list[tuple[str, str]]  # strong refs (uri, cid) of the parts online

POST = "app.bsky.feed.post"
FACET = "app.bsky.richtext.facet"
WEB = "https://bsky.app"
SESSION_FILE = "bluesky-session"
APP_PASSWORDS = "Bluesky → Settings → Privacy and security → App passwords"
MAIN_PASSWORD_SCOPE = "com.atproto.access"
AUTH_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthRequired", "AuthenticationRequired", "AuthMissing"})
# Loggers on the request path (a filter only sees records logged on its own logger, not children).
LIBRARY_LOGGERS = tuple(
    "httpx httpcore.connection httpcore.http11 httpcore.http2 httpcore.proxy httpcore.socks atproto atproto_client"
    " atproto_core".split()
)

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_EPOCH_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z, in microseconds
TID_SPAN_BITS = 44  # timestamps spread over 2**44 µs (about 203 days) after TID_EPOCH_US

MAX_TAG_GRAPHEMES = 64

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
    """One publish's client and what its records need: the DIDs of the mentioned handles (None: plain
    text), the embed entries of the uploaded images, the blobs of the video and its captions, the strong refs
    (uri, cid) of the parts online."""

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

    @property
    def video_service(self) -> str:
        return str(self.settings.options.get("video_service") or self.config_keys["video_service"].default).rstrip("/")

    @property
    def session_path(self) -> Path | None:
        return Path(self.cache_dir) / SESSION_FILE if self.cache_dir is not None else None

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        """The requests publishing would make, in order, with the record keys of delivery ``key``: no
        credential read, no network. Placeholders: DIDs, blobs, each reply's refs, the creation time."""

        def step(method: str, name: str, **fields: Any) -> dict[str, Any]:
            return {"method": method, "url": f"{self.api_base}/xrpc/{name}", **fields}

        login = {"identifier": self.handle, "password": f"<app password from {self.password_env}>"}
        note = "only when no saved session is valid; an app password, never the account's main password"
        steps = [step("POST", "com.atproto.server.createSession", json=login, note=note)]
        handles = _mentions(rendering.parts)
        note = "resolved at publish time; a handle that does not resolve stays plain text"
        steps += [step("GET", "com.atproto.identity.resolveHandle", params={"handle": h}, note=note) for h in handles]
        dids: Dids = {handle: f"<DID of @{handle}, resolved at publish time>" for handle in handles}
        video_steps, video = bluesky_video.planned(self, rendering)  # the embed: None when the post has no video
        steps += video_steps
        images: list[dict[str, Any]] = []
        for number, item in enumerate(rendering.media if video is None else [], 1):
            steps.append(step("POST", "com.atproto.repo.uploadBlob", file=item.file, alt=item.alt or ""))
            images.append({"alt": item.alt or "", "image": f"<blob {number}: {item.file}>"})
            try:
                [image] = self.read_images([item])  # as publishing reads it: re-encoded when too heavy
            except PermanentError as error:
                steps[-1]["problem"] = str(error)
                continue
            images[-1] = _embedded(image, images[-1]["image"])
            steps[-1].update({"content_type": image.type, "bytes": len(image.data)})
            if image.original_bytes is not None:
                size = "×".join(str(side) for side in images[-1]["aspectRatio"].values())
                steps[-1]["downscaled"] = (
                    f"from {image.original_bytes} bytes to {len(image.data)} bytes ({size} JPEG) to fit Bluesky's"
                    f" {self.limits.max_image_bytes} bytes"
                )
        for index, text in enumerate(rendering.parts):
            refs = [("<uri of part 1>", "<cid of part 1>"), (f"<uri of part {index}>", f"<cid of part {index}>")]
            when = "<time of publication>"
            media = ([], None) if index else (images, video)
            record = _record(text, dids, *media, refs if index else [], when, rendering.language)
            rkey = record_key(key, index) if key else f"<TID derived from the delivery id and part {index + 1}>"
            create = {"repo": f"<DID of @{self.handle}>", "collection": POST, "rkey": rkey, "record": record}
            steps.append(step("POST", "com.atproto.repo.createRecord", json=create))
        return steps

    # ------------------------------------------------------------------ the publish template's steps

    @contextlib.contextmanager
    def connection(self) -> Iterator[_Link]:
        """An atproto client on api_base, not logged in yet (``begin`` logs in)."""
        from atproto_client import Client
        from atproto_client.request import Request

        from hospipost.networks.http import USER_AGENT

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
            if cid is None:  # recorded without it
                attempt = Attempt(f"reading part {number} of the thread", Step.READ, len(done))
                if (found := self._call(client, partial(self._find, client, uri), attempt)) is None:
                    raise PermanentError(
                        f"the published part {uri} is no longer on Bluesky (deleted?): the thread cannot go on under it; check the account, then `hospipost reconcile`"
                    )
                cid = found[1]
            connection.refs.append((uri, cid))
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
        upload = _procedure(client, "com.atproto.repo.uploadBlob", data, content_type, "blob")
        return self._call(client, upload, Attempt(f"uploading {what}", Step.UPLOAD))["blob"]

    def post_part(self, connection: _Link, part: Part) -> str:
        """``createRecord`` under the part's record key; when it fails, a record already there counts as published."""
        from atproto_client import exceptions

        client, rkey = connection.client, record_key(part.key, part.index)
        images = connection.images if part.media_ids else []
        video = (
            bluesky_video.embed(part.video.media, part.video, *connection.video, part.language) if part.video else None
        )
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        record = _record(part.text, connection.dids, images, video, connection.refs, now, part.language)
        body = json.dumps({"repo": self._did, "collection": POST, "rkey": rkey, "record": record}, ensure_ascii=False)
        request = _procedure(client, "com.atproto.repo.createRecord", body.encode(), "application/json", "uri", "cid")

        def create() -> tuple[str, str]:
            try:
                content = request()
                return str(content["uri"]), str(content["cid"])
            except Exception as error:
                if isinstance(error, exceptions.RateLimitExceededError) or _is_auth_failure(error):
                    raise
                # The request may have created the record (timeout, lost answer) or met the one an
                # earlier attempt created (the PDS refuses a second create under the same key).
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
        """``com.atproto.repo.deleteRecord`` of the part's record (the PDS answers a record already gone with a
        success; a RecordNotFound also counts as deleted). Logs in first, once per connection."""
        client, (did, rkey) = connection.client, _split_uri(_ref(part_id)[0])
        if getattr(client, "_session", None) is None:
            self._log_in(client)

        def delete() -> None:
            try:
                client.com.atproto.repo.delete_record({"repo": did, "collection": POST, "rkey": rkey})
            except Exception as error:
                if _xrpc_error(error)[0] != "RecordNotFound":
                    raise
                log.info("Bluesky: the record %s was already deleted", rkey)

        self._call(client, delete, Attempt(f"deleting the post at://{did}/{POST}/{rkey}", Step.DELETE))

    def sent(self, first: str) -> Sent:
        """The first part's at:// URI (its recorded id also holds its cid) and its address."""
        return super().sent(_ref(first)[0])

    def post_url(self, remote_id: str) -> str:
        did, rkey = _split_uri(remote_id.partition(" ")[0])
        who = self._session_handle or self.handle or did
        return f"{WEB}/profile/{quote(who, safe='.:-_')}/post/{quote(rkey, safe='')}"

    def verify(self) -> str:
        """Log in (or resume the saved session) and ask the server who we are: ``@handle (did)``."""
        with self.connection() as link:
            self._log_in(link.client)
            session = self._call(
                link.client, link.client.com.atproto.server.get_session, Attempt("checking the session", Step.READ)
            )
            return f"@{session.handle} ({session.did})"

    def _resolve(self, client: Client, handle: str) -> str | None:
        """The DID of a mentioned handle; None (a warning) when it does not resolve: it stays plain text."""
        from atproto_client import exceptions

        try:
            return str(client.com.atproto.identity.resolve_handle({"handle": handle}).did)
        except exceptions.BadRequestError as error:
            if _is_auth_failure(error):
                raise
        log.warning("Bluesky: @%s does not resolve to an account; it stays plain text", handle)
        return None

    def _find(self, client: Client, uri: str, quietly: bool = False) -> tuple[str, str, str | None] | None:
        """(uri, cid, text) of the post at ``uri``, or None when there is none (or, ``quietly``, unreadable)."""
        did, rkey = _split_uri(uri)
        try:
            response = client.com.atproto.repo.get_record({"repo": did, "collection": POST, "rkey": rkey})
        except Exception as error:
            if _xrpc_error(error)[0] == "RecordNotFound":
                return None
            if not quietly:
                raise
            log.info("Bluesky: could not read back %s after a failure (%s)", uri, type(error).__name__)
            return None
        text = getattr(response.value, "text", None)
        return str(response.uri), str(response.cid), text if isinstance(text, str) else None

    # ------------------------------------------------------------------ session

    def _log_in(self, client: Client, fresh: bool = False) -> None:
        """Resume the saved session (unless ``fresh``: the server refused it), else ``createSession`` with the
        handle and the app password; one login at a time per session file."""
        with _LOGIN:
            if (saved := None if fresh else self._load_session()) is not None:
                try:
                    client.login(session_string=saved, fetch_bsky_profile=False)
                    return
                except Exception as error:
                    log.warning("Bluesky: the saved session is unusable (%s); logging in again", type(error).__name__)
            if self.session_path is not None:  # unusable or refused: not tried again
                with contextlib.suppress(OSError):
                    self.session_path.unlink(missing_ok=True)
            password = self.secret("app_password_env")  # CredentialsError names the variable
            self._remember_secret(password)
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
        """Keep requests on api_base, treat the new tokens as secrets, save a new session (not one of the main
        password): atomically, readable by its owner only (created 0600: atomic_write keeps the mode)."""
        from atproto_client import SessionEvent

        from hospipost.queuefile import atomic_write

        client.update_base_url(self.api_base)
        self._did, self._session_handle, self._scope, text = session.did, session.handle, None, session.export()
        self._pds = getattr(session, "pds_endpoint", None)
        self._remember_secret(text, session.access_jwt, session.refresh_jwt)
        with contextlib.suppress(Exception):
            self._scope = session.access_jwt_payload.scope
        if (path := self.session_path) is None or event == SessionEvent.IMPORT or self._scope == MAIN_PASSWORD_SCOPE:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.touch(mode=0o600)
            path.chmod(0o600)
            atomic_write(path, json.dumps({"handle": self.handle, "api_base": self.api_base, "session": text}).encode())
        except OSError as error:
            log.warning("Bluesky: could not save the session in %s (%s)", path, error.strerror or error)

    def _remember_secret(self, *values: str) -> None:
        """Every redact() of the run, and the libraries' logs, strip these values from now on."""
        from hospipost.networks.http import LOG_REDACTOR

        secrets = [value for value in values if value]
        self.credentials.handed_out.update(secrets)
        LOG_REDACTOR.guard(LIBRARY_LOGGERS, secrets)

    def _load_session(self) -> str | None:
        """The saved session string, if it is this account's on this api_base and only its owner can read it."""
        if (path := self.session_path) is None or not path.exists():
            return None
        try:
            if path.stat().st_mode & 0o077:
                log.warning("Bluesky: %s is readable by other users; it is ignored and replaced", path)
                return None
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("Bluesky: %s is unreadable; logging in again", path)
            return None
        mine = isinstance(saved, dict) and (saved.get("handle"), saved.get("api_base")) == (self.handle, self.api_base)
        text = saved.get("session") if mine else None
        return text if isinstance(text, str) and text else None  # a secret once imported (_session_changed)

    def _call(self, client: Client, call: Callable[[], Any], attempt: Attempt) -> Any:
        """``call()``, with one new login and a second try when the server refuses the session; its failures
        become delivery errors."""
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

    # ------------------------------------------------------------------ failures: Bluesky's own codes

    def network_failure(self, error: BaseException, attempt: Attempt) -> DeliveryError | None:
        from atproto_client import exceptions

        answer, code = self.answer_of(error), _xrpc_error(error)[0]
        ref = f" ({answer.ref})" if answer else ""
        if code == "AuthFactorTokenRequired":
            return PermanentError(
                f"Bluesky asks for an e-mail code to log in as @{self.handle}: {self.password_env} holds the account's main password; create an app password ({APP_PASSWORDS}) and put it in that variable instead"
            )
        if _is_auth_failure(error) and not isinstance(error, exceptions.UnauthorizedError):  # 401: the shared rule
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
        response = getattr(error, "response", None)
        if response is None or not isinstance(response.status_code, int):
            return None
        code, message = _xrpc_error(error)
        said = " ".join(self.redact(f"{code}: {message}" if code and message else message or code).split()).rstrip(". ")
        return Answer(response.status_code, response.headers or {}, said if len(said) <= 300 else said[:299] + "…")

    def credentials_hint(self) -> str:
        return f"check networks.bluesky.handle and that {self.password_env} holds an app password of @{self.handle} ({APP_PASSWORDS}), never the account's main password, then publish again"

    def permissions_hint(self, attempt: Attempt) -> str:
        return f"check on Bluesky that @{self.handle} is active (not suspended or taken down) and that {self.password_env} holds one of its app passwords, then publish again"

    def redact(self, message: str) -> str:
        with contextlib.suppress(Exception):  # a resumed session never read the password, but a server may echo it
            self._remember_secret(self.secret("app_password_env"))
        return super().redact(message)


# ---------------------------------------------------------------------- rich text


def find_links(text: str) -> list[tuple[int, int, str]]:
    """Links as ``check`` finds them (twitter-text, with or without a scheme): (start, end, uri)."""
    from hospipost.twittertext import extract_urls

    return [
        (start, start + len(url), url if _SCHEME.match(url) else f"https://{url}") for start, url in extract_urls(text)
    ]


def find_mentions(text: str) -> list[tuple[int, int, str]]:
    """``@handle.domain`` mentions: (start of '@', end, lowercase handle); links excluded."""
    links = [(start, end) for start, end, _ in find_links(text)] if "." in text else []
    return [
        (match.start(), match.end(), match.group(1).lower())
        for match in _MENTION.finditer(text)
        if not _overlaps(*match.span(), links) and not match.group(1).rsplit(".", 1)[-1].isdigit()
    ]


def find_hashtags(text: str) -> list[tuple[int, int, str]]:
    """Hashtags: (start of '#', end, tag without '#'); '#15' alone is not one."""
    found = []
    for match in _HASHTAG.finditer(text):
        body = match.group(1).rstrip("_")
        if not any(char.isalpha() for char in body):
            continue
        if grapheme_length(body) > MAX_TAG_GRAPHEMES or len(body.encode("utf-8")) > 640:
            continue
        found.append((match.start(), match.start(1) + len(body), body))
    return found


def build_facets(text: str, dids: Dids) -> list[dict[str, Any]]:
    """``app.bsky.richtext.facet`` entries of a text, ranges in UTF-8 bytes, sorted.

    ``dids`` maps mentioned handles to their DID; a handle missing or mapped to None stays
    plain text. Links win over mentions and hashtags they overlap.
    """
    links = [(start, end, {"$type": f"{FACET}#link", "uri": uri}) for start, end, uri in find_links(text)]
    mentions = [
        (start, end, {"$type": f"{FACET}#mention", "did": did})
        for start, end, handle in find_mentions(text)
        if (did := dids.get(handle))
    ]
    tags = [(start, end, {"$type": f"{FACET}#tag", "tag": tag}) for start, end, tag in find_hashtags(text)]
    spans: list[tuple[int, int, dict[str, Any]]] = []
    for start, end, feature in [*links, *mentions, *tags]:  # in that order: the first of two that overlap wins
        if not _overlaps(start, end, spans):
            spans.append((start, end, feature))
    return [
        {"index": {"byteStart": len(text[:start].encode()), "byteEnd": len(text[:end].encode())}, "features": [feature]}
        for start, end, feature in sorted(spans, key=lambda span: span[0])
    ]


def _overlaps(start: int, end: int, spans: list[tuple[Any, ...]]) -> bool:
    """Whether [start, end) overlaps one of ``spans`` (tuples that begin with a start and an end)."""
    return any(start < span[1] and span[0] < end for span in spans)


# ---------------------------------------------------------------------- records


def _record(
    text: str, dids: Dids, images: list[dict[str, Any]], video: dict[str, Any] | None, refs: Refs, when: str, lang: str
) -> dict[str, Any]:
    """The ``app.bsky.feed.post`` record of a part, as JSON: its facets, its reply to the thread's root
    and previous part (``refs``), its embed: the video, the images, else a card for its first link (titled the link)."""
    record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": when, "langs": [lang]}
    if facets := build_facets(text, dids):
        record["facets"] = facets
    if refs:
        (root, root_cid), (parent, parent_cid) = refs[0], refs[-1]
        record["reply"] = {"root": {"uri": root, "cid": root_cid}, "parent": {"uri": parent, "cid": parent_cid}}
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
    """The record key (a TID) of part ``index`` of delivery ``key``: the same on every attempt.

    A TID is 64 bits: a zero bit, 53 bits of microseconds since the epoch, 10 bits of clock
    id, written in base32-sortable. Here both the timestamp (within 2**44 µs after
    2023-01-01) and the clock id come from a SHA-256 of the delivery id and the index.
    """
    import hashlib

    digest = hashlib.sha256(f"hospipost/bluesky/{key}/{index}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    timestamp = TID_EPOCH_US + (number >> 10) % (1 << TID_SPAN_BITS)
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


# ---------------------------------------------------------------------- helpers


def _embedded(image: Image, blob: Any) -> dict[str, Any]:
    """An ``app.bsky.embed.images#image`` entry: the blob, the alt text, the size in pixels (upright)."""
    width, height = image_size(image.data)
    return {"alt": image.media.alt or "", "image": blob, "aspectRatio": {"width": width, "height": height}}


def _procedure(client: Client, name: str, data: bytes, content_type: str, *keys: str) -> Callable[[], dict[str, Any]]:
    """An XRPC procedure call, to make: its JSON answer, ValueError when it lacks one of ``keys``."""

    def call() -> dict[str, Any]:
        content = client.invoke_procedure(name, content=data, headers={"Content-Type": content_type}).content
        if not isinstance(content, dict) or not all(content.get(key) for key in keys):
            raise ValueError(f"{name} answered without {' and '.join(keys)}")
        return content

    return call


def _xrpc_error(error: BaseException) -> tuple[str, str]:
    """(error code, message) of an XRPC error answer, empty strings when there is none."""
    content = getattr(getattr(error, "response", None), "content", None)
    if isinstance(content, dict):
        return str(content.get("error") or ""), str(content.get("message") or "")
    return str(getattr(content, "error", None) or ""), str(getattr(content, "message", None) or "")


def _is_auth_failure(error: BaseException) -> bool:
    from atproto_client import exceptions

    refused = isinstance(error, exceptions.UnauthorizedError | exceptions.LoginRequiredError)
    return refused or (isinstance(error, exceptions.BadRequestError) and _xrpc_error(error)[0] in AUTH_ERRORS)


_LOGIN = threading.Lock()  # adapters publishing in parallel (one account per config) log in once, not each
