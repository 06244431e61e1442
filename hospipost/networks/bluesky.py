"""Bluesky through atproto, with a handle and an app password (the session is cached, 0600).

Records are built here (facets in UTF-8 byte offsets, images re-encoded under 1 000 000 bytes,
link cards never fetched). Each part's record key is derived from the delivery id, so a failed
createRecord is read back instead of being unknown: a part is never published twice. More: NOTES.md."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from hospipost import __version__
from hospipost.media import image_type, jpeg_orientation, strip_metadata
from hospipost.networks.base import (
    ConfigKey,
    DeliveryError,
    Limits,
    Network,
    PartSent,
    PermanentError,
    Rendering,
    Sent,
    TransientError,
    reset_header,
)
from hospipost.textlength import grapheme_length

if TYPE_CHECKING:
    from atproto_client import Client

    from hospipost.posts import Media

log = logging.getLogger(__name__)

POST = "app.bsky.feed.post"
WEB = "https://bsky.app"
SESSION_FILE = "bluesky-session"
USER_AGENT = f"hospipost/{__version__}"
MAIN_PASSWORD_SCOPE = "com.atproto.access"
AUTH_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthRequired", "AuthenticationRequired", "AuthMissing"})
# Loggers on the request path (a filter only sees records logged on its own logger, not children).
LIBRARY_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "atproto",
    "atproto_client",
    "atproto_core",
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

    def __init__(self, settings: Any, credentials: Any, cache_dir: Path | None = None) -> None:
        super().__init__(settings, credentials, cache_dir)
        self._secrets: set[str] = set()
        self._relogged = False
        self._did: str | None = None
        self._session_handle: str | None = None
        self._scope: str | None = None

    # ------------------------------------------------------------------ settings

    @property
    def handle(self) -> str:
        return str(self.settings.options.get("handle") or "").strip().lstrip("@").lower()

    @property
    def password_env(self) -> str:
        return str(self.settings.options.get("app_password_env") or self.config_keys["app_password_env"].default)

    @property
    def session_path(self) -> Path | None:
        return Path(self.cache_dir) / SESSION_FILE if self.cache_dir is not None else None

    # ------------------------------------------------------------------ dry run

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        """The requests publishing would make, in order: no credential read, no network.

        With the delivery id ``key``, each record key is the one publishing will use. Values
        only known at publish time are placeholders: the account's DID, mentioned accounts'
        DIDs, blob references, the parent and root of each reply, the creation time.
        """
        xrpc = f"{self.api_base}/xrpc"
        steps: list[dict[str, Any]] = [
            {
                "method": "POST",
                "url": f"{xrpc}/com.atproto.server.createSession",
                "json": {"identifier": self.handle, "password": f"<app password from {self.password_env}>"},
                "note": "only when no saved session is valid; an app password, never the account's main password",
            }
        ]
        handles = _unique(mention for part in rendering.parts for _, _, mention in find_mentions(part))
        for mention in handles:
            steps.append(
                {
                    "method": "GET",
                    "url": f"{xrpc}/com.atproto.identity.resolveHandle",
                    "params": {"handle": mention},
                    "note": "resolved at publish time; a handle that does not resolve stays plain text",
                }
            )
        images: list[dict[str, Any]] = []
        for number, item in enumerate(rendering.media, 1):
            blob = f"<blob {number}: {item.file}>"
            step: dict[str, Any] = {
                "method": "POST",
                "url": f"{xrpc}/com.atproto.repo.uploadBlob",
                "file": item.file,
                "alt": item.alt or "",
            }
            try:
                prepared = prepare_image(_read_file(item), item.file, self.limits.max_image_bytes)
            except PermanentError as error:
                step["problem"] = str(error)
                ratio = None
            else:
                step.update({"content_type": prepared.mime_type, "bytes": len(prepared.data)})
                if prepared.downscaled:
                    step["downscaled"] = (
                        f"from {prepared.original_bytes} bytes to {len(prepared.data)} bytes "
                        f"({prepared.width}×{prepared.height} JPEG) to fit Bluesky's {self.limits.max_image_bytes} bytes"
                    )
                ratio = {"width": prepared.width, "height": prepared.height}
            steps.append(step)
            image: dict[str, Any] = {"alt": item.alt or "", "image": blob}
            if ratio:
                image["aspectRatio"] = ratio
            images.append(image)
        for index, text in enumerate(rendering.parts):
            facets = build_facets(text, {h: f"<DID of @{h}, resolved at publish time>" for h in handles})
            embed = _images_embed(images) if index == 0 and images else _external_embed(text)
            reply = None
            if index > 0:
                reply = {
                    "root": {"uri": "<uri of part 1>", "cid": "<cid of part 1>"},
                    "parent": {"uri": f"<uri of part {index}>", "cid": f"<cid of part {index}>"},
                }
            record = post_record(text, "<time of publication>", facets, embed, reply, rendering.language)
            steps.append(
                {
                    "method": "POST",
                    "url": f"{xrpc}/com.atproto.repo.createRecord",
                    "json": {
                        "repo": f"<DID of @{self.handle}>",
                        "collection": POST,
                        "rkey": record_key(key, index)
                        if key
                        else f"<TID derived from the delivery id and part {index + 1}>",
                        "record": record,
                    },
                }
            )
        return steps

    # ------------------------------------------------------------------ publish

    def publish(
        self, rendering: Rendering, key: str, done: list[str], part_sent: PartSent, part_staged: PartSent | None = None
    ) -> Sent:
        """Create the records of the parts not in ``done``, each under a key derived from ``key``."""
        parts = rendering.parts
        refs = [self._parse_part_id(part_id) for part_id in done]
        if done and len(done) >= len(parts) and all(cid for _, cid in refs):
            return Sent(refs[0][0], self._post_url(refs[0][0]))
        self._check_texts(parts, start=len(done))
        media = rendering.media if not done else []  # images go with the first part only
        if len(media) > self.limits.max_images:
            raise PermanentError(
                f"Bluesky accepts at most {self.limits.max_images} images per post and this one has {len(media)}: "
                "remove some, then publish again"
            )
        images = [(item, prepare_image(_read_file(item), item.file, self.limits.max_image_bytes)) for item in media]
        client = self._client()
        try:
            did = self._did
            if not did:
                raise TransientError(
                    "Bluesky's session names no account (DID); nothing was published, hospipost will try again later"
                )
            refs = [
                (uri, cid or self._cid_of(client, uri, f"reading part {number} of the thread", online=len(done)))
                for number, (uri, cid) in enumerate(refs, 1)
            ]
            dids = self._resolve_mentions(client, parts[len(done) :], online=len(done))
            embedded = [self._upload(client, item, image) for item, image in images]
            for index in range(len(done), len(parts)):
                doing = (
                    "publishing the post"
                    if len(parts) == 1
                    else f"publishing part {index + 1} of {len(parts)} of the thread"
                )
                text = parts[index]
                embed = _images_embed(embedded) if index == 0 and embedded else _external_embed(text)
                reply = None
                if index > 0:
                    root, parent = refs[0], refs[index - 1]
                    reply = {"root": {"uri": root[0], "cid": root[1]}, "parent": {"uri": parent[0], "cid": parent[1]}}
                record = post_record(text, _now_iso(), build_facets(text, dids), embed, reply, rendering.language)
                uri, cid = self._create(client, did, record_key(key, index), record, doing, online=index)
                log.info("Bluesky: %s done, %s", doing, uri)
                part_sent(index, f"{uri} {cid}")
                refs.append((uri, cid))
            return Sent(refs[0][0], self._post_url(refs[0][0]))
        finally:
            client.request.close()

    def verify(self) -> str:
        """Log in (or resume the saved session) and ask the server who we are: ``@handle (did)``."""
        client = self._client()
        try:
            session = self._call(client, "checking the session", lambda: client.com.atproto.server.get_session())
            return f"@{session.handle} ({session.did})"
        finally:
            client.request.close()

    # ------------------------------------------------------------------ session

    def _client(self) -> Client:
        """An atproto client logged in as the configured handle, from the saved session if possible."""
        from atproto_client import Client
        from atproto_client.request import Request

        _LOG_REDACTOR.install()
        request = Request(timeout=self.timeout)
        request.add_additional_header(
            "User-Agent", f"{USER_AGENT} {request.get_headers().get('User-Agent', '')}".strip()
        )
        client = Client(base_url=self.api_base, request=request)
        client.on_session_change(lambda event, session: self._session_changed(client, event, session))
        try:
            with _session_lock(self.session_path):
                saved = self._load_session()
                if saved is not None:
                    try:
                        client.login(session_string=saved, fetch_bsky_profile=False)
                        log.debug("Bluesky: resumed the saved session of @%s", self.handle)
                        return client
                    except Exception as error:
                        log.warning(
                            "Bluesky: the saved session could not be used (%s); logging in again", type(error).__name__
                        )
                        self._forget_session()
                self._login(client)
        except BaseException:
            request.close()
            raise
        return client

    def _login(self, client: Client) -> None:
        """``createSession`` with the handle and the app password; PermanentError when refused."""
        from atproto_client import exceptions

        password = self.secret("app_password_env")  # CredentialsError names the variable
        self._remember_secret(password)
        if not self.handle:
            raise PermanentError(
                "networks.bluesky.handle is empty: set the account's handle (e.g. chu.example.org) in config.yaml"
            )
        try:
            client.login(self.handle, password, fetch_bsky_profile=False)
        except (exceptions.UnauthorizedError, exceptions.BadRequestError) as error:
            code, message = _xrpc_error(error)
            if code == "AuthFactorTokenRequired":
                raise PermanentError(
                    self._clean(
                        f"Bluesky asks for an e-mail code to log in as @{self.handle}: {self.password_env} holds the account's "
                        "main password; create an app password (Bluesky → Settings → Privacy and security → App passwords) "
                        "and put it in that variable instead"
                    )
                ) from None
            if isinstance(error, exceptions.UnauthorizedError) or code in ("AuthenticationRequired", "InvalidPassword"):
                raise PermanentError(
                    self._clean(
                        f"Bluesky refused to log in as @{self.handle} ({self._reason(message) or code or 'no reason given'}): check "
                        f"networks.bluesky.handle and {self.password_env}, which must hold an app password (Bluesky → Settings → "
                        "Privacy and security → App passwords), never the account's main password"
                    )
                ) from None
            raise self._outcome(error, f"logging in as @{self.handle}") from None
        except Exception as error:
            raise self._outcome(error, f"logging in as @{self.handle}") from None
        if self._scope == MAIN_PASSWORD_SCOPE:
            raise PermanentError(
                f"{self.password_env} holds the main password of @{self.handle}: hospipost only logs in with an app password "
                "(Bluesky → Settings → Privacy and security → App passwords), which can be revoked on its own; "
                "create one, put it in that variable, then publish again"
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
        for value in values:
            if value:
                self._secrets.add(value)
                handed_out = getattr(self.credentials, "handed_out", None)
                if handed_out is not None:
                    handed_out.add(value)  # so that every redact() of the run strips it too
                _LOG_REDACTOR.add(value)

    def _load_session(self) -> str | None:
        path = self.session_path
        if path is None:
            return None
        try:
            if path.stat().st_mode & 0o077:
                log.warning("Bluesky: %s is readable by other users; it is ignored and replaced", path)
                path.unlink(missing_ok=True)
                return None
            saved = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            log.warning("Bluesky: %s is unreadable; logging in again", path)
            return None
        if not isinstance(saved, dict) or saved.get("handle") != self.handle or saved.get("api_base") != self.api_base:
            return None
        text = saved.get("session")
        if not isinstance(text, str) or not text:
            return None
        self._remember_secret(text, *text.split(":::")[2:4])
        return text

    def _save_session(self, text: str) -> None:
        path = self.session_path
        if path is None:
            return
        try:
            _write_private(path, json.dumps({"handle": self.handle, "api_base": self.api_base, "session": text}))
        except OSError as error:
            log.warning(
                "Bluesky: could not save the session in %s (%s); the next run will log in again",
                path,
                error.strerror or type(error).__name__,
            )

    def _forget_session(self) -> None:
        path = self.session_path
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)

    def _call(self, client: Client, doing: str, call: Any, online: int = 0) -> Any:
        """Run an SDK call, logging in again once if the session is refused; errors mapped."""
        try:
            return self._with_login(client, call)
        except DeliveryError:
            raise
        except Exception as error:
            raise self._outcome(error, doing, online) from None

    def _with_login(self, client: Client, call: Any) -> Any:
        """``call()``; when the server refuses the session, one new login and a second try."""
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

    # ------------------------------------------------------------------ steps

    def _check_texts(self, parts: list[str], start: int) -> None:
        for index in range(start, len(parts)):
            text = parts[index]
            which = "the post" if len(parts) == 1 else f"part {index + 1} of the thread"
            if not text.strip():
                raise PermanentError(f"{which} is empty: write it, then publish again")
            length = grapheme_length(text)
            if length > self.limits.max_length:
                raise PermanentError(
                    f"{which} is {length} graphemes long and Bluesky accepts {self.limits.max_length}: shorten it, then publish again"
                )
            size = len(text.encode("utf-8"))
            if self.limits.max_bytes and size > self.limits.max_bytes:
                raise PermanentError(
                    f"{which} weighs {size} bytes and Bluesky accepts {self.limits.max_bytes}: shorten it, then publish again"
                )

    def _resolve_mentions(self, client: Client, parts: list[str], online: int) -> dict[str, str | None]:
        """The DID of every mentioned handle (None: it does not resolve and stays plain text)."""
        from atproto_client import exceptions

        dids: dict[str, str | None] = {}
        for handle in _unique(mention for part in parts for _, _, mention in find_mentions(part)):

            def resolve(handle: str = handle) -> str:
                return client.com.atproto.identity.resolve_handle({"handle": handle}).did

            try:
                dids[handle] = self._with_login(client, resolve)
            except exceptions.BadRequestError as error:
                if _xrpc_error(error)[0] in AUTH_ERRORS:
                    raise self._outcome(error, f"resolving @{handle}", online) from None
                log.warning("Bluesky: @%s does not resolve to an account; it stays plain text", handle)
                dids[handle] = None
            except DeliveryError:
                raise
            except Exception as error:
                raise self._outcome(error, f"resolving the mention @{handle}", online) from None
        return dids

    def _upload(self, client: Client, item: Media, image: PreparedImage) -> dict[str, Any]:
        """``uploadBlob``; the ``app.bsky.embed.images#image`` entry of the uploaded image."""

        def upload() -> Any:
            return client.invoke_procedure(
                "com.atproto.repo.uploadBlob", content=image.data, headers={"Content-Type": image.mime_type}
            )

        doing = f"uploading the image {item.file}"
        content = self._call(client, doing, upload).content
        blob = content.get("blob") if isinstance(content, dict) else None
        if not isinstance(blob, dict) or not blob.get("ref"):
            raise TransientError(
                f"Bluesky answered {doing} without a blob reference; nothing was published, hospipost will try again later"
            )
        log.info(
            "Bluesky: uploaded %s (%d bytes%s)", item.file, len(image.data), ", downscaled" if image.downscaled else ""
        )
        return {"alt": item.alt or "", "image": blob, "aspectRatio": {"width": image.width, "height": image.height}}

    def _create(
        self, client: Client, did: str, rkey: str, record: dict[str, Any], doing: str, online: int
    ) -> tuple[str, str]:
        """``createRecord`` under ``rkey``; when it fails, a record already there counts as published."""
        from atproto_client import exceptions

        body = json.dumps(
            {"repo": did, "collection": POST, "rkey": rkey, "record": record}, ensure_ascii=False
        ).encode()

        def create() -> Any:
            return client.invoke_procedure(
                "com.atproto.repo.createRecord", content=body, headers={"Content-Type": "application/json"}
            )

        try:
            content = self._with_login(client, create).content
            if not isinstance(content, dict) or not content.get("uri") or not content.get("cid"):
                raise ValueError("createRecord answered without uri and cid")
            return str(content["uri"]), str(content["cid"])
        except DeliveryError:
            raise
        except Exception as error:
            if isinstance(error, exceptions.RateLimitExceededError) or _is_auth_failure(error):
                raise self._outcome(error, doing, online) from None
            first = error
        # The request may have created the record (timeout, lost answer) or met the record an
        # earlier attempt created (the PDS refuses a second create under the same key).
        try:
            found = self._find(client, did, rkey)
        except Exception as error:
            log.info("Bluesky: could not read back %s/%s after a failure (%s)", POST, rkey, type(error).__name__)
            found = None
        if found is not None:
            log.info("Bluesky: %s was already online under key %s (an earlier attempt created it)", doing, rkey)
            if found[2] is not None and found[2] != record["text"]:
                log.warning(
                    "Bluesky: the text online under key %s differs from the current one (edited after an earlier attempt)",
                    rkey,
                )
            return found[0], found[1]
        raise self._outcome(first, doing, online, created=True) from None

    def _find(self, client: Client, did: str, rkey: str) -> tuple[str, str, str | None] | None:
        """(uri, cid, text) of the post under ``rkey``, or None when there is none."""
        from atproto_client import exceptions

        try:
            response = client.com.atproto.repo.get_record({"repo": did, "collection": POST, "rkey": rkey})
        except exceptions.BadRequestError as error:
            if _xrpc_error(error)[0] == "RecordNotFound":
                return None
            raise
        text = getattr(response.value, "text", None)
        return str(response.uri), str(response.cid), text if isinstance(text, str) else None

    def _cid_of(self, client: Client, uri: str, doing: str, online: int) -> str:
        """The cid of a published part whose id was recorded without it."""
        did, _, rkey = _split_uri(uri)
        found = self._call(client, doing, lambda: self._find(client, did, rkey), online)
        if found is None:
            raise PermanentError(
                f"the published part {uri} is no longer on Bluesky (deleted?): the thread cannot go on under it; "
                "check the account, then `hospipost reconcile`"
            )
        return found[1]

    def _parse_part_id(self, part_id: str) -> tuple[str, str | None]:
        uri, _, cid = part_id.strip().partition(" ")
        if not uri.startswith("at://"):
            raise PermanentError(
                f"the recorded id of a published part ({part_id!r}) is not an at:// URI: `hospipost reconcile` this delivery"
            )
        return uri, cid.strip() or None

    def _post_url(self, uri: str) -> str:
        did, _, rkey = _split_uri(uri)
        who = self._session_handle or self.handle or did
        return f"{WEB}/profile/{quote(who, safe='.:-_')}/post/{quote(rkey, safe='')}"

    # ------------------------------------------------------------------ error mapping

    def _clean(self, message: str) -> str:
        """The message without the app password, the session string or its tokens."""
        from hospipost.credentials import redact

        secrets = self._secrets | set(getattr(self.credentials, "handed_out", ()))
        with contextlib.suppress(Exception):  # a resumed session never read the password, but a server may echo it
            secrets.add(self.secret("app_password_env"))
        return redact(message, secrets)

    def _reason(self, text: str) -> str:
        """A server's explanation, secrets stripped before it is shortened (never half a token)."""
        return _short(self._clean(text))

    def _outcome(self, error: Exception, doing: str, online: int = 0, created: bool = False) -> DeliveryError:
        """The delivery error for a failure while ``doing``, free of secrets.

        ``online``: parts of the thread already published; ``created``: the failed request was
        a ``createRecord`` under a deterministic key, checked absent afterwards.
        """
        mapped = self._map(error, doing, online, created)
        message = self._clean(" ".join(str(mapped).split()))
        if isinstance(mapped, TransientError):
            return TransientError(message, mapped.retry_at)
        return type(mapped)(message)

    def _map(self, error: Exception, doing: str, online: int, created: bool) -> DeliveryError:
        import httpx
        from atproto_client import exceptions

        already = (
            f"; the first {online} part{'s' if online > 1 else ''} of the thread {'are' if online > 1 else 'is'} already online"
            if online
            else ""
        )
        retry = (" with the same record key, so it cannot be published twice" if created else "") + f"{already}"
        if isinstance(error, exceptions.RateLimitExceededError):
            headers = error.response.headers if error.response is not None else {}
            retry_at = (
                reset_header(headers.get("ratelimit-reset"), epoch=True)  # error.reset_at overflows
                or reset_header(headers.get("retry-after"))
            )
            when = f" after {retry_at:%H:%M} UTC" if retry_at else " later"
            return TransientError(
                f"Bluesky's rate limit was reached while {doing}; nothing more was published, hospipost will try again{when}{already}",
                retry_at,
            )
        if _is_auth_failure(error) or isinstance(error, exceptions.LoginRequiredError):
            code, message = _xrpc_error(error)
            reason = self._reason(message) or code or "session refused"
            return PermanentError(
                f"Bluesky refused the session while {doing} ({reason}), even after a new login: check that {self.password_env} "
                f"holds a valid app password of @{self.handle} (Bluesky → Settings → Privacy and security → App passwords), "
                f"never the account's main password, then publish again{already}"
            )
        if isinstance(error, exceptions.InvokeTimeoutError):
            if _never_left(error):
                return TransientError(
                    f"could not connect to Bluesky at {self.api_base} in time while {doing}; nothing more was published, hospipost will try again later{already}"
                )
            return TransientError(
                f"Bluesky did not answer within {self.timeout:g} s while {doing}; hospipost will try again later{retry}"
            )
        if isinstance(error, exceptions.RequestErrorBase) and error.response is not None:
            status = error.response.status_code
            code, message = _xrpc_error(error)
            reason = self._reason(f"{code}: {message}" if code and message else message or code or f"HTTP {status}")
            if isinstance(error, exceptions.BadRequestError):
                return PermanentError(
                    f"Bluesky rejected {doing} (400 {reason}); nothing more was published: fix the post, then publish again{already}"
                )
            if status == 413:
                return PermanentError(
                    f"Bluesky refused {doing} as too large (413 {reason}); nothing more was published: shrink it, then publish again{already}"
                )
            if status >= 500 or status in (408, 409, 425):
                return TransientError(
                    f"Bluesky had a server error ({status} {reason}) while {doing}; hospipost will try again later{retry}"
                )
            if status == 404:
                return PermanentError(
                    f"Bluesky answered 404 while {doing}: check networks.bluesky.api_base ({self.api_base}){already}"
                )
            return PermanentError(
                f"Bluesky refused {doing} ({status} {reason}); nothing more was published: fix the post or the account, then publish again{already}"
            )
        if isinstance(error, (exceptions.NetworkError, httpx.TransportError)):  # atproto lets some httpx errors through
            if _never_left(error):
                return TransientError(
                    f"could not reach Bluesky at {self.api_base} while {doing} ({_failure(error)}); nothing more was published, hospipost will try again later{already}"
                )
            return TransientError(
                f"the connection to Bluesky failed while {doing} ({_failure(error)}); hospipost will try again later{retry}"
            )
        if isinstance(error, (ValueError, KeyError, TypeError, AttributeError)):
            return TransientError(
                f"Bluesky answered {doing} with an unreadable body; hospipost will try again later{retry}"
            )
        raise error


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


