"""Mastodon through Mastodon.py 2.3.3, on the instance named in config.

Each part is a status sent with an Idempotency-Key the instance remembers for about an hour, so
re-sending an unknown part within that hour is safe. Images go to /api/v2/media and are polled
until processed; the instance's own limits are cached by verify(). More: NOTES.md, Mastodon."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from hospipost import __version__
from hospipost.media import media_info
from hospipost.networks.base import (
    ConfigKey,
    DeliveryError,
    Image,
    Limits,
    Network,
    Part,
    PermanentError,
    Rendering,
    TransientError,
    UnknownOutcome,
    http_url_problem,
    reset_header,
    retry_in,
)
from hospipost.networks.http import failure_name, never_left
from hospipost.textlength import URL_LENGTH, mastodon_length

if TYPE_CHECKING:
    import mastodon
    import requests

    from hospipost.config import NetworkSettings
    from hospipost.posts import Media

log = logging.getLogger(__name__)

CACHE_FILE = "mastodon.json"
"""The instance limits verify() learnt, in the config's cache folder, keyed by instance URL."""
VISIBILITY = "public"
ASSUMED_VERSION = "4.0.0"  # any version ≥ 3.1.4 makes Mastodon.py use /api/v2/media
RATE_LIMIT_DEFAULT = timedelta(minutes=5)  # when the instance gives no usable reset time
USER_AGENT = f"hospipost/{__version__}"
CACHED_FIELDS = (
    "max_characters",
    "characters_reserved_per_url",
    "max_media_attachments",
    "image_size_limit",
    "description_limit",
)

# The kinds of request, by what a failure after sending means.
READ = "read"  # instance and account look-ups: nothing changes
UPLOAD = "upload"  # an unattached image: invisible, safe to redo
PROCESS = "process"  # polling an uploaded image
PUBLISH = "publish"  # the status request: may have been processed


class _Redirected(Exception):
    """The instance answered with a redirect, which we never follow (raised after the answer)."""

    def __init__(self, status: int, location: str) -> None:
        super().__init__(f"HTTP {status} to {location or 'an unnamed address'}")
        self.status = status
        self.location = location


