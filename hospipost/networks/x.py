"""X (formerly Twitter) through tweepy: API v2 posts, v2 media upload, OAuth 1.0a user keys.

tweepy hard-codes api.twitter.com (the shared session rewrites it) and has no v2 media upload (x_media.py
does it, signed like tweepy by ``_call``). X has no idempotency key: its "duplicate content" refusal is
unknown. Its 429s name several windows. A video's captions (subtitles) are attached just before its post.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hospipost.networks.base import ConfigKey, Image, Limits, Network, Part, Rendering
from hospipost.networks.failures import (
    Answer,
    Attempt,
    PermanentError,
    Step,
    TransientError,
    UnknownOutcome,
    who_tries_again,
)
from hospipost.networks.x_media import VIDEO, caption, dry_run, upload, upload_data
from hospipost.twittertext import weighted_length

if TYPE_CHECKING:
    import requests
    import tweepy

    from hospipost.networks.failures import DeliveryError
    from hospipost.networks.video import Video

log = logging.getLogger(__name__)

TWEEPY_HOST = "https://api.twitter.com"
STATUS_URL = "https://x.com/i/web/status/{}"
CREDENTIAL_KEYS = ("api_key_env", "api_secret_env", "access_token_env", "access_token_secret_env")
# Loggers on the request path that print credentials (oauthlib) or echoed bodies (tweepy).
LIBRARY_LOGGERS = (
    "tweepy.client",
    "requests_oauthlib.oauth1_auth",
    "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature",
    "urllib3.connectionpool",
)
# X's rate-limit windows: 15 minutes per endpoint, and 24 hours per user and per app.
WINDOWS = ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")
# hospipost's figure → its count in a post's public_metrics (impression_count is public since 2023).
PUBLIC_METRICS = {
    "views": "impression_count",
    "likes": "like_count",
    "shares": "retweet_count",
    "comments": "reply_count",
    "quotes": "quote_count",
    "bookmarks": "bookmark_count",
}
BY_HAND = "delete it on x.com (⋯ on the post, then Delete), then record it with `hospipost retract --by-hand`"


class X(Network):
    name = "x"
    label = "X"
    default_api_base = "https://api.x.com"
    limits = Limits(
        max_length=280,
        count=weighted_length,
        length_unit="weighted characters",
        supports_threads=True,
        max_images=4,
        max_image_bytes=5 * 1024 * 1024,
        max_alt_length=1000,
        video=VIDEO,
    )
    config_keys = {
        "api_key_env": ConfigKey(str, default="HOSPIPOST_X_API_KEY"),
        "api_secret_env": ConfigKey(str, default="HOSPIPOST_X_API_SECRET"),
        "access_token_env": ConfigKey(str, default="HOSPIPOST_X_ACCESS_TOKEN"),
        "access_token_secret_env": ConfigKey(str, default="HOSPIPOST_X_ACCESS_TOKEN_SECRET"),
    }
    credential_keys = CREDENTIAL_KEYS
    metric_words = {
        "views": "impressions",
        "likes": "likes",
        "shares": "reposts",
        "comments": "replies",
        "quotes": "quotes",
        "bookmarks": "bookmarks",
    }
    metrics_batch = 100  # GET /2/tweets takes up to 100 ids
    metrics_permission = "tweet.read and users.read (user context)"
    metrics_billed = True  # X bills every post read

    chunk_bytes = 4 * 1024 * 1024
    """Size of each media APPEND segment (X accepts at most 5 MB per segment)."""
    max_processing_wait = 120.0
    """Seconds of ``check_after_secs`` waits allowed for X to process one image (or captions file)."""
    max_video_wait = 600.0
    """Seconds of ``check_after_secs`` waits allowed for X to process one video."""
    sleep = staticmethod(time.sleep)  # tests inject a fake

    # ------------------------------------------------------------------ dry run

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        """The requests publishing would make, in order; ids X will assign are placeholders."""
        refs = [f"<media id {number}>" for number in range(1, len(rendering.media) + 1)]
        steps: list[dict[str, Any]] = []
        for ref, item in zip(refs, rendering.media, strict=True):
            steps += dry_run(self, ref, item, rendering.language)
        for index, text in enumerate(rendering.parts):
            body: dict[str, Any] = {"text": text}
            if index == 0 and refs:
                body["media"] = {"media_ids": refs}
            if index > 0:
                body["reply"] = {"in_reply_to_tweet_id": f"<id of part {index}>"}
            steps.append({"method": "POST", "url": f"{self.api_base}/2/tweets", "json": body})
        return steps

    # ------------------------------------------------------------------ publish

    @contextmanager
    def connection(self) -> Iterator[tweepy.Client]:
        """tweepy's client on the shared session (api_base instead of api.twitter.com, timeout)."""
        import tweepy

        from hospipost.networks.http import LOG_REDACTOR, USER_AGENT

        keys = [self.secret(key) for key in CREDENTIAL_KEYS]  # CredentialsError names the variable
        LOG_REDACTOR.guard(LIBRARY_LOGGERS, keys)
        api_key, api_secret, token, token_secret = keys
        client = tweepy.Client(
            consumer_key=api_key, consumer_secret=api_secret, access_token=token, access_token_secret=token_secret
        )
        client.user_agent = f"{USER_AGENT} Tweepy/{tweepy.__version__}"
        client.session = self.session(sdk_base=TWEEPY_HOST, user_agent=client.user_agent)
        client.session.hooks["response"].append(_readable_reset)
        try:
            yield client
        finally:
            client.session.close()

    def upload_images(self, client: tweepy.Client, images: list[Image]) -> list[str]:
        return [upload_data(self, client, image.media, image.type, image.data) for image in images]

    def upload_video(self, client: tweepy.Client, video: Video) -> list[str]:
        """The video in chunks (tweet_video), processed by X, then its alt text; captions come with the post."""
        return [upload(self, client, video.media, video.type, video.size, video.chunks(self.chunk_bytes))]

    def post_part(self, client: tweepy.Client, part: Part) -> str:
        """``POST /2/tweets`` replying to the previous part (X has no idempotency key)."""
        if part.video is not None and part.video.captions is not None:
            caption(self, client, part.video, part.media_ids[0], part.language)
        try:
            response = client.create_tweet(
                text=part.text, media_ids=part.media_ids or None, in_reply_to_tweet_id=part.reply_to, user_auth=True
            )
            tweet_id = str(response.data["id"])
        except Exception as error:
            raise self.failure(error, Attempt(part.doing, Step.PUBLISH, part.index)) from None
        log.info("X: %s done, id %s", part.doing, tweet_id)
        return tweet_id

    def delete_part(self, client: tweepy.Client, part_id: str) -> None:
        """``DELETE /2/tweets/:id``; a post X no longer has (404, or a not-found problem) counts as deleted."""
        from tweepy.errors import NotFound

        deleting = Attempt(f"deleting the post {part_id}", Step.DELETE)
        try:
            answer = client.delete_tweet(part_id, user_auth=True)
        except NotFound:
            answer = None
        except Exception as error:
            raise self.failure(error, deleting) from None
        problems = [problem for problem in (answer.errors if answer else []) if isinstance(problem, dict)]
        if answer is None or any(
            "not-found" in str(p.get("type")) or p.get("title") == "Not Found Error" for p in problems
        ):
            log.info("X: the post %s was already deleted", part_id)
        elif not (answer.data or {}).get("deleted"):
            said = _explanation({"errors": problems}) or "no reason given"
            raise PermanentError(
                self.redact(f"X did not delete the post {part_id} ({said}); it is still online: {BY_HAND}")
            )

    def post_url(self, remote_id: str) -> str:
        return STATUS_URL.format(remote_id)

    def verify(self) -> str:
        """``GET /2/users/me`` with the OAuth 1.0a keys: ``@handle`` of the account we post as."""
        with self.connection() as client:
            try:
                data = client.get_me(user_auth=True).data
                username = data["username"] if isinstance(data, dict) else data.username
            except Exception as error:
                raise self.failure(error, Attempt("checking the credentials", Step.READ)) from None
        return f"@{username}"

    def read_metrics(self, client: tweepy.Client, remote_ids: list[str], attempt: Attempt) -> dict[str, dict[str, int]]:
        """``GET /2/tweets?ids=…&tweet.fields=public_metrics`` (user context); a deleted post is one of X's
        ``errors`` in a 200 answer: left out. A figure X leaves out is absent, never 0."""
        answer = client.get_tweets(remote_ids, tweet_fields=["public_metrics"], user_auth=True)
        found = {}
        for tweet in answer.data or []:
            counts = tweet.data.get("public_metrics") or {}
            found[str(tweet.id)] = {
                name: counts[field] for name, field in PUBLIC_METRICS.items() if type(counts.get(field)) is int
            }
        return found

    def _call(self, client: tweepy.Client, attempt: Attempt, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One signed request to X's media API: its ``data``; an error answer raised as tweepy's own HTTPException."""
        import tweepy
        from tweepy.errors import HTTPException

        keys = (client.consumer_key, client.consumer_secret, client.access_token, client.access_token_secret)
        auth = tweepy.OAuth1UserHandler(*keys).apply_auth()  # the signer tweepy's Client uses
        try:
            response = client.session.request(method, f"{self.api_base}/2/media{path}", auth=auth, **kwargs)
            if not 200 <= response.status_code < 300:
                raise HTTPException(response)  # what tweepy's Client raises: answer_of reads it
            body = response.json() if response.content else {}
            if not isinstance(body, dict):
                raise ValueError("the answer is not a JSON object")
        except Exception as error:
            raise self.failure(error, attempt) from None
        if body.get("errors") and not body.get("data"):
            raise PermanentError(
                self.redact(
                    f"X refused {attempt.doing} ({_explanation(body)}); nothing was published: fix the file,"
                    " then publish again"
                )
            )
        return body.get("data") or {}

    # ------------------------------------------------------------------ X's own failures

    def network_failure(self, error: BaseException, attempt: Attempt) -> DeliveryError | None:
        """X's "duplicate content" refusal of a post (it may be online) and its usage caps (429)."""
        from tweepy.errors import HTTPException

        if not isinstance(error, HTTPException):
            return None
        body = _json(error.response)
        texts = [*map(str, error.api_messages), str(body.get("detail", "")), str(body.get("title", ""))]
        duplicate = 187 in error.api_codes or any("duplicate content" in text.lower() for text in texts)
        if duplicate and attempt.step is Step.PUBLISH:
            part = f" (part {attempt.online + 1} of the thread)" if attempt.online else ""
            return UnknownOutcome(
                f"X says this text{part} was already posted: it was probably published by an earlier attempt;"
                f" {self.unknown_hint()}{attempt.already}"
            )
        if error.response.status_code == 429 and (
            "usage-capped" in str(body.get("type", "")) or body.get("title") == "UsageCapExceeded"
        ):
            retry_at = _latest_reset(error.response.headers)
            period = str(body.get("period") or "current").lower()
            return TransientError(
                f"X's {period} usage cap for this app was reached while {attempt.doing}; {attempt.nothing},"
                f" {who_tries_again(attempt)} {f'after {retry_at:%H:%M} UTC' if retry_at else 'later'} (or raise the"
                f" plan in the X developer portal){attempt.already}",
                retry_at,
            )
        return None

    def answer_of(self, error: BaseException) -> Answer | None:
        """tweepy's HTTPException: its response, X's messages, and the latest exhausted window's reset."""
        from tweepy.errors import HTTPException

        if not isinstance(error, HTTPException):
            return None
        response = error.response
        reset = _latest_reset(response.headers)
        headers = {"x-rate-limit-reset": f"{reset.timestamp():.0f}"} if reset else {}
        reason = _explanation(_json(response), error.api_messages) or str(response.reason or "")
        return Answer(response.status_code, headers, reason)

    def credentials_hint(self) -> str:
        names = ", ".join(str(self.settings.options.get(key) or key) for key in CREDENTIAL_KEYS)
        return f"check {names} or regenerate the access token in the X developer portal, then publish again"

    def permissions_hint(self, attempt: Attempt) -> str:
        post = "fix the post or " if attempt.step is Step.PUBLISH else ""
        return (
            f"{post}give the app Read and write permission in the X developer portal, then regenerate the access"
            " token and publish again"
        )


# ---------------------------------------------------------------------- helpers


def _readable_reset(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    """A response hook: tweepy's int() of an unreadable ``x-rate-limit-reset`` would raise, so it goes."""
    reset = response.headers.get("x-rate-limit-reset")
    if response.status_code == 429 and reset is not None and not reset.strip().isdigit():
        del response.headers["x-rate-limit-reset"]
    return response


def _latest_reset(headers: Mapping[str, str]) -> datetime | None:
    """When the latest exhausted window frees (the 15-minute one, or a 24-hour one at 0 remaining)."""
    from hospipost.networks.failures import reset_header

    resets = [
        reset_header(headers.get(f"{window}-reset"), epoch=True)  # at most MAX_WAIT away, None when unreadable
        for window in WINDOWS
        if window == "x-rate-limit" or headers.get(f"{window}-remaining") in ("0", None)
    ]
    return max((when for when in resets if when is not None), default=None)


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except Exception:
        return {}
    return body if isinstance(body, dict) else {}


def _explanation(body: dict[str, Any], messages: list[Any] | None = None) -> str:
    """X's own explanation, on one line: its errors' messages, else the problem's detail or title."""
    if not messages:
        errors = body.get("errors") or []
        messages = [e.get("message") or e.get("detail") or e.get("title") if isinstance(e, dict) else e for e in errors]
    texts = [str(text) for text in messages if text] or [str(body[k]) for k in ("detail", "title") if body.get(k)][:1]
    return " ".join("; ".join(texts).split()).rstrip(". ")