def post_record(
    text: str,
    created_at: str,
    facets: list[dict[str, Any]],
    embed: dict[str, Any] | None,
    reply: dict[str, Any] | None,
    language: str,
) -> dict[str, Any]:
    """The ``app.bsky.feed.post`` record, as JSON (``langs``: the BCP 47 tag of the text)."""
    record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": created_at, "langs": [language]}
    if facets:
        record["facets"] = facets
    if reply:
        record["reply"] = reply
    if embed:
        record["embed"] = embed
    return record


def _images_embed(images: list[dict[str, Any]]) -> dict[str, Any]:
    return {"$type": "app.bsky.embed.images", "images": images}


def _external_embed(text: str) -> dict[str, Any] | None:
    """A link card for the first link: the link itself as title, nothing fetched."""
    links = find_links(text)
    if not links:
        return None
    start, end, uri = links[0]
    return {"$type": "app.bsky.embed.external", "external": {"uri": uri, "title": text[start:end], "description": ""}}


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


_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def is_tid(value: str) -> bool:
    return bool(_TID.match(value))


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _split_uri(uri: str) -> tuple[str, str, str]:
    """(did, collection, rkey) of an at:// URI."""
    body = uri[len("at://") :] if uri.startswith("at://") else uri
    did, _, rest = body.partition("/")
    collection, _, rkey = rest.partition("/")
    return did, collection, rkey


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(items))


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