class Mastodon(Network):
    name = "mastodon"
    label = "Mastodon"
    default_api_base = ""  # the instance URL: see api_base
    limits = Limits(
        max_length=500,
        count=mastodon_length,
        length_unit="characters (URLs count 23)",
        max_images=4,
        max_image_bytes=10 * 1024 * 1024,
        max_alt_length=1500,
        supports_threads=True,
    )
    config_keys = {
        "instance": ConfigKey(
            str,
            required=True,
            help="the instance URL, e.g. https://social.example.org",
            check=lambda value: http_url_problem(normalise_url(value)),
        ),
        "token_env": ConfigKey(str, default="HOSPIPOST_MASTODON_TOKEN"),
    }

    max_processing_wait = 60.0
    """Seconds allowed for the instance to process one uploaded image before giving up (transient)."""
    poll_delays = (1.0, 2.0, 3.0, 5.0)
    """Waits between two looks at an image being processed; the last one repeats."""

    def __init__(self, settings: NetworkSettings, credentials: Any, cache_dir: Path | None = None) -> None:
        super().__init__(settings, credentials, cache_dir)
        self.sleep: Callable[[float], None] = time.sleep  # tests inject a fake
        self._statuses = threading.local()  # what publish learnt of the statuses it posted, per thread

    # ------------------------------------------------------------------ settings

    @property
    def instance(self) -> str:
        return normalise_url(self.settings.options.get("instance") or "")

    @property
    def api_base(self) -> str:
        """``api_base`` when set (a proxy, a local test server), else the instance URL."""
        return normalise_url(self.settings.options.get("api_base") or self.settings.options.get("instance") or "")

    @property
    def token_env(self) -> str:
        return str(self.settings.options.get("token_env") or self.config_keys["token_env"].default)

    # ------------------------------------------------------------------ limits

    @classmethod
    def effective_limits(cls, settings: NetworkSettings | None, cache_dir: Path | None) -> Limits:
        """The declared limits, replaced by what verify() cached for this instance, if anything."""
        if settings is None or cache_dir is None:
            return cls.limits
        entry = read_cache(Path(cache_dir) / CACHE_FILE).get(instance_key(settings.options.get("instance") or ""))
        return limits_from(entry, cls.limits) if isinstance(entry, dict) else cls.limits

    # ------------------------------------------------------------------ dry run

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        """The requests publishing would make, in order: no token, no credential read, no network.

        ``key`` is the delivery id the Idempotency-Key headers derive from (a placeholder without it).
        """
        base = self.api_base
        steps: list[dict[str, Any]] = []
        refs: list[str] = []
        for number, item in enumerate(rendering.media, 1):
            ref = f"<media id {number}>"
            refs.append(ref)
            info = media_info(item.path)
            fields: dict[str, Any] = {}
            if item.alt:
                fields["description"] = item.alt
            fields["file"] = {
                "name": Path(item.file).name,
                "bytes": None if info.problem else info.size,
                "type": info.mime,
            }
            steps.append(
                {
                    "method": "POST",
                    "url": f"{base}/api/v2/media",
                    "file": item.file,
                    "multipart": fields,
                    "then": f"GET {base}/api/v1/media/{ref} until processed, when the instance answers 202",
                }
            )
        for index, text in enumerate(rendering.parts):
            steps.append(
                {
                    "method": "POST",
                    "url": f"{base}/api/v1/statuses",
                    "headers": {"Idempotency-Key": idempotency_key(key or "<delivery id>", index)},
                    "data": status_fields(
                        text,
                        in_reply_to_id=f"<id of part {index}>" if index else None,
                        media_ids=refs if index == 0 else [],
                        language=status_language(rendering.language),
                    ),
                }
            )
        return steps

    # ------------------------------------------------------------------ publish

    @property
    def who(self) -> str:
        return "the Mastodon instance"

    def read_images(self, media: list[Media], limits: Limits | None = None) -> list[Image]:
        """Checked against this instance's limits (cached by `networks check`), not the defaults."""
        return super().read_images(media, limits or self.effective_limits(self.settings, self.cache_dir))

    @contextmanager
    def connection(self) -> Iterator[mastodon.Mastodon]:
        self._statuses.latest = None  # the last status posted in this thread: its account gives the URLs
        self._statuses.urls = {}
        with self._client() as client:
            yield client

    def upload_images(self, client: mastodon.Mastodon, images: list[Image]) -> list[str]:
        return [self._upload(client, image.media, image.data, image.type) for image in images]

    def post_part(self, client: mastodon.Mastodon, part: Part) -> str:
        """``POST /api/v1/statuses`` with the part's Idempotency-Key, replying to the previous part."""
        try:
            status = client.status_post(
                part.text,
                in_reply_to_id=part.reply_to,
                media_ids=part.media_ids or None,
                idempotency_key=idempotency_key(part.key, part.index),
                visibility=VISIBILITY,
                language=status_language(part.language),
            )
        except Exception as error:
            raise self._outcome(
                error, part.doing, PUBLISH, client, key=part.key, online=part.index, replying_to=part.reply_to
            ) from None
        status_id = status.get("id") if isinstance(status, dict) else None
        if status_id in (None, ""):
            raise self._unknown(
                f"the Mastodon instance accepted {part.doing} but returned no status id", part.key, part.index
            )
        status_id = str(status_id)
        log.info("Mastodon: %s done, id %s", part.doing, status_id)
        self._statuses.latest = status
        self._statuses.urls[status_id] = status.get("url") or status.get("uri")
        return status_id

    def post_url(self, remote_id: str) -> str | None:
        """The URL the instance gave, or (a thread resumed) the same account's URL with this id."""
        urls = getattr(self._statuses, "urls", {})
        if remote_id in urls:
            return urls[remote_id]
        latest = getattr(self._statuses, "latest", None)
        return _url_on_account(latest, remote_id) if latest is not None else None

    # ------------------------------------------------------------------ verify

    def verify(self) -> str:
        """The instance's limits (cached for `check`) and the account the token posts as."""
        with self._client() as client:
            info = self._instance(client)
            found = instance_limits(info)
            note = self._cache_limits(found)
            try:
                account = client.account_verify_credentials()
            except Exception as error:
                raise self._outcome(error, "checking the token", READ, client) from None
        account = account if isinstance(account, dict) else {}
        acct = account.get("acct") or account.get("username") or "?"
        domain = info.get("domain") or info.get("uri") or _host(self.instance)
        limits = limits_from(found, self.limits)
        weight = found.get("characters_reserved_per_url", URL_LENGTH)
        return (
            f"@{acct} on {domain} ({limits.max_length} characters, URLs count {weight},"
            f" {limits.max_images} images{note})"
        )

    def _instance(self, client: mastodon.Mastodon) -> dict[str, Any]:
        """``GET /api/v2/instance/``, or ``/api/v1/instance/`` on an instance without v2 (before 4.0)."""
        from mastodon.errors import MastodonNotFoundError

        try:
            try:
                info = client.instance_v2()
            except MastodonNotFoundError:
                info = client.instance_v1()
        except Exception as error:
            raise self._outcome(error, "reading the instance's limits", READ, client) from None
        return info if isinstance(info, dict) else {}

    def _cache_limits(self, found: dict[str, int]) -> str:
        """Write the limits to the cache; a note for verify()'s answer when they could not be kept."""
        if self.cache_dir is None:
            return ""
        entry: dict[str, Any] = {**found, "checked_at": datetime.now(UTC).isoformat(timespec="seconds")}
        try:
            write_cache(Path(self.cache_dir) / CACHE_FILE, instance_key(self.instance), entry)
        except OSError as error:
            log.warning("Mastodon: could not cache the instance's limits in %s: %s", self.cache_dir, error)
            return f"; limits not cached: {error.strerror or error}"
        return ""

    # ------------------------------------------------------------------ client

    @contextmanager
    def _client(self) -> Iterator[mastodon.Mastodon]:
        """A Mastodon.py client on api_base: timeout, no rate-limit waits, no redirects, v2 media."""
        from mastodon import Mastodon as Client
        from mastodon.versions import parse_version_string

        base = self.api_base
        if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", base):
            raise PermanentError(
                f"networks.mastodon.instance (or api_base) {base!r} is not an http(s) URL:"
                " set it to the instance's address, e.g. https://social.example.org, in config.yaml"
            )
        token = self.secret("token_env")  # CredentialsError names the variable
        session = _session_class()()
        client = Client(
            api_base_url=base,
            request_timeout=self.timeout,
            ratelimit_method="throw",
            session=session,
            mastodon_version=ASSUMED_VERSION,
            version_check_mode="none",
            user_agent=_user_agent(),
        )
        # Mastodon.py 2.3.3 ignores mastodon_version in "none" mode: set the parsed version.
        client.mastodon_major, client.mastodon_minor, client.mastodon_patch = parse_version_string(ASSUMED_VERSION)
        client.access_token = token  # after construction: never read as a token file's path
        try:
            yield client
        finally:
            session.close()

    # ------------------------------------------------------------------ media

    def _upload(self, client: mastodon.Mastodon, item: Media, data: bytes, media_type: str) -> str:
        """``POST /api/v2/media``, then ``GET /api/v1/media/{id}`` until processed; the media id."""
        doing = f"uploading the image {item.file}"
        try:
            attachment = client.media_post(
                io.BytesIO(data), mime_type=media_type, description=item.alt or None, file_name=Path(item.file).name
            )
        except Exception as error:
            raise self._outcome(error, doing, UPLOAD, client) from None
        media_id = attachment.get("id") if isinstance(attachment, dict) else None
        if media_id in (None, ""):
            raise TransientError(
                f"the Mastodon instance returned no media id while {doing}; nothing was published,"
                " hospipost will try again later"
            )
        waited, polls = 0.0, 0
        while not attachment.get("url"):
            delay = self.poll_delays[min(polls, len(self.poll_delays) - 1)]
            if waited + delay > self.max_processing_wait:
                raise TransientError(
                    f"the Mastodon instance was still processing the image {item.file} after {waited:g} s;"
                    " nothing was published, hospipost will try again later"
                )
            self.sleep(delay)
            waited += delay
            polls += 1
            try:
                attachment = client.media(media_id)
            except Exception as error:
                raise self._outcome(
                    error,
                    f"waiting for the instance to process the image {item.file}",
                    PROCESS,
                    client,
                    image=item.file,
                ) from None
            if not isinstance(attachment, dict):
                attachment = {}
        log.info("Mastodon: uploaded %s as media %s", item.file, media_id)
        return str(media_id)

    # ------------------------------------------------------------------ error mapping

    def _clean(self, message: str) -> str:
        from hospipost.credentials import redact

        return redact(message, set(self.credentials.handed_out))

    def _unknown(self, what: str, key: str, online: int) -> UnknownOutcome:
        return UnknownOutcome(self._clean(f"{what}, so it may be online{_already(online)}. {resend_hint(key)}"))

    def _outcome(
        self,
        error: Exception,
        doing: str,
        step: str,
        client: Any = None,
        *,
        key: str = "",
        online: int = 0,
        replying_to: str | None = None,
        image: str = "",
    ) -> DeliveryError:
        """The delivery error for a failure while ``doing``, its message free of credentials."""
        mapped = self._map(error, doing, step, client, key, online, replying_to, image)
        message = self._clean(str(mapped))
        if isinstance(mapped, TransientError):
            return TransientError(message, mapped.retry_at)
        return type(mapped)(message)

    def _map(
        self,
        error: Exception,
        doing: str,
        step: str,
        client: Any,
        key: str,
        online: int,
        replying_to: str | None,
        image: str,
    ) -> DeliveryError:
        from mastodon.errors import (
            MastodonAPIError,
            MastodonError,
            MastodonNetworkError,
            MastodonRatelimitError,
            MastodonReadTimeout,
            MastodonServerError,
            MastodonUnauthorizedError,
        )

        already = _already(online)
        if isinstance(error, MastodonRatelimitError):
            last = getattr(getattr(client, "session", None), "last", None)
            refused = last is not None and last.status_code == 429  # even when its reset header is unreadable
            if str(error).startswith("Hit rate limit") or refused:
                retry_at = _retry_at(client)
                who = "try" if step == READ else "hospipost will try"
                return TransientError(
                    f"the Mastodon instance's rate limit was reached while {doing}{_nothing(step)}, {who} again after"
                    f" {retry_at:%H:%M} UTC{already}",
                    retry_at,
                )
            if step == PUBLISH:  # the instance answered with a rate-limit header we cannot read
                return self._unknown(
                    f"the Mastodon instance answered {doing} with an unreadable rate-limit header ({error})",
                    key,
                    online,
                )
            return TransientError(
                f"the Mastodon instance sent an unreadable rate-limit header while {doing}; {_again(step)}{already}"
            )
        if isinstance(error, MastodonUnauthorizedError):
            scopes = "write:statuses and write:media" + (
                " (and read:accounts, which `hospipost networks check` needs)" if step == READ else ""
            )
            return PermanentError(
                f"the Mastodon token is invalid or revoked: create a new application token with {scopes}"
                f" and set {self.token_env}{already}"
            )
        if isinstance(error, MastodonServerError):
            status = _status(error)
            return TransientError(
                f"the Mastodon instance had a server error (HTTP {status}) while {doing}; {_again(step)}{already}"
            )
        if isinstance(error, MastodonAPIError):
            return self._api_error(error, doing, step, key, online, replying_to, image)
        if isinstance(error, (MastodonNetworkError, MastodonReadTimeout)):
            return self._network_error(error, doing, step, key, online)
        if isinstance(error, MastodonError):  # bad argument, file, version: raised before sending
            return PermanentError(
                f"hospipost could not send {doing} to Mastodon ({type(error).__name__}:"
                f" {error}){_nothing(step)}{already}"
            )
        raise error

    def _api_error(
        self, error: Exception, doing: str, step: str, key: str, online: int, replying_to: str | None, image: str
    ) -> DeliveryError:
        already = _already(online)
        status = _status(error)
        said = _instance_message(error)
        if status is None:  # a 2xx whose body is not JSON
            if step == PUBLISH:
                return self._unknown(f"the Mastodon instance answered {doing} with an unreadable body", key, online)
            return TransientError(
                f"the Mastodon instance answered {doing} with an unreadable body{_nothing(step)};"
                f" {_again(step)}{already}"
            )
        detail = f"{status}: {said}" if said else f"HTTP {status}"
        if status == 403:
            need = "read:accounts" if step == READ else "write:statuses and write:media"
            return PermanentError(
                f"the Mastodon instance refused {doing} ({detail}): the token lacks a scope (it needs {need}) or the"
                f" account is disabled or suspended; fix it on the instance, then try again{already}"
            )
        if status == 404:
            if step == PUBLISH and replying_to:
                return PermanentError(
                    f"the Mastodon instance no longer has part {online} of the thread (status {replying_to}), which"
                    f" part {online + 1} replies to ({detail}): it was probably deleted; check the account, then"
                    f" publish the rest of the thread by hand{already}"
                )
            if step == PROCESS:
                return TransientError(
                    f"the Mastodon instance lost the image {image} while processing it ({detail});"
                    " nothing was published, hospipost will try again later"
                )
            return PermanentError(
                f"the Mastodon instance answered {detail} while {doing}: check networks.mastodon.instance"
                f" (and api_base) in config.yaml{_nothing(step)}{already}"
            )
        if status == 408:
            return TransientError(f"the Mastodon instance timed out reading {doing} (408); {_again(step)}{already}")
        if status == 410:
            return PermanentError(
                f"the Mastodon instance answered 410 Gone while {doing}: the account may be suspended or deleted;"
                f" check it on the instance{already}"
            )
        if status == 413:
            return PermanentError(
                f"the Mastodon instance refused {doing} as too large (413): shrink the image, then publish again"
            )
        if status == 422:
            if "finished processing" in said:
                return TransientError(
                    f"the Mastodon instance had not finished processing an image while {doing}"
                    f" ({detail}); hospipost will try again later{already}"
                )
            if step == PROCESS:
                return PermanentError(
                    f"the Mastodon instance could not process the image {image} ({detail});"
                    " nothing was published: replace the file, then publish again"
                )
            return PermanentError(
                _sentence(
                    f"the Mastodon instance rejected {doing} ({detail}); nothing more was published: fix the post,"
                    f" then publish again{already}"
                )
            )
        return PermanentError(_sentence(f"the Mastodon instance refused {doing} ({detail}){_nothing(step)}{already}"))

    def _network_error(self, error: Exception, doing: str, step: str, key: str, online: int) -> DeliveryError:
        import requests.exceptions as rx
        from mastodon.errors import MastodonReadTimeout

        already = _already(online)
        cause = error.__context__ if isinstance(error.__context__, BaseException) else None
        if isinstance(cause, _Redirected):
            return PermanentError(
                f"the Mastodon instance redirected {doing} ({cause}){_nothing(step)}: set"
                f" networks.mastodon.instance (or api_base) to the address it redirects to{already}"
            )
        if isinstance(cause, (rx.InvalidURL, rx.MissingSchema, rx.InvalidSchema)):
            return PermanentError(
                f"networks.mastodon.instance (or api_base) {self.api_base!r} is not a usable URL: fix it in config.yaml"
            )
        before = never_left(cause) if cause is not None else None
        if before is not None:
            return TransientError(
                f"could not reach the Mastodon instance at {self.api_base} while {doing} ({before}){_nothing(step)};"
                f" {_again(step)}{already}"
            )
        timed_out = isinstance(error, MastodonReadTimeout) or isinstance(cause, rx.Timeout)
        what = (
            f"did not answer within {self.timeout:g} s"
            if timed_out
            else f"broke the connection ({failure_name(cause) if cause is not None else 'no reason given'})"
        )
        if step == PUBLISH:
            return self._unknown(f"the Mastodon instance {what} while {doing}, after the request was sent", key, online)
        return TransientError(f"the Mastodon instance {what} while {doing}{_nothing(step)}; {_again(step)}{already}")


