"""Mastodon through Mastodon.py 2.3.3, on the instance named in config (``api_base`` overrides it).

Each part is a status sent with an Idempotency-Key the instance remembers for about an hour, so re-sending an
unknown part within that hour is safe. Images and a video go to /api/v2/media and are polled until processed
(mastodon_media.py); verify() learns the instance's own limits (learn_limits). More: NOTES.md, Mastodon."""

from __future__ import annotations

import io
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hospipost.networks.base import ConfigKey, Limits, Network, Step, http_url_problem, positive_int
from hospipost.networks.failures import Answer, Attempt, NotFoundError, PermanentError, UnknownOutcome, by_transport
from hospipost.networks.http import LOG_REDACTOR
from hospipost.networks.mastodon_media import VIDEO, dry_run, learnt_video, processing_failure, upload
from hospipost.networks.video import MP4_MOV
from hospipost.textlength import URL_LENGTH, mastodon_length

if TYPE_CHECKING:
    import mastodon

    from hospipost.config import NetworkSettings
    from hospipost.networks.base import Image, Part, Rendering
    from hospipost.networks.failures import DeliveryError
    from hospipost.networks.video import Video

log = logging.getLogger(__name__)

ASSUMED_VERSION = "4.0.0"  # any version ≥ 3.1.4 makes Mastodon.py use /api/v2/media
LIMITS = {  # the instance's name of each limit verify() learns: the Limits field it sets
    "max_characters": "max_length",
    "max_media_attachments": "max_images",
    "image_size_limit": "max_image_bytes",
    "description_limit": "max_alt_length",
    "characters_reserved_per_url": "url_weight",  # how ``count`` weighs a URL (and its length_unit)
    "video_size_limit": "video_bytes",  # with the video types in supported_mime_types: Limits.video
}
COUNTS = {"comments": "replies_count", "shares": "reblogs_count", "likes": "favourites_count", "quotes": "quotes_count"}


@dataclass(frozen=True)
class Request(Attempt):
    reply_to: str | None = None  # what Mastodon's own refusals name: the status replied to


