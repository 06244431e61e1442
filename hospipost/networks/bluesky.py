"""Bluesky through atproto, with a handle and an app password (the session is saved, mode 0600).

Records are built here: rich-text facets in UTF-8 byte offsets, images re-encoded under
1 000 000 bytes, link cards never fetched. Each part's record key derives from the delivery
id, so a failed createRecord is read back: a part is never published twice. More: NOTES.md."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from hospipost.media import image_type, jpeg_orientation, strip_metadata
from hospipost.networks.base import ConfigKey, Image, Limits, Network, Sent
from hospipost.networks.failures import Answer, Attempt, DeliveryError, PermanentError, Step, TransientError
from hospipost.textlength import grapheme_length

if TYPE_CHECKING:
    from atproto_client import Client

    from hospipost.networks.base import Part, Rendering
    from hospipost.posts import Media

log = logging.getLogger(__name__)

POST = "app.bsky.feed.post"
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

MAX_IMAGE_SIDE = 2000
MIN_IMAGE_SIDE = 320
JPEG_QUALITIES = (90, 85, 80, 75, 70, 60, 50)
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


@dataclass
class _Link:
    """One publish's client and what its records need: the DIDs of the mentioned handles (None: plain
    text), the embed entries of the uploaded images, the strong refs (uri, cid) of the parts online."""

    client: Client
    dids: dict[str, str | None] = field(default_factory=dict)
    images: list[dict[str, Any]] = field(default_factory=list)
    refs: list[tuple[str, str]] = field(default_factory=list)


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
    )
    config_keys = {
        "handle": ConfigKey(str, required=True, help="the account's handle, e.g. chu.example.org"),
        "app_password_env": ConfigKey(str, default="HOSPIPOST_BLUESKY_APP_PASSWORD"),
    }
    idempotent_publish = True
    idempotency_note = "a retry cannot publish it twice (same record key)"
    credential_keys = ("app_password_env",)

    def __init__(self, settings: Any, credentials: Any, cache_dir: Path | None = None) -> None:
        super().__init__(settings, credentials, cache_dir)
        self._relogged = False
        self._did: str | None = None
        self._session_handle: str | None = None
        self._scope: str | None = None

    @property
    def handle(self) -> str:
        return str(self.settings.options.get("handle") or "").strip().lstrip("@").lower()

    @property
    def password_env(self) -> str:
        return str(self.settings.options.get("app_password_env") or self.config_keys["app_password_env"].default)

    @property
    def session_path(self) -> Path | None:
        return Path(self.cache_dir) / SESSION_FILE if self.cache_dir is not None else None

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        """The requests publishing would make, in order, with the record keys of delivery ``key``: no
        credential read, no network. Placeholders: DIDs, blobs, each reply's refs, the creation time."""

        def step(method: str, name: str, **fields: Any) -> dict[str, Any]:
            return {"method": method, "url": f"{self.api_base}/xrpc/{name}", **fields}

        password = f"<app password from {self.password_env}>"
        note = "only when no saved session is valid; an app password, never the account's main password"
        login = {"identifier": self.handle, "password": password}
        steps = [step("POST", "com.atproto.server.createSession", json=login, note=note)]
        handles = _mentions(rendering.parts)
        note = "resolved at publish time; a handle that does not resolve stays plain text"
        steps += [step("GET", "com.atproto.identity.resolveHandle", params={"handle": h}, note=note) for h in handles]
        dids: dict[str, str | None] = {handle: f"<DID of @{handle}, resolved at publish time>" for handle in handles}
        images: list[dict[str, Any]] = []
        for number, item in enumerate(rendering.media, 1):
            steps.append(step("POST", "com.atproto.repo.uploadBlob", file=item.file, alt=item.alt or ""))
            images.append({"alt": item.alt or "", "image": f"<blob {number}: {item.file}>"})
            try:
                image = self._load_image(item, self.limits).prepared
            except PermanentError as error:
                steps[-1]["problem"] = str(error)
                continue
            steps[-1].update({"content_type": image.mime_type, "bytes": len(image.data)})
            if image.downscaled:
                steps[-1]["downscaled"] = (
                    f"from {image.original_bytes} bytes to {len(image.data)} bytes ({image.width}×{image.height} JPEG) to fit Bluesky's {self.limits.max_image_bytes} bytes"
                )
            images[-1]["aspectRatio"] = {"width": image.width, "height": image.height}
        for index, text in enumerate(rendering.parts):
            refs = [("<uri of part 1>", "<cid of part 1>"), (f"<uri of part {index}>", f"<cid of part {index}>")]
            when = "<time of publication>"
            record = _record(text, dids, [] if index else images, refs if index else [], when, rendering.language)
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

        from hospipost.networks.http import LOG_REDACTOR, USER_AGENT

        LOG_REDACTOR.guard(LIBRARY_LOGGERS)
        request = Request(timeout=self.timeout)
        request.add_additional_header("User-Agent", f"{USER_AGENT} {request.get_headers().get('User-Agent', '')}")
        client = Client(base_url=self.api_base, request=request)
        client.on_session_change(lambda event, session: self._session_changed(client, event, session))
        try:
            yield _Link(client)
        finally:
            request.close()

    def begin(self, connection: _Link, parts: list[str], done: list[str]) -> None:
        """Check the texts; log in; read back the cids the ledger lacks; resolve the mentions."""
        client, count = connection.client, len(done) + len(parts)
        for index, text in enumerate(parts, len(done)):
            self._check_text(text, "the post" if count == 1 else f"part {index + 1} of the thread")
        refs = [_ref(part_id) for part_id in done]
        self._log_in(client)
        if not self._did:
            raise TransientError(
                "Bluesky's session names no account (DID); nothing was published, hospipost will try again later"
            )
        for number, (uri, cid) in enumerate(refs, 1):
            attempt = Attempt(f"reading part {number} of the thread", Step.READ, len(done))
            connection.refs.append((uri, cid or self._cid_of(client, uri, attempt)))
        for handle in _mentions(parts):
            attempt = Attempt(f"resolving the mention @{handle}", Step.READ, len(done))
            connection.dids[handle] = self._resolve(client, handle, attempt)

    def upload_images(self, connection: _Link, images: list[Image]) -> list[str]:
        """``uploadBlob`` each image; its ``app.bsky.embed.images#image`` entry goes on the link."""
        for image in images:
            assert isinstance(image, _Upload)  # read by _load_image
            upload = _procedure(connection.client, "com.atproto.repo.uploadBlob", image.data, image.type, "blob")
            attempt = Attempt(f"uploading the image {image.media.file}", Step.UPLOAD)
            content = self._call(connection.client, upload, attempt)
            log.info("Bluesky: uploaded %s (%d bytes)", image.media.file, len(image.data))
            ratio = {"width": image.prepared.width, "height": image.prepared.height}
            connection.images.append({"alt": image.media.alt or "", "image": content["blob"], "aspectRatio": ratio})
        return [str(entry["image"]["ref"]) for entry in connection.images]

    def post_part(self, connection: _Link, part: Part) -> str:
        """``createRecord`` under the part's record key; when it fails, a record already there counts as published."""
        from atproto_client import exceptions

        client, rkey = connection.client, record_key(part.key, part.index)
        images = connection.images if part.media_ids else []
        record = _record(part.text, connection.dids, images, connection.refs, _now_iso(), part.language)
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
                if (found := self._find(client, rkey, quietly=True)) is None:
                    raise
            log.info("Bluesky: %s was already online under key %s (an earlier attempt created it)", part.doing, rkey)
            if found[2] is not None and found[2] != part.text:
                log.warning("Bluesky: the text online under key %s differs from the current one (edited since)", rkey)
            return found[0], found[1]

        uri, cid = self._call(client, create, Attempt(part.doing, Step.PUBLISH, part.index))
        log.info("Bluesky: %s done, %s", part.doing, uri)
        connection.refs.append((uri, cid))
        return f"{uri} {cid}"

    def sent(self, first: str) -> Sent:
        """The first part's at:// URI (its recorded id also holds its cid) and its address."""
        uri = _ref(first)[0]
        return Sent(uri, self.post_url(uri))

    def post_url(self, remote_id: str) -> str:
        did, _, rkey = _split_uri(remote_id.partition(" ")[0])
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

    def _load_image(self, item: Media, limits: Limits) -> _Upload:
        """The image as it will be uploaded: without its metadata, re-encoded when too heavy (``prepare_image``)."""
        try:
            data = Path(item.path).read_bytes()
        except OSError:
            raise PermanentError(
                f"cannot read the image {item.file}: check that the file exists, then publish again"
            ) from None
        prepared = prepare_image(data, item.file, limits.max_image_bytes)
        return _Upload(item, prepared.data, prepared.mime_type, prepared=prepared)

    def _check_text(self, text: str, which: str) -> None:
        length, size = grapheme_length(text), len(text.encode("utf-8"))
        if not text.strip():
            raise PermanentError(f"{which} is empty: write it, then publish again")
        if length > self.limits.max_length:
            raise PermanentError(
                f"{which} is {length} graphemes long and Bluesky accepts {self.limits.max_length}: shorten it, then publish again"
            )
        if self.limits.max_bytes and size > self.limits.max_bytes:
            raise PermanentError(
                f"{which} weighs {size} bytes and Bluesky accepts {self.limits.max_bytes}: shorten it, then publish again"
            )

    def _resolve(self, client: Client, handle: str, attempt: Attempt) -> str | None:
        """The DID of a mentioned handle; None (a warning) when it does not resolve: it stays plain text."""
        from atproto_client import exceptions

        def resolve() -> str | None:
            try:
                return str(client.com.atproto.identity.resolve_handle({"handle": handle}).did)
            except exceptions.BadRequestError as error:
                if _is_auth_failure(error):
                    raise
            log.warning("Bluesky: @%s does not resolve to an account; it stays plain text", handle)
            return None

        return self._call(client, resolve, attempt)

    def _find(
        self, client: Client, rkey: str, did: str | None = None, quietly: bool = False
    ) -> tuple[str, str, str | None] | None:
        """(uri, cid, text) of the post under ``rkey``, or None when there is none (or, ``quietly``, unreadable)."""
        from atproto_client import exceptions

        try:
            response = client.com.atproto.repo.get_record({"repo": did or self._did, "collection": POST, "rkey": rkey})
        except Exception as error:
            if isinstance(error, exceptions.BadRequestError) and _xrpc_error(error)[0] == "RecordNotFound":
                return None
            if not quietly:
                raise
            log.info("Bluesky: could not read back %s/%s after a failure (%s)", POST, rkey, type(error).__name__)
            return None
        text = getattr(response.value, "text", None)
        return str(response.uri), str(response.cid), text if isinstance(text, str) else None

    def _cid_of(self, client: Client, uri: str, attempt: Attempt) -> str:
        """The cid of a published part whose id was recorded without it."""
        did, _, rkey = _split_uri(uri)
        found = self._call(client, lambda: self._find(client, rkey, did), attempt)
        if found is None:
            raise PermanentError(
                f"the published part {uri} is no longer on Bluesky (deleted?): the thread cannot go on under it; check the account, then `hospipost reconcile`"
            )
        return str(found[1])

    # ------------------------------------------------------------------ session

    def _log_in(self, client: Client) -> None:
        """Resume the saved session, else ``createSession``; one login at a time per session file."""
        with _session_lock(self.session_path):
            saved = self._load_session()
            if saved is not None:
                try:
                    client.login(session_string=saved, fetch_bsky_profile=False)
                    log.debug("Bluesky: resumed the saved session of @%s", self.handle)
                    return
                except Exception as error:
                    log.warning("Bluesky: the saved session is unusable (%s); logging in again", type(error).__name__)
                    self._forget_session()
            self._login(client)

    def _login(self, client: Client) -> None:
        """``createSession`` with the handle and the app password; PermanentError when refused."""
        password = self.secret("app_password_env")  # CredentialsError names the variable
        self._remember_secret(password)
        if not self.handle:
            raise PermanentError(
                "networks.bluesky.handle is empty: set the account's handle (e.g. chu.example.org) in config.yaml"
            )
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
        """Keep requests on api_base, treat the new tokens as secrets, save new sessions."""
        from atproto_client import SessionEvent

        client.update_base_url(self.api_base)
        self._did, self._session_handle = session.did, session.handle
        text = session.export()
        self._remember_secret(text, session.access_jwt, session.refresh_jwt)
        try:
            self._scope = session.access_jwt_payload.scope
        except Exception:
            self._scope = None
        if event != SessionEvent.IMPORT and self._scope != MAIN_PASSWORD_SCOPE:
            self._save_session(text)

    def _remember_secret(self, *values: str) -> None:
        """Every redact() of the run, and the libraries' logs, strip these values from now on."""
        from hospipost.networks.http import LOG_REDACTOR

        secrets = [value for value in values if value]
        self.credentials.handed_out.update(secrets)
        LOG_REDACTOR.guard(LIBRARY_LOGGERS, secrets)

    def _load_session(self) -> str | None:
        """The saved session string, if it is this account's on this api_base and only its owner can read it."""
        path = self.session_path
        try:
            if path is None or not path.exists():
                return None
            if path.stat().st_mode & 0o077:
                log.warning("Bluesky: %s is readable by other users; it is ignored and replaced", path)
                path.unlink(missing_ok=True)
                return None
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("Bluesky: %s is unreadable; logging in again", path)
            return None
        if not isinstance(saved, dict) or (saved.get("handle"), saved.get("api_base")) != (self.handle, self.api_base):
            return None
        if not isinstance(text := saved.get("session"), str) or not text:
            return None
        self._remember_secret(text, *text.split(":::")[2:4])
        return text

    def _save_session(self, text: str) -> None:
        """Written atomically, readable by its owner only (created 0600: atomic_write keeps the mode)."""
        from hospipost.queuefile import atomic_write

        if (path := self.session_path) is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.touch(mode=0o600)
            path.chmod(0o600)
            atomic_write(path, json.dumps({"handle": self.handle, "api_base": self.api_base, "session": text}).encode())
        except OSError as error:
            log.warning(
                "Bluesky: could not save the session in %s (%s); logging in next time", path, error.strerror or error
            )

    def _forget_session(self) -> None:
        if self.session_path is not None:
            with contextlib.suppress(OSError):
                self.session_path.unlink(missing_ok=True)

    def _call(self, client: Client, call: Callable[[], Any], attempt: Attempt) -> Any:
        """``call()``, with one new login and a second try when the server refuses the session; its
        failures become delivery errors."""
        try:
            try:
                return call()
            except Exception as error:
                if self._relogged or not _is_auth_failure(error):
                    raise
            self._relogged = True
            log.info("Bluesky: the session was refused; logging in again with %s", self.password_env)
            with _session_lock(self.session_path):
                self._forget_session()
                self._login(client)
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
        if isinstance(error, exceptions.LoginRequiredError) or (
            answer and answer.status == 400 and code in AUTH_ERRORS
        ):
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
        reason = _short(self.redact(f"{code}: {message}" if code and message else message or code))
        return Answer(response.status_code, response.headers or {}, reason)

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

    links = []
    for start, url in extract_urls(text):
        uri = url if _SCHEME.match(url) else f"https://{url}"
        links.append((start, start + len(url), uri))
    return links