# --------------------------------------------------------------------- requests and fields


def idempotency_key(key: str, index: int) -> str:
    """The Idempotency-Key of part ``index`` of a delivery: the same on every retry and re-send."""
    value = f"{key}#{index}"
    if value.isascii() and value.isprintable():
        return value
    import hashlib

    return f"sha256:{hashlib.sha256(value.encode()).hexdigest()}"  # header values must be plain ASCII


def status_language(tag: str) -> str:
    """Mastodon's ``language`` is an ISO 639 code: the language subtag of a BCP 47 tag (en-GB -> en)."""
    return tag.split("-", 1)[0]


def status_fields(text: str, *, in_reply_to_id: str | None, media_ids: list[str], language: str) -> dict[str, Any]:
    """The form fields Mastodon.py sends to POST /api/v1/statuses for these arguments."""
    fields: dict[str, Any] = {"status": text}
    if in_reply_to_id is not None:
        fields["in_reply_to_id"] = in_reply_to_id
    fields.update({"sensitive": "0", "visibility": VISIBILITY, "language": language})
    if media_ids:
        fields["media_ids[]"] = list(media_ids)
    return fields


def resend_hint(key: str) -> str:
    """What to do about a status request that may have gone through."""
    post = key.split(":", 1)[0] if key else "POST"
    return (
        f"Re-sending is safe within about an hour of this attempt, because Mastodon answers a repeat carrying the"
        f" same Idempotency-Key with the post it already made: `hospipost reconcile {post} --network mastodon"
        f" --not-sent` then `hospipost publish` records the right post either way (after that hour, check the"
        f" account first)"
    )


