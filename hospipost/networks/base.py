"""What every network adapter declares: its limits, its config keys, how a post renders.

The limits declared here are the single source of truth: ``check`` reads them for
``network-length``, ``network-media`` and ``a11y-alt-text``, and the adapters obey them
when publishing. SDKs are imported inside adapter methods, never at module level, so that
``check`` and ``--help`` stay fast.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from hospipost.config import DEFAULT_LANGUAGE
from hospipost.networks.failures import (  # re-exported: what adapters and the publisher catch
    MAX_WAIT,
    RECONCILE,
    Answer,
    Attempt,
    DeliveryError,
    NotFoundError,
    PermanentError,
    Step,
    TransientError,
    UnknownOutcome,
    as_sentence,
    classify,
    reset_header,
    retry_in,
    retry_time,
)

if TYPE_CHECKING:
    from hospipost.config import NetworkSettings
    from hospipost.credentials import Credentials
    from hospipost.networks.video import Video, VideoLimits
    from hospipost.posts import Media, Post

__all__ = [  # the failures re-exported, so that adapters and the publisher find them beside Network
    "MAX_WAIT",
    "Answer",
    "Attempt",
    "DeliveryError",
    "NotFoundError",
    "PermanentError",
    "Step",
    "TransientError",
    "UnknownOutcome",
    "as_sentence",
    "reset_header",
    "retry_in",
    "retry_time",
]

log = logging.getLogger(__name__)

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


@dataclass(frozen=True)
class Limits:
    """A network's limits; ``count`` measures text the way the network does."""

    max_length: int
    count: Callable[[str], int]
    length_unit: str
    max_images: int
    max_image_bytes: int
    image_types: frozenset[str] = IMAGE_TYPES
    max_alt_length: int | None = None
    supports_threads: bool = False
    max_bytes: int | None = None  # a cap on the UTF-8 size of each text, where the network has one
    video: VideoLimits | None = None  # what it takes as video; None: hospipost publishes no video there
    max_hashtags: int | None = None  # the most hashtags a text may hold, where the network caps them
    max_mentions: int | None = None  # the most @mentions a text may hold, where the network caps them
    requires_media: bool = False  # a post needs at least one image or video (Instagram)
    shrink_to_fit: bool = False  # a heavy or EXIF-turned image is re-encoded (media.fit_image), not refused
    max_image_side: int | None = None  # the longest side of such a re-encoded image, in pixels


LEARNABLE = frozenset({"max_length", "max_images", "max_image_bytes", "max_alt_length", "max_bytes"})
"""The Limits an account may state for itself (``Network.learn_limits``)."""


@dataclass(frozen=True)
class ConfigKey:
    """One key of a network's section in config.yaml."""

    type: type | tuple[type, ...]
    required: bool = False
    default: Any = None
    help: str = ""
    check: Callable[[Any], str | None] | None = None
    """What is wrong with a value config.yaml gives (checked when it loads), or None."""


def http_url_problem(value: Any) -> str | None:
    """Why a value is not an http(s) base URL, or None."""
    import re

    if re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", str(value).strip()):
        return None
    return f"{value!r} is not an http(s) URL such as https://api.example.org"


COMMON_KEYS: dict[str, ConfigKey] = {
    "enabled": ConfigKey(bool, default=False, help="publish to this network"),
    "api_base": ConfigKey(str, help="API base URL (a proxy or a local test server)", check=http_url_problem),
    "timeout": ConfigKey((int, float), default=30, help="seconds to wait for the network"),
}


@dataclass(frozen=True)
class Rendering:
    """What one network receives for one post: the text of each part, the media of the first,
    and the language they are written in (a BCP 47 tag)."""

    network: str
    parts: list[str]
    media: list[Media] = field(default_factory=list)
    language: str = DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Sent:
    """A published delivery: the network's id and public URL of the first part."""

    remote_id: str
    url: str | None


@dataclass(frozen=True)
class Image:
    """An image ready to upload: its bytes without metadata and its sniffed MIME type."""

    media: Media
    data: bytes
    type: str
    original_bytes: int | None = None  # the file's size, when it was re-encoded to fit (Limits.shrink_to_fit)