def find_mentions(text: str) -> list[tuple[int, int, str]]:
    """``@handle.domain`` mentions: (start of '@', end, lowercase handle); links excluded."""
    links = [(start, end) for start, end, _ in find_links(text)] if "." in text else []
    found = []
    for match in _MENTION.finditer(text):
        start, end = match.span()
        if _overlaps(start, end, links) or match.group(1).rsplit(".", 1)[-1].isdigit():
            continue
        found.append((start, end, match.group(1).lower()))
    return found


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


def build_facets(text: str, dids: dict[str, str | None]) -> list[dict[str, Any]]:
    """``app.bsky.richtext.facet`` entries of a text, ranges in UTF-8 bytes, sorted.

    ``dids`` maps mentioned handles to their DID; a handle missing or mapped to None stays
    plain text. Links win over mentions and hashtags they overlap.
    """
    spans: list[tuple[int, int, dict[str, Any]]] = []
    taken: list[tuple[int, int]] = []
    for start, end, uri in find_links(text):
        spans.append((start, end, {"$type": "app.bsky.richtext.facet#link", "uri": uri}))
        taken.append((start, end))
    for start, end, handle in find_mentions(text):
        did = dids.get(handle)
        if did and not _overlaps(start, end, taken):
            spans.append((start, end, {"$type": "app.bsky.richtext.facet#mention", "did": did}))
            taken.append((start, end))
    for start, end, tag in find_hashtags(text):
        if not _overlaps(start, end, taken):
            spans.append((start, end, {"$type": "app.bsky.richtext.facet#tag", "tag": tag}))
    spans.sort(key=lambda span: span[0])
    return [
        {"index": {"byteStart": _byte_offset(text, start), "byteEnd": _byte_offset(text, end)}, "features": [feature]}
        for start, end, feature in spans
    ]


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in spans)