# --------------------------------------------------------------------- instance limits and their cache


def normalise_url(value: str) -> str:
    """An instance or API address as Mastodon.py uses it: https:// when no scheme, no final slash."""
    value = str(value).strip()
    if not value:
        return ""
    if "://" not in value:
        value = "https://" + value
    return value.rstrip("/")


def instance_key(value: str) -> str:
    """The cache key of an instance: its normalised URL, scheme and host in lower case."""
    from urllib.parse import urlsplit

    url = normalise_url(value)
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"


def instance_limits(info: dict[str, Any]) -> dict[str, int]:
    """The limits an instance document states (v2, v1 or Pleroma's max_toot_chars), those present only."""
    configuration = _mapping(info.get("configuration"))
    statuses = _mapping(configuration.get("statuses"))
    media = _mapping(configuration.get("media_attachments"))
    found = {
        "max_characters": statuses.get("max_characters", info.get("max_toot_chars")),
        "characters_reserved_per_url": statuses.get("characters_reserved_per_url"),
        "max_media_attachments": statuses.get("max_media_attachments"),
        "image_size_limit": media.get("image_size_limit"),
        "description_limit": media.get("description_limit"),
    }
    return {name: value for name, value in found.items() if _positive_int(value)}


def limits_from(entry: dict[str, Any] | None, default: Limits) -> Limits:
    """``default`` with every cached value that is a positive integer."""
    entry = entry or {}

    def pick(name: str, fallback: int | None) -> Any:
        value = entry.get(name)
        return value if _positive_int(value) else fallback

    weight = pick("characters_reserved_per_url", URL_LENGTH)
    return replace(
        default,
        max_length=pick("max_characters", default.max_length),
        count=mastodon_counter(weight),
        length_unit=f"characters (URLs count {weight})",
        max_images=pick("max_media_attachments", default.max_images),
        max_image_bytes=pick("image_size_limit", default.max_image_bytes),
        max_alt_length=pick("description_limit", default.max_alt_length),
    )


