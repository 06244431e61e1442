"""X (formerly Twitter) through tweepy: API v2 posts, v2 media upload, OAuth 1.0a user keys.

tweepy hard-codes api.twitter.com without a timeout (a session rewrites both), has no v2 media
upload (initialize/append/finalize/STATUS/metadata are done here) and its loggers print keys (a
filter redacts them). No idempotency key: "duplicate content" is unknown. More: NOTES.md, X."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hospipost import __version__
from hospipost.media import image_type
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
    reset_header,
)
from hospipost.networks.http import failure_name, never_left
from hospipost.twittertext import weighted_length

if TYPE_CHECKING:
    import requests
    import tweepy

    from hospipost.posts import Media

log = logging.getLogger(__name__)

TWEEPY_HOST = "https://api.twitter.com"
STATUS_URL = "https://x.com/i/web/status/{}"
USER_AGENT = f"hospipost/{__version__}"
CREDENTIAL_KEYS = ("api_key_env", "api_secret_env", "access_token_env", "access_token_secret_env")
MEDIA_CATEGORY = "tweet_image"
# Loggers of the libraries on the request path that can print credentials or echoed bodies.
LIBRARY_LOGGERS = (
    "tweepy.client",
    "requests_oauthlib.oauth1_auth",
    "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature",
    "urllib3.connectionpool",
)


class X(Network):
    name = "x"
    label = "X"
    default_api_base = "https://api.x.com"
    limits = Limits(
        max_length=280,
        count=weighted_length,
        length_unit="weighted characters",
        max_images=4,
        max_image_bytes=5 * 1024 * 1024,
        max_alt_length=1000,
        supports_threads=True,
    )
    config_keys = {
        "api_key_env": ConfigKey(str, default="HOSPIPOST_X_API_KEY"),
        "api_secret_env": ConfigKey(str, default="HOSPIPOST_X_API_SECRET"),
        "access_token_env": ConfigKey(str, default="HOSPIPOST_X_ACCESS_TOKEN"),
        "access_token_secret_env": ConfigKey(str, default="HOSPIPOST_X_ACCESS_TOKEN_SECRET"),
    }

    chunk_bytes = 4 * 1024 * 1024
    """Size of each media APPEND segment (X accepts at most 5 MB per segment)."""
    max_processing_wait = 120.0
    """Seconds of ``check_after_secs`` waits allowed for X to process one image."""

    def __init__(self, settings: Any, credentials: Any, cache_dir: Path | None = None) -> None:
        super().__init__(settings, credentials, cache_dir)
        self.sleep: Callable[[float], None] = time.sleep  # tests inject a fake
        self._secrets: set[str] = set()

    # ------------------------------------------------------------------ dry run

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        """The requests publishing would make, in order; ids X will assign are placeholders."""
        base = self.api_base
        steps: list[dict[str, Any]] = []
        media_refs: list[str] = []
        for number, item in enumerate(rendering.media, 1):
            ref = f"<media id {number}>"
            media_refs.append(ref)
            size, media_type = _describe_file(item.path)
            steps.append(
                {
                    "method": "POST",
                    "url": f"{base}/2/media/upload/initialize",
                    "file": item.file,
                    "json": {"media_type": media_type, "total_bytes": size, "media_category": MEDIA_CATEGORY},
                }
            )
            segments = max(1, -(-(size or 0) // self.chunk_bytes))
            for segment in range(segments):
                chunk = min(self.chunk_bytes, (size or 0) - segment * self.chunk_bytes) if size is not None else None
                steps.append(
                    {
                        "method": "POST",
                        "url": f"{base}/2/media/upload/{ref}/append",
                        "file": item.file,
                        "multipart": {
                            "media": f"<{chunk if chunk is not None else '?'} bytes of {item.file}>",
                            "segment_index": segment,
                        },
                    }
                )
            steps.append({"method": "POST", "url": f"{base}/2/media/upload/{ref}/finalize", "file": item.file})
            if item.alt:
                steps.append(
                    {
                        "method": "POST",
                        "url": f"{base}/2/media/metadata",
                        "file": item.file,
                        "json": {"id": ref, "metadata": {"alt_text": {"text": item.alt}}},
                    }
                )
        for index, text in enumerate(rendering.parts):
            body: dict[str, Any] = {"text": text}
            if index == 0 and media_refs:
                body["media"] = {"media_ids": media_refs}
            if index > 0:
                body["reply"] = {"in_reply_to_tweet_id": f"<id of part {index}>"}
            steps.append({"method": "POST", "url": f"{base}/2/tweets", "json": body})
        return steps

    # ------------------------------------------------------------------ publish

    @contextmanager
    def connection(self) -> Iterator[tweepy.Client]:
        client = self._client()
        try:
            yield client
        finally:
            client.session.close()

    def upload_images(self, client: tweepy.Client, images: list[Image]) -> list[str]:
        return [self._upload(client.session, image.media, image.data, image.type) for image in images]

    def post_part(self, client: tweepy.Client, part: Part) -> str:
        """``POST /2/tweets`` replying to the previous part (X has no idempotency key)."""
        try:
            response = client.create_tweet(
                text=part.text, media_ids=part.media_ids or None, in_reply_to_tweet_id=part.reply_to, user_auth=True
            )
            tweet_id = str(response.data["id"])
        except Exception as error:
            raise self._outcome(error, part.doing, may_have_posted=True, online=part.index) from None
        log.info("X: %s done, id %s", part.doing, tweet_id)
        return tweet_id

    def post_url(self, remote_id: str) -> str:
        return STATUS_URL.format(remote_id)

    def verify(self) -> str:
        """``GET /2/users/me`` with the OAuth 1.0a keys: ``@handle`` of the account we post as."""
        client = self._client()
        try:
            try:
                response = client.get_me(user_auth=True)
                data = response.data
                username = data["username"] if isinstance(data, dict) else data.username
            except Exception as error:
                raise self._outcome(error, "checking the credentials", may_have_posted=False) from None
            return f"@{username}"
        finally:
            client.session.close()

    # ------------------------------------------------------------------ client and session

    def _client(self) -> tweepy.Client:
        import tweepy

        keys = [self.secret(key) for key in CREDENTIAL_KEYS]  # CredentialsError names the variable
        self._secrets.update(keys)
        _LOG_REDACTOR.install(keys)
        client = tweepy.Client(
            consumer_key=keys[0],
            consumer_secret=keys[1],
            access_token=keys[2],
            access_token_secret=keys[3],
            wait_on_rate_limit=False,
        )
        client.user_agent = f"{USER_AGENT} Tweepy/{tweepy.__version__}"
        client.session = _session_class()(self.api_base, self.timeout, client.user_agent)
        return client

    def _oauth1(self) -> Any:
        """The same OAuth 1.0a signer tweepy's Client uses (a requests-oauthlib ``OAuth1``)."""
        import tweepy

        keys = [self.secret(key) for key in CREDENTIAL_KEYS]
        return tweepy.OAuth1UserHandler(*keys).apply_auth()

    # ------------------------------------------------------------------ media (v2 upload)

    def _upload(self, session: requests.Session, item: Media, data: bytes, media_type: str) -> str:
        """initialize → append (≤ chunk_bytes each) → finalize → STATUS polling → alt text; the media id."""
        doing = f"uploading the image {item.file}"
        auth = self._oauth1()
        base = self.api_base

        def call(method: str, url: str, **kwargs: Any) -> dict[str, Any]:
            try:
                response = session.request(method, url, auth=auth, **kwargs)
                _raise_for_status(response)
                body = response.json() if response.content else {}
            except Exception as error:
                raise self._outcome(error, doing, may_have_posted=False) from None
            if not isinstance(body, dict):
                raise PermanentError(
                    f"X answered {doing} with an unexpected body; nothing was published: try again later"
                )
            if body.get("errors") and not body.get("data"):
                raise PermanentError(
                    _sentence(
                        f"X refused {doing}: {_problem_text(body)}; nothing was published, fix the image then publish again"
                    )
                )
            return body.get("data") or {}

        started = call(
            "POST",
            f"{base}/2/media/upload/initialize",
            json={
                "media_type": media_type,
                "total_bytes": len(data),
                "media_category": MEDIA_CATEGORY,
            },
        )
        media_id = str(started.get("id") or started.get("media_id") or "")
        if not media_id:
            raise PermanentError(f"X returned no media id while {doing}; nothing was published: try again later")
        for segment, offset in enumerate(range(0, len(data), self.chunk_bytes)):
            call(
                "POST",
                f"{base}/2/media/upload/{media_id}/append",
                files={
                    "media": (
                        Path(item.file).name,
                        data[offset : offset + self.chunk_bytes],
                        "application/octet-stream",
                    )
                },
                data={"segment_index": str(segment)},
            )
        state = call("POST", f"{base}/2/media/upload/{media_id}/finalize")
        waited = 0.0
        while (state.get("processing_info") or {}).get("state") in ("pending", "in_progress"):
            delay = max(1.0, float(state["processing_info"].get("check_after_secs") or 1))
            if waited + delay > self.max_processing_wait:
                raise TransientError(
                    f"X was still processing the image {item.file} after {waited:g} s; nothing was published, hospipost will try again later"
                )
            self.sleep(delay)
            waited += delay
            state = call("GET", f"{base}/2/media/upload", params={"media_id": media_id, "command": "STATUS"})
        info = state.get("processing_info") or {}
        if info.get("state") == "failed":
            reason = (info.get("error") or {}).get("message") or "no reason given"
            raise PermanentError(
                _sentence(
                    f"X could not process the image {item.file} ({reason}); nothing was published: replace the file, then publish again"
                )
            )
        if item.alt:
            call(
                "POST", f"{base}/2/media/metadata", json={"id": media_id, "metadata": {"alt_text": {"text": item.alt}}}
            )
        log.info("X: uploaded %s as media %s", item.file, media_id)
        return media_id

    # ------------------------------------------------------------------ error mapping

    def _outcome(self, error: Exception, doing: str, *, may_have_posted: bool, online: int = 0) -> DeliveryError:
        """The delivery error for a failure while ``doing``, its message free of credentials.

        ``may_have_posted``: the request creates the post, so a failure after it left is
        unknown; ``online``: how many parts of the thread are already published.
        """
        mapped = self._map(error, doing, may_have_posted, online)
        from hospipost.credentials import redact

        message = redact(str(mapped), self._secrets | set(getattr(self.credentials, "handed_out", ())))
        if isinstance(mapped, TransientError):
            return TransientError(message, mapped.retry_at)
        return type(mapped)(message)

    def _map(self, error: Exception, doing: str, may_have_posted: bool, online: int) -> DeliveryError:
        import requests
        from tweepy.errors import Forbidden, HTTPException, TooManyRequests, TwitterServerError, Unauthorized

        already = (
            f"; the first {online} part{'s' if online > 1 else ''} of the thread {'are' if online > 1 else 'is'} already online"
            if online
            else ""
        )
        if isinstance(error, TooManyRequests):
            retry_at = _rate_limit_reset(error.response)
            when = f" after {retry_at:%H:%M} UTC" if retry_at else " later"
            body = _json(error.response)
            if "usage-capped" in str(body.get("type", "")) or body.get("title") == "UsageCapExceeded":
                period = str(body.get("period") or "").lower() or "current"
                return TransientError(
                    f"X's {period} usage cap for this app is reached while {doing}; nothing more was published, hospipost will try again{when} (or raise the plan in the X developer portal){already}",
                    retry_at,
                )
            return TransientError(
                f"X's rate limit was reached while {doing}; nothing more was published, hospipost will try again{when}{already}",
                retry_at,
            )
        if isinstance(error, TwitterServerError):
            status = error.response.status_code
            return TransientError(
                f"X had a server error ({status}) while {doing}; hospipost will try again later{already}"
            )
        if isinstance(error, Unauthorized):
            names = ", ".join(str(self.settings.options.get(key) or key) for key in CREDENTIAL_KEYS)
            return PermanentError(
                f"X refused the credentials while {doing}: check {names} or regenerate the access token in the X developer portal{already}"
            )
        if isinstance(error, HTTPException):
            text = _x_message(error)
            if _is_duplicate(error):
                part = "" if not online else f" (part {online + 1} of the thread)"
                return UnknownOutcome(
                    f"X says this text{part} was already posted: it was probably published by an earlier attempt; check the account, then `hospipost reconcile`{already}"
                )
            status = error.response.status_code
            if isinstance(error, Forbidden):
                return PermanentError(
                    _sentence(
                        f"X refused {doing} (403: {text}); nothing more was published: fix the post or the app's permissions (Read and write, then regenerate the access token), then publish again{already}"
                    )
                )
            return PermanentError(
                _sentence(
                    f"X rejected {doing} ({status}: {text}); nothing more was published: fix the post, then publish again{already}"
                )
            )
        if (
            isinstance(error, (ValueError, KeyError, TypeError))
            and not isinstance(error, requests.exceptions.RequestException)
        ) or isinstance(error, requests.exceptions.JSONDecodeError):
            if may_have_posted:
                return UnknownOutcome(
                    f"X answered {doing} with an unreadable body: it may be online; check the account, then `hospipost reconcile`{already}"
                )
            return TransientError(
                f"X answered {doing} with an unreadable body; nothing was published, hospipost will try again later{already}"
            )
        if isinstance(error, requests.exceptions.RequestException):
            if never_left(error):
                return TransientError(
                    f"could not reach X at {self.api_base} while {doing} ({never_left(error) or failure_name(error)}); nothing more was published, hospipost will try again later{already}"
                )
            if not may_have_posted:
                if isinstance(error, requests.exceptions.Timeout):
                    return TransientError(
                        f"X did not answer within {self.timeout:g} s while {doing}; nothing was published, hospipost will try again later{already}"
                    )
                return TransientError(
                    f"the connection to X failed while {doing} ({never_left(error) or failure_name(error)}); nothing was published, hospipost will try again later{already}"
                )
            if isinstance(error, requests.exceptions.Timeout):
                return UnknownOutcome(
                    f"X did not answer within {self.timeout:g} s while {doing}, after the request was sent: it may be online; check the account, then `hospipost reconcile`{already}"
                )
            return UnknownOutcome(
                f"the connection to X broke while {doing}, after the request was sent ({never_left(error) or failure_name(error)}): it may be online; check the account, then `hospipost reconcile`{already}"
            )
        raise error