# ---------------------------------------------------------------------- records


def _record(
    text: str,
    dids: dict[str, str | None],
    images: list[dict[str, Any]],
    refs: list[tuple[str, str]],
    created_at: str,
    language: str,
) -> dict[str, Any]:
    """The ``app.bsky.feed.post`` record of a part, as JSON: its facets, its reply to the thread's root
    and previous part (``refs``), its embed: the images, else a card for its first link (titled the link)."""
    record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": created_at, "langs": [language]}
    if facets := build_facets(text, dids):
        record["facets"] = facets
    if refs:
        (root, root_cid), (parent, parent_cid) = refs[0], refs[-1]
        record["reply"] = {"root": {"uri": root, "cid": root_cid}, "parent": {"uri": parent, "cid": parent_cid}}
    if images:
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


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _split_uri(uri: str) -> tuple[str, str, str]:
    """(did, collection, rkey) of an at:// URI."""
    did, _, rest = uri.removeprefix("at://").partition("/")
    collection, _, rkey = rest.partition("/")
    return did, collection, rkey


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


# ---------------------------------------------------------------------- images


@dataclass(frozen=True)
class PreparedImage:
    """What is uploaded for one image."""

    data: bytes
    mime_type: str
    width: int
    height: int
    original_bytes: int
    downscaled: bool