@lru_cache(maxsize=16)
def mastodon_counter(url_weight: int = URL_LENGTH) -> Callable[[str], int]:
    """Mastodon's length with every URL counting ``url_weight`` (the instance's characters_reserved_per_url)."""
    if url_weight == URL_LENGTH:
        return mastodon_length

    def count(text: str) -> int:
        return mastodon_length(text, url_weight)

    count.__name__ = f"mastodon_length_urls_{url_weight}"
    return count


def read_cache(path: Path) -> dict[str, Any]:
    """The cache file's content; empty when it is missing or unreadable (check never fails on it)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        if not isinstance(error, FileNotFoundError):
            log.debug("Mastodon: ignoring the limits cache %s: %s", path, error)
        return {}
    return data if isinstance(data, dict) else {}


def write_cache(path: Path, key: str, entry: dict[str, Any]) -> None:
    """Set one instance's entry in the cache file, atomically (temporary file + os.replace)."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    data = read_cache(path)
    data[key] = entry
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=2, sort_keys=True)
            out.write("\n")
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


# --------------------------------------------------------------------- helpers


def _nothing(step: str) -> str:
    return "" if step == READ else "; nothing more was published"


def _again(step: str) -> str:
    return "try again later" if step == READ else "hospipost will try again later"


def _already(online: int) -> str:
    if not online:
        return ""
    return f"; the first {online} part{'s' if online > 1 else ''} of the thread {'are' if online > 1 else 'is'} already online"