def _read_file(item: Media) -> bytes:
    try:
        return Path(item.path).read_bytes()
    except OSError:
        raise PermanentError(
            f"cannot read the image {item.file}: check that the file exists, then publish again"
        ) from None


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
                    "Bluesky: %s re-encoded from %d to %d bytes (%d×%d, JPEG quality %d)",
                    name,
                    len(data),
                    out.tell(),
                    size[0],
                    size[1],
                    quality,
                )
                return PreparedImage(out.getvalue(), "image/jpeg", size[0], size[1], len(data), True)
    raise PermanentError(
        f"the image {name} weighs {len(data)} bytes and could not be brought under Bluesky's {limit} bytes: "
        "shrink it, then publish again"
    )


# ---------------------------------------------------------------------- helpers


def _xrpc_error(error: BaseException) -> tuple[str, str]:
    """(error code, message) of an XRPC error answer, empty strings when there is none."""
    response = getattr(error, "response", None)
    content = getattr(response, "content", None)
    code = getattr(content, "error", None)
    message = getattr(content, "message", None)
    if isinstance(content, dict):
        code, message = content.get("error"), content.get("message")
    return str(code or ""), str(message or "")


def _is_auth_failure(error: BaseException) -> bool:
    from atproto_client import exceptions

    if isinstance(error, (exceptions.UnauthorizedError, exceptions.LoginRequiredError)):
        return True
    return isinstance(error, exceptions.BadRequestError) and _xrpc_error(error)[0] in AUTH_ERRORS


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _never_left(error: BaseException) -> bool:
    """Whether the request failed before it could reach the server (connection not made)."""
    import httpx

    return any(
        isinstance(item, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol))
        for item in _chain(error)
    )