class Mastodon(Network):
    name = "mastodon"
    label = "Mastodon"
    who = "the Mastodon instance"
    default_api_base = ""  # the instance URL: see api_base
    limits = Limits(  # until verify() learns the instance's own (effective_limits); sources: NOTES.md
        500,
        mastodon_length,
        "characters (URLs count 23)",
        4,
        10 * 2**20,
        max_alt_length=1500,
        supports_threads=True,
        video=VIDEO,
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
    rate_limit_wait = timedelta(minutes=5)
    max_processing_wait = 60.0  # seconds allowed for the instance to process an uploaded image (then transient)
    max_video_wait = 300.0  # the same for a video, transcoded in the background: within the publisher's 15-min lease
    metric_words = {"likes": "favourites", "shares": "boosts", "comments": "replies", "quotes": "quotes"}
    metrics_batch = 20  # GET /api/v1/statuses?id[]= takes 20 ids (Mastodon 4.3+); older: one request per status
    metrics_permission = "read:statuses"

    def __init__(self, settings: NetworkSettings, credentials: Any, cache_dir: Path | None = None) -> None:
        super().__init__(settings, credentials, cache_dir)
        self.sleep: Callable[[float], None] = time.sleep  # tests inject a fake
        self._local = threading.local()  # per thread: the session, the statuses posted, the post being sent

    @property
    def api_base(self) -> str:
        """``api_base`` when set (a proxy, a local test server), else the instance URL."""
        return normalise_url(self.settings.options.get("api_base") or self.settings.options.get("instance") or "")

    @classmethod
    def account_key(cls, settings: NetworkSettings) -> str:
        """The instance URL in lower case (Mastodon runs at a host's root; api_base may be a proxy to it)."""
        return normalise_url(settings.options.get("instance") or "").lower()

    @classmethod
    def learnt_limits(cls, learnt: dict[str, Any]) -> Limits:
        """Also the instance's URL weight (characters_reserved_per_url) in ``count``, its video size and types."""
        weight = learnt["url_weight"] if positive_int(learnt.get("url_weight")) else URL_LENGTH
        unit = f"characters (URLs count {weight})"
        video = learnt_video(cls.limits.video, learnt)
        return replace(super().learnt_limits(learnt), count=mastodon_counter(weight), length_unit=unit, video=video)

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        """The requests publishing would make, in order (no token, no network); ``key`` gives the Idempotency-Keys."""
        base, refs = self.api_base, [f"<media id {number}>" for number in range(1, len(rendering.media) + 1)]
        steps = [dry_run(base, item, number) for number, item in enumerate(rendering.media, 1)]
        for index, text in enumerate(rendering.parts):
            reply_to, media_ids = (f"<id of part {index}>", []) if index else (None, refs)
            args = status_arguments(text, reply_to, media_ids, rendering.language, key or "<delivery id>", index)
            headers, data = {"Idempotency-Key": args.pop("idempotency_key")}, status_fields(args)
            steps.append({"method": "POST", "url": f"{base}/api/v1/statuses", "headers": headers, "data": data})
        return steps

    def upload_images(self, client: mastodon.Mastodon, images: list[Image]) -> list[str]:
        """``POST /api/v2/media`` for each image, then ``GET /api/v1/media/{id}`` until it is processed."""
        return [upload(self, client, io.BytesIO(image.data), image.type, image.media) for image in images]

    def upload_video(self, client: mastodon.Mastodon, video: Video) -> list[str]:
        """One ``POST /api/v2/media`` (alt text as ``description``, no captions file), polled while transcoded (206)."""
        with open(video.path, "rb") as handle:  # requests reads it into the multipart body
            return [upload(self, client, handle, video.type, video.media)]

    def post_part(self, client: mastodon.Mastodon, part: Part) -> str:
        """``POST /api/v1/statuses`` with the part's Idempotency-Key, replying to the previous part."""
        posting = Request(part.doing, Step.PUBLISH, part.index, reply_to=part.reply_to)
        self._local.post = part.key.split(":", 1)[0]  # what unknown_hint() names
        args = status_arguments(part.text, part.reply_to, part.media_ids, part.language, part.key, part.index)
        status = self._call(posting, client.status_post, **args)
        status_id = str(status.get("id") or "")
        if not status_id:
            raise UnknownOutcome(
                f"{self.who} accepted {part.doing} but returned no status id: it may be online;"
                f" {self.unknown_hint()}{posting.already}"
            )
        log.info("Mastodon: %s done, id %s", part.doing, status_id)
        self._local.latest, self._local.urls[status_id] = status, status.get("url") or status.get("uri")
        return status_id

    def delete_part(self, client: mastodon.Mastodon, part_id: str) -> None:
        """``DELETE /api/v1/statuses/:id`` (the instance allows 30 deletions per 30 minutes: a 429 says until when);
        a status the instance no longer has (404) counts as deleted."""
        try:
            self._call(Attempt(f"deleting the status {part_id}", Step.DELETE), client.status_delete, part_id)
        except NotFoundError:
            log.info("Mastodon: the status %s was already deleted", part_id)

    def post_url(self, remote_id: str) -> str | None:
        """The URL the instance gave, or (a thread resumed) the same account's URL with this id."""
        account = _mapping(_mapping(getattr(self._local, "latest", None)).get("account")).get("url")
        own = f"{str(account).rstrip('/')}/{remote_id}" if account else None
        return getattr(self._local, "urls", {}).get(remote_id) or own

    def verify(self) -> str:
        """The instance's limits and version (cached for `check`, `stats fetch`) and the account the token posts as."""
        with self.connection() as client:
            reading = Attempt("reading the instance's limits", Step.READ)
            try:  # /api/v2/instance/, or v1 on an instance before 4.0
                info = self._call(reading, client.instance_v2)
            except NotFoundError:
                info = self._call(reading, client.instance_v1)
            note = self.learn_limits(found := instance_limits(info))
            account = self._call(Attempt("checking the token", Step.READ), client.account_verify_credentials)
        acct = account.get("acct") or account.get("username") or "?"
        domain = info.get("domain") or info.get("uri") or self.api_base.split("://", 1)[-1]
        limits, weight = self.learnt_limits(found), found.get("url_weight", URL_LENGTH)
        return f"@{acct} on {domain} ({limits.max_length} characters, URLs count {weight}, {limits.max_images} images{note})"

    def read_metrics(self, client: mastodon.Mastodon, ids: list[str], attempt: Attempt) -> dict[str, dict[str, int]]:
        """``GET /api/v1/statuses?id[]=…`` on 4.3+ (the version verify() learnt; tried when unknown, until a 404), else
        ``GET /api/v1/statuses/:id`` each, a status gone (404) left out."""
        learnt = self.learnt_facts(self.settings, self.cache_dir)
        version = re.findall(r"\d+", str(learnt.get("version") or 4.3))
        if len(ids) > 1 and getattr(self._local, "batches", [int(n) for n in version[:2]] >= [4, 3]):
            try:
                return status_figures(self._call(attempt, client.statuses, ids))
            except NotFoundError:  # an instance before 4.3: no such route
                self._local.batches = False
        found: dict[str, dict[str, int]] = {}
        for status_id in ids:
            with suppress(NotFoundError):  # deleted since: left out
                found |= status_figures([self._call(attempt, client.status, status_id)])
        return found

    @contextmanager
    def connection(self) -> Iterator[mastodon.Mastodon]:
        """Mastodon.py on the shared session: no rate-limit waits, no version probe, v2 media."""
        from mastodon import Mastodon as Client

        if http_url_problem(self.api_base):
            raise PermanentError(
                f"networks.mastodon.instance (or api_base) {self.api_base!r} is not an http(s) URL:"
                " set it to the instance's address, e.g. https://social.example.org, in config.yaml"
            )
        token = self.secret("token_env")  # CredentialsError names the variable
        LOG_REDACTOR.guard(("urllib3", "requests"), (token,))
        self._local.latest, self._local.urls = None, {}  # the last status posted: its account gives the URLs
        session = self._local.session = self.session()  # it sets the timeout and User-Agent: None in Mastodon.py
        options: dict[str, Any] = {"ratelimit_method": "throw", "request_timeout": None, "user_agent": None}
        client = Client(api_base_url=self.api_base, session=session, mastodon_version=ASSUMED_VERSION, **options)
        # Mastodon.py 2.3.3 ignores mastodon_version in its (default) "none" check mode: set the parsed version.
        client.mastodon_major, client.mastodon_minor, client.mastodon_patch = map(int, ASSUMED_VERSION.split("."))
        client.access_token = token  # after construction: never read as a token file's path
        with session:
            yield client

    def _call(self, attempt: Attempt, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One Mastodon.py request, its failure as a delivery outcome (a redirect, which it takes for a success, too)."""
        from mastodon.errors import MastodonAPIError

        try:
            answer = call(*args, **kwargs)
            if 300 <= getattr(self._local.session.last, "status_code", 0) < 400:
                raise MastodonAPIError("Redirect not followed")  # answer_of reads the status from the session
        except Exception as error:
            raise self.failure(error, attempt) from None
        return answer if isinstance(answer, dict | list) else {}  # a status, or statuses

    def answer_of(self, error: BaseException) -> Answer | None:
        """Mastodon.py's errors keep the instance's own message (args[3]), the session the answer itself."""
        from mastodon.errors import MastodonAPIError, MastodonRatelimitError

        last = getattr(getattr(self._local, "session", None), "last", None)
        if last is None or not isinstance(error, MastodonAPIError | MastodonRatelimitError):
            return None
        said = " ".join(str(error.args[3] or "").split())[:300] if len(error.args) > 3 else ""
        return Answer(last.status_code, last.headers, said.rstrip("."))

    def network_failure(self, error: BaseException, attempt: Attempt) -> DeliveryError | None:
        """Mastodon's own: a requests failure Mastodon.py wrapped, a refusal before sending, a redirect (the
        instance key to change), an image unprocessed or lost, a deleted status replied to, a gone account."""
        from mastodon.errors import MastodonError, MastodonNetworkError

        if isinstance(error, MastodonNetworkError) and isinstance(error.__context__, Exception):
            return by_transport(self, error.__context__, attempt)
        answer, doing, nothing, already = self.answer_of(error), attempt.doing, attempt.nothing, attempt.already
        if answer is None:
            if not isinstance(error, MastodonError) or isinstance(error, OSError):  # OSError: a network error
                return None
            return PermanentError(
                f"Mastodon.py refused {doing} before sending it ({type(error).__name__}: {error}); {nothing}{already}"
            )
        status, ref = answer.status, answer.ref
        if 300 <= status < 400:
            where = answer.headers.get("Location") or "another address"
            return PermanentError(
                f"{self.who} redirected {doing} to {where} ({ref}, not followed); {nothing}: set"
                f" networks.mastodon.instance (or api_base) to that address{already}"
            )
        if processed := processing_failure(self.who, answer, attempt):
            return processed
        if status == 404 and (reply_to := getattr(attempt, "reply_to", None)):
            return PermanentError(
                f"{self.who} no longer has part {attempt.online} of the thread (status {reply_to}), which part"
                f" {attempt.online + 1} replies to ({ref}): it was probably deleted; check the account, then"
                f" publish the rest of the thread by hand{already}"
            )
        if status == 410:
            return PermanentError(
                f"{self.who} answered {doing} with 410 Gone: the account may be suspended or"
                f" deleted; {nothing}: check it on the instance{already}"
            )
        return None

    def credentials_hint(self) -> str:
        return (
            "the token is invalid or revoked, so create a new application token with write:statuses and write:media"
            f" (and read:accounts, which `hospipost networks check` needs) and set {self.settings.options['token_env']}"
        )

    def permissions_hint(self, attempt: Attempt) -> str:
        need = "read:accounts" if attempt.step is Step.READ else "write:statuses and write:media"
        return (
            f"the token lacks a scope (it needs {need}) or the account is disabled or suspended; fix it on the"
            " instance, then try again"
        )

    def unknown_hint(self) -> str:
        post = getattr(self._local, "post", "POST")
        return (
            "re-sending is safe within about an hour of this attempt, because Mastodon answers a repeat carrying the"
            f" same Idempotency-Key with the post it already made: `hospipost reconcile {post} --network mastodon"
            " --not-sent` then `hospipost publish` records the right post either way (after that hour, check the"
            " account first)"
        )


def idempotency_key(key: str, index: int) -> str:
    """The Idempotency-Key of part ``index`` of a delivery: the same on every retry and re-send."""
    import hashlib

    value = f"{key}#{index}"  # a header value: plain ASCII, else its hash
    return value if value.isascii() and value.isprintable() else f"sha256:{hashlib.sha256(value.encode()).hexdigest()}"


def status_arguments(
    text: str, reply_to: str | None, media_ids: list[str], tag: str, key: str, index: int
) -> dict[str, Any]:
    """Mastodon.py's ``status_post`` arguments for part ``index`` of delivery ``key``, in language ``tag`` (BCP 47:
    Mastodon's ``language`` is its ISO 639 subtag, en-GB -> en)."""
    fields = {"status": text, "in_reply_to_id": reply_to, "media_ids": media_ids or None, "visibility": "public"}
    return fields | {"language": tag.split("-", 1)[0], "idempotency_key": idempotency_key(key, index)}


def status_fields(args: dict[str, Any]) -> dict[str, Any]:
    """The form fields Mastodon.py sends to POST /api/v1/statuses for these ``status_post`` arguments."""
    reply_to, media_ids = args["in_reply_to_id"], args["media_ids"]
    fields = {"status": args["status"]} | ({"in_reply_to_id": reply_to} if reply_to else {})
    fields |= {"sensitive": "0", "visibility": args["visibility"], "language": args["language"]}
    return fields | ({"media_ids[]": list(media_ids)} if media_ids else {})


def normalise_url(value: str) -> str:
    """An instance or API address as Mastodon.py uses it: https:// when no scheme, no final slash."""
    value = str(value).strip()
    return (value if "://" in value or not value else "https://" + value).rstrip("/")


def instance_limits(info: dict[str, Any]) -> dict[str, Any]:
    """The limits an instance document states (v2, v1 or Pleroma's max_toot_chars), those present only, and
    the video types it takes (of MP4 and MOV) when it lists its supported_mime_types."""
    configuration = _mapping(info.get("configuration"))
    statuses, media = _mapping(configuration.get("statuses")), _mapping(configuration.get("media_attachments"))
    found = {**statuses, **media, "max_characters": statuses.get("max_characters", info.get("max_toot_chars"))}
    limits = {field: found[name] for name, field in LIMITS.items() if type(found.get(name)) is int and found[name] > 0}
    limits |= {"version": info["version"]} if isinstance(info.get("version"), str) else {}  # for read_metrics
    types = media.get("supported_mime_types")
    return limits | ({"video_types": sorted(MP4_MOV & set(map(str, types)))} if isinstance(types, list) else {})


@lru_cache(maxsize=16)
def mastodon_counter(url_weight: int = URL_LENGTH) -> Callable[[str], int]:
    """Mastodon's length with every URL counting ``url_weight`` (the instance's characters_reserved_per_url)."""
    return mastodon_length if url_weight == URL_LENGTH else partial(mastodon_length, url_weight=url_weight)


def status_figures(statuses: list[Any]) -> dict[str, dict[str, int]]:
    """Each status's figures by id; quotes only where the instance counts them (Mastodon 4.5+), never 0 for absent."""
    found = [status for status in statuses if isinstance(status, dict) and status.get("id")]
    return {str(s["id"]): {name: s[key] for name, key in COUNTS.items() if type(s.get(key)) is int} for s in found}


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