def _sentence(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _positive_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or url


def _url_on_account(status: Any, status_id: str) -> str | None:
    """A local status's public URL: its account's URL, then its id (https://instance/@acct/id)."""
    account = status.get("account") if isinstance(status, dict) else None
    url = account.get("url") if isinstance(account, dict) else None
    return f"{str(url).rstrip('/')}/{status_id}" if url else None


def _status(error: Exception) -> int | None:
    """The HTTP status of a MastodonAPIError ('Mastodon API returned error', status, reason, message)."""
    args: tuple[Any, ...] = getattr(error, "args", ())
    return args[1] if len(args) > 1 and isinstance(args[1], int) and not isinstance(args[1], bool) else None


def _instance_message(error: Exception) -> str:
    """The instance's own ``error`` text, on one short line."""
    args: tuple[Any, ...] = getattr(error, "args", ())
    said = args[3] if len(args) > 3 and args[3] else (args[2] if len(args) > 2 and isinstance(args[2], str) else "")
    return _sentence(str(said)).rstrip(".")[:300]


def _retry_at(client: Any) -> datetime:
    """When the rate limit resets: Mastodon.py's ratelimit_reset (our clock), else Retry-After, else a default;
    at most MAX_WAIT away."""
    now = datetime.now(UTC)
    reset = getattr(client, "ratelimit_reset", None)
    if isinstance(reset, (int, float)) and reset > now.timestamp():
        return reset_header(str(reset), epoch=True) or retry_in(None, RATE_LIMIT_DEFAULT)
    response = getattr(getattr(client, "session", None), "last", None)
    retry_after = response.headers.get("Retry-After") if response is not None else None
    return reset_header(retry_after) or retry_in(None, RATE_LIMIT_DEFAULT)


def _user_agent() -> str:
    try:
        from importlib.metadata import version

        return f"{USER_AGENT} Mastodon.py/{version('Mastodon.py')}"
    except Exception:
        return USER_AGENT


@lru_cache(maxsize=1)
def _session_class() -> type[requests.Session]:
    """A requests.Session that follows no redirect and keeps the last response (for Retry-After)."""
    import requests

    class InstanceSession(requests.Session):
        def __init__(self) -> None:
            super().__init__()
            self.last: requests.Response | None = None

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            self.last = None
            kwargs["allow_redirects"] = False
            response = super().request(method, url, *args, **kwargs)
            self.last = response
            log.debug("Mastodon %s %s: HTTP %s", method, url.split("?")[0], response.status_code)
            if 300 <= response.status_code < 400:
                raise _Redirected(response.status_code, response.headers.get("Location", ""))
            return response

    return InstanceSession