def _failure(error: BaseException) -> str:
    """A short, secret-free name for a transport failure."""
    import httpx

    names = {
        httpx.ConnectError: "connection refused or host not found",
        httpx.ConnectTimeout: "connection timed out",
        httpx.ReadTimeout: "read timeout",
        httpx.WriteTimeout: "write timeout",
        httpx.RemoteProtocolError: "connection closed by the server",
        httpx.ReadError: "connection broken",
        httpx.WriteError: "connection broken",
    }
    for item in _chain(error):
        for kind, name in names.items():
            if isinstance(item, kind):
                return name
    return type(error).__name__


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split()).rstrip(". ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _session_lock(path: Path | None) -> threading.Lock:
    """One lock per session file: adapters publishing in parallel log in once, not each."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(str(path), threading.Lock())


def _write_private(path: Path, text: str) -> None:
    """Write a file readable by its owner only, atomically (never a half-written session)."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class _Redactor(logging.Filter):
    """Replaces session tokens and the app password in the records of the HTTP libraries' loggers."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        self.installed = False
        self._lock = threading.Lock()

    def install(self) -> None:
        with self._lock:
            if not self.installed:
                for name in LIBRARY_LOGGERS:
                    logging.getLogger(name).addFilter(self)
                self.installed = True

    def add(self, secret: str) -> None:
        with self._lock:
            self.secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        from hospipost.credentials import redact

        try:
            message = record.getMessage()
        except Exception:
            return True
        with self._lock:
            secrets = set(self.secrets)
        cleaned = redact(message, secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_LOG_REDACTOR = _Redactor()