# ---------------------------------------------------------------------- helpers


def _session_class() -> type:
    """A ``requests.Session`` that sends tweepy's ``api.twitter.com`` calls to ``api_base`` with a timeout."""
    global _SESSION_CLASS
    if _SESSION_CLASS is None:
        import requests

        class XSession(requests.Session):
            def __init__(self, api_base: str, timeout: float, user_agent: str) -> None:
                super().__init__()
                self.api_base = api_base.rstrip("/")
                self.default_timeout = timeout
                self.headers["User-Agent"] = user_agent

            def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
                if isinstance(url, str) and (url == TWEEPY_HOST or url.startswith(TWEEPY_HOST + "/")):
                    url = self.api_base + url[len(TWEEPY_HOST) :]
                if kwargs.get("timeout") is None:
                    kwargs["timeout"] = self.default_timeout
                response = super().request(method, url, *args, **kwargs)
                reset = response.headers.get("x-rate-limit-reset")
                if response.status_code == 429 and reset is not None and not reset.strip().isdigit():
                    del response.headers["x-rate-limit-reset"]  # tweepy's int() would raise ValueError
                return response

        _SESSION_CLASS = XSession
    return _SESSION_CLASS


_SESSION_CLASS: type | None = None


class _Redactor(logging.Filter):
    """Replaces every credential in the records of the request-path libraries' loggers."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        self.installed = False

    def install(self, secrets: list[str]) -> None:
        self.secrets.update(s for s in secrets if s)
        if not self.installed:
            for name in LIBRARY_LOGGERS:
                logging.getLogger(name).addFilter(self)
            self.installed = True

    def filter(self, record: logging.LogRecord) -> bool:
        from hospipost.credentials import redact

        try:
            message = record.getMessage()
        except Exception:
            return True
        cleaned = redact(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_LOG_REDACTOR = _Redactor()


def _raise_for_status(response: requests.Response) -> None:
    """Raise tweepy's exception for an error status, as ``Client.request`` does."""
    from tweepy.errors import (
        BadRequest,
        Forbidden,
        HTTPException,
        NotFound,
        TooManyRequests,
        TwitterServerError,
        Unauthorized,
    )

    status = response.status_code
    if 200 <= status < 300:
        return
    by_status = {400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound}
    if status in by_status:
        raise by_status[status](response)
    if status == 429:
        raise TooManyRequests(response)
    if status >= 500:
        raise TwitterServerError(response)
    raise HTTPException(response)


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except Exception:
        return {}
    return body if isinstance(body, dict) else {}