@dataclass(frozen=True, kw_only=True)
class _Upload(Image):
    """An image read for publishing, with what its dry run and embed say (size in pixels)."""

    prepared: PreparedImage


def prepare_image(data: bytes, name: str, limit: int) -> PreparedImage:
    """The image as it will be uploaded: unchanged when it fits ``limit`` bytes, else a JPEG that does.

    The JPEG is at most MAX_IMAGE_SIDE pixels a side; qualities go down, then sides shrink by
    a quarter, until it fits; below MIN_IMAGE_SIDE the image is refused. Transparency is
    flattened onto white; EXIF orientation is applied (and the metadata dropped).
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    media_type = image_type(data)
    if media_type not in Bluesky.limits.image_types:
        kind = media_type or "not a JPEG, PNG or WEBP image"
        raise PermanentError(
            f"Bluesky accepts JPEG, PNG or WEBP images and {name} is {kind}: convert it, then publish again"
        )
    try:
        with Image.open(io.BytesIO(data)) as opened:
            width, height = opened.size
            if opened.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # EXIF orientation: shown rotated a quarter turn
                width, height = height, width
            # Metadata (GPS position…) is dropped; a rotation stored in it is applied instead.
            if len(data) <= limit and jpeg_orientation(data) == 1:
                clean = strip_metadata(data)
                return PreparedImage(clean, media_type, width, height, len(data), False)
            image = ImageOps.exif_transpose(opened)
            image.load()
            if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
                rgba = image.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                image = flat
            elif image.mode != "RGB":
                image = image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise PermanentError(f"the image {name} cannot be decoded: replace the file, then publish again") from None
    sides = [min(MAX_IMAGE_SIDE, max(width, height))]
    while sides[-1] > MIN_IMAGE_SIDE:
        sides.append(max(MIN_IMAGE_SIDE, int(sides[-1] * 0.75)))
    for side in sides:
        scale = min(1.0, side / max(width, height))
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        scaled = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
        for quality in JPEG_QUALITIES:
            out = io.BytesIO()
            scaled.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
            if out.tell() <= limit:
                log.info(
                    "Bluesky: %s re-encoded to %d bytes (%d×%d, JPEG quality %d)", name, out.tell(), *size, quality
                )
                return PreparedImage(out.getvalue(), "image/jpeg", size[0], size[1], len(data), True)
    raise PermanentError(
        f"the image {name} weighs {len(data)} bytes and could not be brought under Bluesky's {limit} bytes: "
        "shrink it, then publish again"
    )


# ---------------------------------------------------------------------- helpers


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

    if isinstance(error, exceptions.UnauthorizedError | exceptions.LoginRequiredError):
        return True
    return isinstance(error, exceptions.BadRequestError) and _xrpc_error(error)[0] in AUTH_ERRORS


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split()).rstrip(". ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _session_lock(path: Path | None) -> threading.Lock:
    """One lock per session file: adapters publishing in parallel log in once, not each."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(str(path), threading.Lock())