@dataclass(frozen=True)
class Part:
    """One part of a thread to post: its text, the ids of its uploaded media (first part only),
    the id of the part it replies to, and the delivery id (an idempotency key where supported)."""

    index: int
    count: int
    text: str
    media_ids: list[str]
    reply_to: str | None
    key: str
    language: str
    images: list[Image] = field(default_factory=list)  # what media_ids are, in order (alt texts)
    video: Video | None = None  # the first part's video, where the post has one
    staged: str | None = None  # the id of this part prepared (not published) by an earlier attempt
    stage: Callable[[str], None] = lambda staged_id: None  # record a prepared id before publishing it

    @property
    def doing(self) -> str:
        """What posting it is, for messages."""
        return (
            "publishing the post"
            if self.count == 1
            else f"publishing part {self.index + 1} of {self.count} of the thread"
        )


PartSent = Callable[[int, str], None]
"""Called after each thread part is published: (part index, the network's id of it)."""
STAGED = "staged:"
"""Marks, in a delivery's list of part ids, a part prepared on the network but not published yet
(a Meta container): a retry publishes that one instead of preparing a second post."""


class Network:
    """Base class of the network adapters.

    An adapter is built from its config section and the credentials store; it imports
    its SDK inside its methods. ``publish`` sends one rendering, resuming a thread after
    the parts listed in ``done`` (ids of parts already published), reporting each new
    part through ``part_sent`` so a crash mid-thread never re-sends a part. It raises
    TransientError, PermanentError or UnknownOutcome, with messages free of secrets.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    limits: ClassVar[Limits]
    config_keys: ClassVar[dict[str, ConfigKey]] = {}
    default_api_base: ClassVar[str]

    def __init__(self, settings: NetworkSettings, credentials: Credentials, cache_dir: Path | None = None) -> None:
        self.settings = settings
        self.credentials = credentials
        self.cache_dir = cache_dir  # where verify() may cache facts such as an instance's limits

    @classmethod
    def effective_limits(cls, settings: NetworkSettings | None, cache_dir: Path | None) -> Limits:
        """The limits `check` applies: the declared ones, with what verify() learnt for this account."""
        learnt = cls.learnt_facts(settings, cache_dir)
        return cls.learnt_limits(learnt) if learnt else cls.limits

    @classmethod
    def learnt_facts(cls, settings: NetworkSettings | None, cache_dir: Path | None) -> dict[str, Any]:
        """What verify() learnt of this account (``learn_limits``); empty when nothing was."""
        if settings is None or cache_dir is None:
            return {}
        learnt = _read_json(Path(cache_dir) / f"{cls.name}-limits.json").get(cls.account_key(settings))
        return learnt if isinstance(learnt, dict) else {}

    @classmethod
    def account_key(cls, settings: NetworkSettings) -> str:
        """Whose limits ``learn_limits`` keeps (the API address by default: a server has its own)."""
        return settings.api_base

    @classmethod
    def learnt_limits(cls, learnt: dict[str, Any]) -> Limits:
        """The declared limits with every learnt value of LEARNABLE that is a positive integer."""
        found = {name: value for name, value in learnt.items() if name in LEARNABLE and positive_int(value)}
        return replace(cls.limits, **found)

    def learn_limits(self, learnt: dict[str, Any]) -> str:
        """Keep limits learnt from the account (verify) for ``effective_limits``, atomically; a note
        for verify()'s answer when they could not be kept."""
        from hospipost.queuefile import atomic_write

        if self.cache_dir is None:
            return ""
        path = Path(self.cache_dir) / f"{self.name}-limits.json"
        entry = {**learnt, "checked_at": datetime.now(UTC).isoformat(timespec="seconds")}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            data = _read_json(path) | {self.account_key(self.settings): entry}
            atomic_write(path, (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode())
        except OSError as error:
            log.warning("%s: could not keep the limits learnt in %s: %s", self.label, self.cache_dir, error)
            return f"; limits not cached: {error.strerror or error}"
        return ""

    @property
    def api_base(self) -> str:
        return self.settings.api_base

    @property
    def timeout(self) -> float:
        return float(self.settings.options.get("timeout") or 30)

    def secret(self, key: str) -> str:
        """The credential named by config key ``key`` (e.g. token_env)."""
        name = self.settings.options[key]
        return self.credentials.get(name, f"{self.label} credentials (networks.{self.name}.{key})")

    @property
    def who(self) -> str:
        """The network as messages name it."""
        return self.label

    def read_images(self, media: list[Media], limits: Limits | None = None) -> list[Image]:
        """Every image read, stripped of its metadata and checked against ``limits`` (the account's, by default:
        count, size, type), before any request: a bad file sends nothing (PermanentError)."""
        limits = limits or self.effective_limits(self.settings, self.cache_dir)  # what verify() learnt, if anything
        if len(media) > limits.max_images:
            raise PermanentError(
                f"{self.who} accepts at most {limits.max_images} images per post and this one has {len(media)}:"
                " remove some, then publish again"
            )
        return [self._load_image(item, limits) for item in media]

    def check_text(self, text: str, which: str) -> None:
        """A part's text against the declared limits, before any request (PermanentError); ``which`` names it."""
        limits, size = self.limits, len(text.encode("utf-8"))
        if not text.strip():
            raise PermanentError(f"{which} is empty: write it, then publish again")
        if (length := limits.count(text)) > limits.max_length:
            raise PermanentError(
                f"{which} is {length} {limits.length_unit} long and {self.who} accepts {limits.max_length}: shorten it,"
                " then publish again"
            )
        if limits.max_bytes and size > limits.max_bytes:
            raise PermanentError(
                f"{which} weighs {size} bytes and {self.who} accepts {limits.max_bytes}: shorten it, then publish again"
            )

    def _load_image(self, item: Media, limits: Limits) -> Image:
        from hospipost.media import fit_image, sniff, strip_metadata

        try:
            raw = item.path.read_bytes()
        except OSError as error:
            raise PermanentError(
                f"cannot read the image {item.file} ({error.strerror or error}): restore the file or fix the"
                " post's media, then publish again"
            ) from None
        fitted = None  # the image upright and light enough; None when no re-encode fits (refused below)
        if limits.shrink_to_fit and sniff(raw[:16])[0] in limits.image_types:
            try:
                fitted = fit_image(raw, limits.max_image_bytes, limits.max_image_side)
            except ValueError:
                raise PermanentError(
                    f"the image {item.file} cannot be decoded: replace the file, then publish again"
                ) from None
        data = strip_metadata(fitted or raw)  # no GPS position or camera data in a public post
        if len(data) > limits.max_image_bytes:
            raise PermanentError(
                f"the image {item.file} weighs {_size(len(data), limits.max_image_bytes)} and {self.who} accepts at"
                f" most {_size(limits.max_image_bytes)}: shrink it, then publish again"
            )
        media_type, kind = sniff(data[:16])  # the content decides, not the file name
        if media_type is None or media_type not in limits.image_types:
            names = [name for name in ("JPEG", "PNG", "GIF", "WEBP") if f"image/{name.lower()}" in limits.image_types]
            accepted = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)
            raise PermanentError(
                f"{self.who} accepts {accepted} images and {item.file} is {kind}: convert it, then publish again"
            )
        return Image(item, data, media_type, len(raw) if fitted is not None and fitted is not raw else None)

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        """The requests publishing would make, for --dry-run: no secrets, no network.

        ``key`` is the delivery id, where the network derives something from it (an
        idempotency key, a record key).
        """
        raise NotImplementedError

    def publish(
        self, rendering: Rendering, key: str, done: list[str], part_sent: PartSent, part_staged: PartSent | None = None
    ) -> Sent:
        """Publish a rendering; ``key`` is the delivery id (an idempotency key where supported).

        The template every network shares: resume after the parts in ``done``, read and check
        the images before any request, upload them for the first part only, post each part in
        reply to the previous one and report it through ``part_sent`` as soon as it is online.
        An adapter implements ``post_part`` (and ``upload_images``, ``connection``, ``post_url``,
        where needed ``begin`` and ``sent``). A network that prepares a part before publishing it
        records the prepared id through ``Part.stage`` (``part_staged``) and finds it again in
        ``Part.staged`` on a retry.
        """
        staged = done[-1].removeprefix(STAGED) if done and done[-1].startswith(STAGED) else None
        done = [part_id for part_id in done if not part_id.startswith(STAGED)]
        parts = rendering.parts if self.limits.supports_threads else ["\n\n".join(rendering.parts)]
        if done and len(done) >= len(parts):
            return self.sent(done[0])
        images, video = self.read_media(rendering.media) if not done and rendering.media else ([], None)
        first, previous = (done[0], done[-1]) if done else (None, None)
        with self.connection() as connection:
            self.begin(connection, parts[len(done) :], done)
            media_ids = self.upload_images(connection, images) if images else []
            media_ids = self.upload_video(connection, video) if video else media_ids
            for index in range(len(done), len(parts)):
                first_part = index == 0
                part = Part(
                    index,
                    len(parts),
                    parts[index],
                    media_ids if first_part else [],
                    previous,
                    key,
                    rendering.language,
                    images if first_part else [],
                    video if first_part else None,
                    staged if index == len(done) else None,
                    partial(part_staged or _unrecorded, index),
                )
                previous = self.post_part(connection, part)
                part_sent(index, previous)
                first = first or previous
        assert first is not None
        return self.sent(first)

    def retract(self, part_ids: list[str], deleted: PartSent) -> None:
        """Delete a published delivery: each part in ``part_ids`` (the network's ids, first part
        first) is deleted, the last part first, and reported through ``deleted`` as soon as it is
        gone, so a retry resumes with what remains. A part already gone counts as deleted."""
        with self.connection() as connection:
            for index in reversed(range(len(part_ids))):
                self.delete_part(connection, part_ids[index])
                deleted(index, part_ids[index])

    def delete_part(self, connection: Any, part_id: str) -> None:
        """Delete one published part (Step.DELETE). Errors are TransientError or PermanentError; a
        network whose API deletes nothing says, in a PermanentError, what to do by hand."""
        raise PermanentError(
            f"{self.who} does not let hospipost delete a post: delete it on {self.who} by hand, then record it"
            " with `hospipost retract --by-hand`"
        )

    def connection(self) -> AbstractContextManager[Any]:
        """The client (session, SDK object) every request of one publish goes through."""
        return nullcontext()

    def begin(self, connection: Any, parts: list[str], done: list[str]) -> None:
        """Once connected, before any upload or post: what the ``parts`` still to post need (checks,
        look-ups, the refs of the parts in ``done``). Nothing by default."""

    def sent(self, first: str) -> Sent:
        """What publish returns, from the id of the first part as ``post_part`` gave it."""
        return Sent(first, self.post_url(first))

    def upload_images(self, connection: Any, images: list[Image]) -> list[str]:
        """Upload the first part's images; the network's media ids, in order."""
        raise NotImplementedError

    def upload_video(self, connection: Any, video: Video) -> list[str]:
        """Upload the first part's video (and wait until the network has processed it): its media
        id. A network whose publishing request carries the video itself returns [] and posts
        ``Part.video`` in ``post_part``."""
        raise PermanentError(f"hospipost does not publish videos to {self.who} yet: remove the video or this network")

    def read_media(self, media: list[Media]) -> tuple[list[Image], Video | None]:
        """The post's images (read, stripped, checked) or its one video (measured, checked),
        before any request: a network takes one video per post, and no image beside it."""
        from hospipost.media import is_video
        from hospipost.networks.video import read_video

        videos = [item for item in media if is_video(item.path)]
        if not videos:
            return self.read_images(media), None
        if len(media) > 1:
            raise PermanentError(
                f"{self.who} takes one video per post, without images, and this post has {len(media)} media files:"
                " keep the video alone, then publish again"
            )
        limits = self.effective_limits(self.settings, self.cache_dir)  # what verify() learnt, as read_images
        return [], read_video(videos[0], limits.video, self.who)

    def post_part(self, connection: Any, part: Part) -> str:
        """Post one part; the network's id of it. Errors are TransientError, PermanentError, UnknownOutcome."""
        raise NotImplementedError

    def post_url(self, remote_id: str) -> str | None:
        """The public address of a published part, where the network has one."""
        return None

    def verify(self) -> str:
        """Check the credentials with a read-only call; return who we are posting as."""
        raise NotImplementedError

    # ------------------------------------------------------------------ metrics

    metric_words: ClassVar[dict[str, str]] = {}
    """The figures the network gives of a published post: hospipost's name (``metrics.FIGURES``) → the
    network's own word. Empty: it gives none. A figure it does not give is never shown as 0."""
    metrics_batch: ClassVar[int] = 1
    """How many posts one metrics request reads (the API's own maximum)."""
    metrics_permission: ClassVar[str] = "the permission to read the account's statistics"
    """What the token needs to read metrics, for the message when the network refuses."""
    metrics_parallel: ClassVar[int] = 1
    """How many metrics requests run at once, each lane on its own connection: for an API that reads one
    post per request (Threads); a batching API reads one batch after the other."""
    metrics_billed: ClassVar[bool] = False
    """Every read costs money (X): figures are read only when config says ``stats: {<network>: true}``."""

    def metrics(self, remote_ids: list[str]) -> Iterator[dict[str, dict[str, int]]]:
        """The figures of published posts (their first part's id), one batch of ``metrics_batch`` at a time,
        by id, in ``metrics_parallel`` lanes. A post the network no longer has is left out. A failure ends
        the reading (every lane) after what was read: a DeliveryError, classified as when publishing (a rate
        limit is a TransientError that says when), free of secrets."""
        batches = [remote_ids[at : at + self.metrics_batch] for at in range(0, len(remote_ids), self.metrics_batch)]
        lanes = max(1, min(self.metrics_parallel, len(batches)))
        if lanes == 1:
            yield from self._metrics_lane(batches, threading.Event())
            return
        from concurrent.futures import ThreadPoolExecutor

        stop, failure = threading.Event(), None

        def lane(part: list[list[str]]) -> tuple[list[dict[str, dict[str, int]]], DeliveryError | None]:
            found: list[dict[str, dict[str, int]]] = []
            try:
                found.extend(self._metrics_lane(part, stop))
            except DeliveryError as error:
                stop.set()
                return found, error
            return found, None

        with ThreadPoolExecutor(lanes, thread_name_prefix=f"{self.name}-metrics") as pool:
            for found, error in pool.map(lane, [batches[index::lanes] for index in range(lanes)]):
                yield from found
                failure = failure or error
        if failure is not None:
            raise failure

    def _metrics_lane(self, batches: list[list[str]], stop: threading.Event) -> Iterator[dict[str, dict[str, int]]]:
        """The batches' figures, one request each, on a connection of their own, until ``stop`` is set."""
        with self.connection() as connection:
            for batch in batches:
                if stop.is_set():
                    return
                attempt = Attempt(f"reading the figures of {_plural(len(batch), 'post')}", Step.METRICS)
                try:
                    yield self.read_metrics(connection, batch, attempt)
                except Exception as error:
                    failure = error if isinstance(error, DeliveryError) else self.failure(error, attempt)
                    if not isinstance(failure, NotFoundError) or len(batch) > 1:
                        raise _redacted(failure, self.redact) from None
                    yield {}  # deleted on the network since: nothing to read

    def read_metrics(self, connection: Any, remote_ids: list[str], attempt: Attempt) -> dict[str, dict[str, int]]:
        """One request's figures, by remote id, named as in ``metric_words``; it may raise the SDK's errors
        (``failure`` classifies them) or a DeliveryError."""
        raise NotImplementedError

    def metrics_hint(self) -> str:
        """What to do when the network refuses to give metrics (401, 403)."""
        return f"the token needs {self.metrics_permission}; give it, then run `hospipost stats fetch` again"

    # ------------------------------------------------------------------ failures

    idempotent_publish: ClassVar[bool] = False
    """Publishing the same part twice is impossible (a record key): a failed publish is transient."""
    idempotency_note: ClassVar[str] = ""
    """Why retrying a publish cannot duplicate the post, where ``idempotent_publish``."""
    rate_limit_wait: ClassVar[timedelta] = timedelta(minutes=15)
    """How long to wait after a 429 whose headers say nothing usable."""
    credential_keys: ClassVar[tuple[str, ...]] = ()
    """The config keys naming the credentials' variables (for messages)."""
    library_loggers: ClassVar[tuple[str, ...]] = ()
    """The SDK's loggers on the request path (each one: a filter sees no child's records), for ``remember_secrets``."""

    def failure(self, error: BaseException, attempt: Attempt) -> DeliveryError:
        """The delivery outcome of any failure while ``attempt``, its message free of secrets."""
        return _redacted(classify(self, error, attempt), self.redact)

    def network_failure(self, error: BaseException, attempt: Attempt) -> DeliveryError | None:
        """This network's own reading of an error (its codes), or None to let the shared rules decide."""
        return None

    def answer_of(self, error: BaseException) -> Answer | None:
        """The HTTP error answer inside an SDK's exception, or None when there was none."""
        return None

    def credentials_hint(self) -> str:
        """What to do when the network refuses the credentials."""
        names = ", ".join(str(self.settings.options.get(key) or key) for key in self.credential_keys)
        return f"check {names or 'the credentials'}, then publish again"

    def permissions_hint(self, attempt: Attempt) -> str:
        """What to do when the network refuses an action to valid credentials (403)."""
        return "give the account or app the permission this needs on the network, then publish again"

    def unknown_hint(self) -> str:
        """What to do when a post may be online."""
        return RECONCILE

    def redact(self, message: str) -> str:
        """The message without any credential handed out or any bearer token or ``access_token``."""
        import re

        from hospipost.credentials import redact

        message = redact(message, set(getattr(self.credentials, "handed_out", ())))
        return re.sub(r"(access_token=|Bearer\s+)[^&\s'\"),;]+", r"\1***", message, flags=re.IGNORECASE)

    def remember_secrets(self, *values: str) -> None:
        """Secrets the network handed out (tokens, a session): every redact() of the run, and the records of
        ``library_loggers``, strip them from now on."""
        from hospipost.networks.http import LOG_REDACTOR

        secrets = [value for value in values if value]
        self.credentials.handed_out.update(secrets)
        LOG_REDACTOR.guard(self.library_loggers, secrets)

    def load_private(self, name: str, owner: dict[str, str]) -> dict[str, Any] | None:
        """The JSON object ``save_private`` kept in the cache folder, if its ``owner`` fields match and only
        its owner can read it (else None; a warning when it is unreadable or readable by other users)."""
        if self.cache_dir is None or not (path := Path(self.cache_dir) / name).exists():
            return None
        if path.stat().st_mode & 0o077:
            log.warning("%s: %s is readable by other users; it is ignored and replaced", self.label, path)
            return None
        saved = _read_json(path, warn=True)
        return saved if saved and all(saved.get(key) == value for key, value in owner.items()) else None

    def save_private(self, name: str, data: dict[str, Any] | None) -> None:
        """Keep ``data`` (secrets) as JSON in the cache folder, atomically, readable by its owner only (created
        0600: atomic_write keeps the mode); None deletes it. Never raises: the next run logs in again."""
        from hospipost.queuefile import atomic_write

        if self.cache_dir is None:
            return
        path = Path(self.cache_dir) / name
        try:
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                path.touch(mode=0o600)
                path.chmod(0o600)
                atomic_write(path, json.dumps(data).encode())
        except OSError as error:
            log.warning("%s: could not save %s (%s)", self.label, path, error.strerror or error)

    def session(self, sdk_base: str = "", user_agent: str = "") -> Any:
        """A requests session to this network's api_base (see ``http.session_class``)."""
        from hospipost.networks.http import USER_AGENT, session_class

        return session_class()(self.api_base, self.timeout, user_agent or USER_AGENT, sdk_base)

    @classmethod
    def all_config_keys(cls) -> dict[str, ConfigKey]:
        return {**COMMON_KEYS, **cls.config_keys}

    @classmethod
    def render(cls, post: Post) -> Rendering:
        """The parts this network receives: a thread where it has threads, else one text."""
        text = post.text_for(cls.name)
        if cls.limits.supports_threads or not post.thread:
            parts = [text, *post.thread]
        else:
            parts = ["\n\n".join([text, *post.thread])]
        return Rendering(cls.name, parts, list(post.media), post.language)


def _unrecorded(index: int, staged_id: str) -> None:
    """Where nobody records prepared parts (``networks check``, tests)."""


def _size(count: int, limit: int | None = None) -> str:
    """A size in MB, in bytes when MB would hide that it is over ``limit``."""
    megabytes = f"{count / 1_048_576:.1f}".removesuffix(".0") + " MB"
    if count < 100_000 or (limit is not None and megabytes == _size(limit)):
        return f"{count:,} bytes".replace(",", " ")
    return megabytes


def _redacted(error: DeliveryError, redact: Callable[[str], str]) -> DeliveryError:
    """The same outcome (and retry time), its message free of secrets."""
    if isinstance(error, TransientError):
        return TransientError(redact(str(error)), error.retry_at)
    return type(error)(redact(str(error)))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _read_json(path: Path, warn: bool = False) -> dict[str, Any]:
    """A JSON object file's content; empty when it is missing or unreadable (check never fails on it)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        if not isinstance(error, FileNotFoundError):
            log.log(logging.WARNING if warn else logging.DEBUG, "ignoring the cache file %s: %s", path, error)
        return {}
    return data if isinstance(data, dict) else {}


def positive_int(value: Any) -> bool:
    return type(value) is int and value > 0