def _problem_text(body: dict[str, Any]) -> str:
    messages = []
    for problem in body.get("errors") or []:
        if isinstance(problem, dict):
            messages.append(str(problem.get("message") or problem.get("detail") or problem.get("title") or ""))
        else:
            messages.append(str(problem))
    for key in ("detail", "title"):
        if not any(messages) and body.get(key):
            messages.append(str(body[key]))
    return _clean("; ".join(m for m in messages if m)) or "no reason given"


def _x_message(error: Any) -> str:
    """X's own explanation of an error, on one short line."""
    messages = [str(m) for m in getattr(error, "api_messages", []) if m]
    if messages:
        return _clean("; ".join(messages))
    body = _json(error.response)
    if body:
        return _problem_text(body)
    return _clean(f"{error.response.status_code} {error.response.reason or ''}")


def _is_duplicate(error: Any) -> bool:
    if 187 in getattr(error, "api_codes", []):
        return True
    body = _json(error.response)
    texts = [*map(str, getattr(error, "api_messages", [])), str(body.get("detail", "")), str(body.get("title", ""))]
    return any("duplicate content" in text.lower() for text in texts)


def _rate_limit_reset(response: Any) -> datetime | None:
    """When to try again: the latest reset among the exhausted windows (15 min, and X's 24 h ones)."""
    headers = response.headers
    resets = []
    for prefix in ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour"):
        reset = headers.get(f"{prefix}-reset")
        if reset is None:
            continue
        if prefix != "x-rate-limit" and headers.get(f"{prefix}-remaining") not in ("0", None):
            continue
        when = reset_header(reset, epoch=True)  # at most MAX_WAIT away, None when unreadable
        if when is not None:
            resets.append(when)
    return max(resets) if resets else None


def _describe_file(path: Path) -> tuple[int | None, str]:
    """Size and type of a media file for the dry run (None and a guess when unreadable)."""
    import mimetypes

    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
        size: int | None = Path(path).stat().st_size
    except OSError:
        head, size = b"", None
    return size, image_type(head) or mimetypes.guess_type(str(path))[0] or "application/octet-stream"


def _clean(text: str, limit: int = 300) -> str:
    text = " ".join(text.split()).rstrip(". ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sentence(text: str) -> str:
    return " ".join(text.split())
