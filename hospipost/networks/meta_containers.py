"""What Instagram and Threads share: a Meta container is created, polled, then published.

A container holds a text, images or one video, each fetched by Meta from a public address.

Plain HTTP through ``Network.session``: no maintained Python SDK covers these endpoints
(facebook-sdk is frozen at 2018). The container id is staged before the publish call, so a
retry publishes that container, never a second one. Details: NOTES.md (Instagram, Threads)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from hospipost.networks.base import (
    MAX_WAIT,
    Answer,
    Attempt,
    DeliveryError,
    Image,
    Limits,
    Network,
    NotFoundError,
    Part,
    PermanentError,
    Rendering,
    Step,
    TransientError,
    UnknownOutcome,
)
from hospipost.networks.failures import rate_limit_reset, wait_until, who_tries_again
from hospipost.networks.processing import wait_until_processed

if TYPE_CHECKING:
    from hospipost.networks.video import Video
    from hospipost.posts import Media
    from hospipost.publicmedia import PublicMedia
from hospipost.textlength import char_length

TOKEN_CODES = frozenset({190, 102})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, *range(80000, 80100)})  # app, user, page, business use case
TOKEN_SUBCODES = {  # why Meta refused a token (code 190)
    458: "the app is not installed for this user",
    459: "the user's account is checkpointed",
    460: "the password changed",
    463: "the token expired",
    464: "the user is not confirmed",
    467: "the token is invalid",
}
USAGE_HEADERS = ("X-Business-Use-Case-Usage", "X-Page-Usage", "X-App-Usage")
_REGAIN = re.compile(r'"estimated_time_to_regain_access"\s*:\s*(\d+(?:\.\d+)?)')  # minutes, in usage headers
TRANSIENT_CODES = frozenset({1, 2})
PUBLISHING_LIMIT = (9, 2207042)  # Instagram's code and subcode: "publishing limit reached"
NOT_FOUND = 24  # "media not found": the container no longer exists
GONE = (100, 33)  # a DELETE of an object Meta no longer has ("does not exist, cannot be loaded…")
ALIASES = 803  # "Some of the aliases you requested do not exist": an unknown id in a ``?ids=`` lookup
DONE = frozenset({"FINISHED", "PUBLISHED", "ERROR", "EXPIRED"})  # a container's states once processed
_VERSION = re.compile(r"[vV]?(\d{1,3})(?:\.(\d{1,2}))?")


def meta_limits(max_length: int, max_images: int, image_types: set[str], **more: Any) -> Limits:
    """The limits of a Meta network: characters counted one by one, images of at most 8 MB."""
    return Limits(max_length, char_length, "characters", max_images, 8 * 1024 * 1024, frozenset(image_types), **more)


def graph_version(value: Any) -> str | None:
    """``v27.0``, ``27.0``, ``27`` → ``v27.0``; None when it is not a Graph API version."""
    found = _VERSION.fullmatch(str(value).strip())
    return f"v{int(found[1])}.{int(found[2] or 0)}" if found else None


def version_problem(value: Any) -> str | None:
    """What is wrong with a configured graph_version (Facebook, Instagram), or None."""
    return None if graph_version(value) else f"{value!r} is not a Graph API version: set a current one such as v27.0"


def with_regain(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers of a Graph answer, Meta's usage headers' time to regain access (minutes) given as Retry-After."""
    lowered = {str(key).lower(): value for key, value in headers.items()}
    usage = " ".join(str(lowered.get(name.lower()) or "") for name in USAGE_HEADERS)
    minutes = max((float(found) for found in _REGAIN.findall(usage)), default=0.0)
    wait = {"Retry-After": str(min(minutes * 60, MAX_WAIT.total_seconds()))} if minutes > 0 else {}
    return {**headers, **wait}


def again(attempt: Attempt) -> str:
    """Who tries again after a transient failure: hospipost (a read while publishing too), or the next stats fetch."""
    return who_tries_again(attempt) if attempt.step is Step.METRICS else "hospipost will try again"


def missing(status: int, code: int | None, subcode: int | None) -> bool:
    """Whether a Graph error answer says the object does not exist (any more): 404, 24, 803, or 100 subcode 33."""
    return status == 404 or code in (NOT_FOUND, ALIASES) or (code, subcode) == GONE


def gone(
    network: Network, attempt: Attempt, status: int, code: int | None, subcode: int | None, ref: str
) -> NotFoundError | None:
    """While reading figures, a post Meta no longer has (``missing``): the NotFoundError that ``Network.metrics``
    leaves out; else None."""
    if attempt.step is Step.METRICS and missing(status, code, subcode):
        return NotFoundError(
            f"{network.label} has no such post (any more) while {attempt.doing} ({ref}); {attempt.nothing}"
        )
    return None


def graph_figures(found: Any, names: Mapping[str, str]) -> dict[str, int]:
    """The figures of a Graph object, by hospipost's name (``names``: Meta's name → figure): its insights
    (``insights.data``, or ``data`` for ``/{id}/insights``: ``[{"name", "values": [{"value"}]}]``; a value counted
    by type, as reactions, is summed) and its edges' counts (``comments.summary.total_count``, ``shares.count``)."""
    if not isinstance(found, dict):
        return {}
    figures: dict[str, int] = {}
    insights = found.get("insights", found)
    data = insights.get("data") if isinstance(insights, dict) else None
    for metric in data if isinstance(data, list) else []:
        if not isinstance(metric, dict) or (name := names.get(str(metric.get("name")))) is None:
            continue
        values = metric.get("values") or [metric.get("total_value")]
        value = values[-1].get("value") if isinstance(values, list) and isinstance(values[-1], dict) else None
        if isinstance(value, dict):
            value = sum(count for count in map(integer, value.values()) if count is not None)
        if (value := integer(value)) is not None:
            figures[name] = value
    for edge, name in names.items():
        counted = edge_value if isinstance(edge_value := found.get(edge), dict) else {}
        value = integer((counted.get("summary") or {}).get("total_count", counted.get("count")))
        if value is not None:
            figures[name] = value
    return figures


def by_ids(read: Callable[[list[str]], dict[str, Any]], ids: list[str]) -> dict[str, Any]:
    """``read(ids)``; when Meta refuses the whole lookup because one id is unknown (a post deleted since), each id
    alone, so that one deleted post does not hide the others' figures (an unknown one is left out)."""
    try:
        return read(ids)
    except NotFoundError:
        if len(ids) == 1:
            raise
    found: dict[str, Any] = {}
    for one in ids:
        try:
            found.update(read([one]))
        except NotFoundError:
            continue
    return found


class MetaError(Exception):
    """A Graph API answer that is not a success: its status, headers and Meta's error object."""

    def __init__(self, status: int, headers: Mapping[str, str], error: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}")
        self.status, self.headers, self.error = status, dict(headers), error
        self.code, self.subcode = integer(error.get("code")), integer(error.get("error_subcode"))

    @property
    def reason(self) -> str:
        """Meta's explanation, with its codes, on one line ("" when the body had none)."""
        if not self.error:
            return ""
        said = str(self.error.get("error_user_msg") or self.error.get("message") or "no message")
        codes = f"error {self.code}" + (f", subcode {self.subcode}" if self.subcode else "")
        return f"{codes}: {' '.join(said.split()).rstrip('.')[:300]}"


class MetaNetwork(Network):
    """An adapter whose posts are Meta containers: create, poll until FINISHED, stage, publish."""

    create_edge: ClassVar[str]  # POST /{user-id}/<edge> creates a container
    publish_edge: ClassVar[str]  # POST /{user-id}/<edge> with creation_id publishes it
    limit_edge: ClassVar[str]  # GET /{user-id}/<edge>?fields=quota_usage,config
    status_fields: ClassVar[tuple[str, str]]  # the container's status field and the field explaining it
    text_field: ClassVar[str]  # where the text goes ("caption", "text")
    image_fields: ClassVar[dict[str, str]] = {}  # what marks a container as an image, besides image_url
    image_hint: ClassVar[str] = "JPEG of at most 8 MB"  # what Meta accepts, for an ERROR container's message
    video_fields: ClassVar[dict[str, str]] = {}  # what marks a container as a video, besides video_url
    video_alt: ClassVar[bool] = False  # a video container takes alt_text
    me: ClassVar[str] = ""  # the path verify() reads (the user id when empty)
    credential_keys = ("token_env",)
    poll_every: ClassVar[float] = 3.0  # seconds between two reads of a container's status
    poll_for: ClassVar[float] = 120.0  # then TransientError: the staged container is resumed by the retry
    video_poll_every: ClassVar[float] = 10.0  # Meta takes seconds to minutes to process a video
    video_poll_for: ClassVar[float] = 300.0
    insight_metrics: ClassVar[dict[str, str]] = {}  # Meta's metric → hospipost's figure (``metric_words``' keys)

    public_media: PublicMedia | None = None
    """Where Meta fetches the images from; built from config.yaml's settings on first use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sleep: Callable[[float], None] = time.sleep
        self.permalinks: dict[str, str | None] = {}

    @property
    def user_id(self) -> str:
        return str(self.settings.options.get("user_id") or "")

    @property
    def version(self) -> str:
        raise NotImplementedError

    def url(self, *path: str) -> str:
        return "/".join([self.api_base, self.version, *path])

    def media_store(self) -> PublicMedia:
        """Where images are put for Meta to fetch them: PermanentError when config.yaml names none."""
        if self.public_media is None:
            configured = self.settings.public_media
            if configured is None:
                raise PermanentError(
                    f"{self.label} fetches images and videos from a public address: set media_url or media_store in config.yaml"
                )
            from hospipost.publicmedia import open_public_media

            self.public_media = open_public_media(configured, self.credentials)
        return self.public_media

    # ------------------------------------------------------------------ dry run

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        """Per part: the quota read, the container(s), a status poll, the publish; ids as placeholders."""
        parts = rendering.parts if self.limits.supports_threads else ["\n\n".join(rendering.parts)]
        version = self.version
        user = "/".join([self.api_base, version, self.user_id])
        sent: list[dict[str, Any]] = []
        for index, text in enumerate(parts):
            which = f" of part {index + 1}" if len(parts) > 1 else ""
            reply = f"<id of part {index}>" if index else None
            media = rendering.media if index == 0 else []
            size = _video_size(media[0]) if len(media) == 1 else None
            items: list[dict[str, str]] = []
            if size is not None:
                address = f"<public address of {media[0].file} ({size} bytes)>"
                container = self.video_container(text, reply, address, media[0].alt)
            else:
                items, container = self.container_fields(
                    text, reply, [(f"<public address of {item.file}>", item.alt) for item in media]
                )
            sent.append({"method": "GET", "url": f"{user}/{self.limit_edge}", "params": QUOTA})
            sent += [{"method": "POST", "url": f"{user}/{self.create_edge}", "data": item} for item in items]
            if items:
                container["children"] = ",".join(f"<id of item {n + 1}{which}>" for n in range(len(items)))
            sent.append({"method": "POST", "url": f"{user}/{self.create_edge}", "data": container})
            status = {"fields": ",".join(self.status_fields)}
            sent.append({"method": "GET", "url": f"{self.api_base}/{version}/<container id{which}>", "params": status})
            publish = {"creation_id": f"<container id{which}>"}
            sent.append({"method": "POST", "url": f"{user}/{self.publish_edge}", "data": publish})
        return sent

    def container_fields(
        self, text: str, reply_to: str | None, images: list[tuple[str, str | None]]
    ) -> tuple[list[dict[str, str]], dict[str, str]]:
        """The fields of the carousel items (none for one image or a text) and of the container."""
        said = {self.text_field: text, **({"reply_to_id": reply_to} if reply_to else {})}
        items = [{**self.image_fields, "image_url": url, **({"alt_text": alt} if alt else {})} for url, alt in images]
        if len(items) == 1:
            return [], {**items[0], **said}
        if items:
            return [{**item, "is_carousel_item": "true"} for item in items], {"media_type": "CAROUSEL", **said}
        return [], {"media_type": "TEXT", **said}

    def video_container(self, text: str, reply_to: str | None, url: str, alt: str | None) -> dict[str, str]:
        """The fields of a video's container (Instagram: a reel; Threads: a video post)."""
        described = {"alt_text": alt} if alt and self.video_alt else {}
        replying = {"reply_to_id": reply_to} if reply_to else {}
        return {**self.video_fields, "video_url": url, self.text_field: text, **described, **replying}

    # ------------------------------------------------------------------ publish

    @contextmanager
    def connection(self) -> Iterator[Any]:
        token = self.secret("token_env")
        session = self.session()
        session.headers["Authorization"] = f"Bearer {token}"  # never in a query string
        try:
            yield session
        finally:
            session.close()

    def upload_images(self, session: Any, images: list[Image]) -> list[str]:
        """Each image (stripped of metadata) put at its public address, where Meta fetches it: the URLs."""
        store = self.media_store()
        urls = []
        for image in images:
            try:
                urls.append(str(store.url(image.media.file, image.data, image.type)))
            except OSError as error:
                raise TransientError(
                    f"could not put the image {image.media.file} at its public address ({type(error).__name__});"
                    " nothing was published, hospipost will try again later"
                ) from None
        return urls

    def upload_video(self, session: Any, video: Video) -> list[str]:
        """The video put at its public address (streamed, never read whole), where Meta fetches it: its URL."""
        try:
            return [str(self.media_store().file_url(video.media.file, video.path, video.type))]
        except OSError as error:
            raise TransientError(
                f"could not put the video {video.media.file} at its public address ({type(error).__name__});"
                " nothing was published, hospipost will try again later"
            ) from None

    def post_part(self, session: Any, part: Part) -> str:
        """The quota read, then the staged container when it can still be published, else a new one."""
        if self.limits.requires_media and part.index == 0 and not part.images and part.video is None:
            raise PermanentError(
                f"{self.label} needs an image or a video in a post and this one has none: add a JPEG image with"
                " its alt text, or a video, then publish again"
            )
        prepare = Attempt(part.doing.replace("publishing", "preparing", 1), Step.UPLOAD, part.index)
        self.check_quota(session, Attempt("reading the publishing limit", Step.READ, part.index))
        container = part.staged
        for _ in range(3):
            if container is None:
                container = self.create(session, part, prepare)
                part.stage(container)  # recorded before the publish call: a retry publishes this one
            state, reason = self.wait_ready(session, container, prepare, container == part.staged, part.video)
            if state == "FINISHED":
                return self.publish_container(session, container, part)
            if state == "PUBLISHED":
                raise UnknownOutcome(
                    self.redact(
                        f"{self.label} already published the container an earlier attempt prepared while"
                        f" {part.doing}: it is online; {self.unknown_hint()}{prepare.already}. {self.recent(session)}"
                    )
                )
            if state == "ERROR" and container != part.staged:
                raise PermanentError(
                    self.redact(
                        f"{self.label} could not prepare {prepare.doing.removeprefix('preparing ')} ({reason or 'no reason'});"
                        f" {prepare.nothing}: fix what it names ({self.media_hint(part.video)}),"
                        f" then publish again{prepare.already}"
                    )
                )
            container = None  # EXPIRED (not published within 24 hours), or a staged one in ERROR: a new one
        raise TransientError(
            f"{self.label} let the container expire again while {prepare.doing}; {prepare.nothing},"
            f" hospipost will try again later{prepare.already}"
        )

    def check_quota(self, session: Any, attempt: Attempt) -> None:
        """TransientError when the account's publishing limit (posts per 24 hours) is used up."""
        body = self.call(session, "GET", (self.user_id, self.limit_edge), attempt, QUOTA)
        data = body.get("data")
        entry = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else body
        usage, total = integer(entry.get("quota_usage")), integer((entry.get("config") or {}).get("quota_total"))
        if usage is not None and total and usage >= total:
            retry_at = wait_until(MAX_WAIT)
            raise TransientError(
                f"{self.label}'s publishing limit is used up ({usage} of {total} posts in 24 hours);"
                f" {attempt.nothing}, hospipost will try again after {retry_at:%H:%M} UTC{attempt.already}",
                retry_at,
            )

    def media_hint(self, video: Video | None) -> str:
        """What Meta accepts, for the message of a container in ERROR."""
        if video is None:
            return f"the image must be a public {self.image_hint}"
        return (
            f"the video must be MP4 or MOV, H.264 or HEVC with AAC sound, 23 to 60 frames per second: export"
            f" {video.media.file} again that way"
        )

    def create(self, session: Any, part: Part, attempt: Attempt) -> str:
        """The part's container (after its carousel items): its id."""
        user = (self.user_id, self.create_edge)
        if part.video is not None:
            fields = self.video_container(part.text, part.reply_to, part.media_ids[0], part.video.media.alt)
            return str(self.call(session, "POST", user, attempt, fields, need="id")["id"])
        items, fields = self.container_fields(
            part.text,
            part.reply_to,
            [(url, image.media.alt) for url, image in zip(part.media_ids, part.images, strict=True)],
        )
        children = [str(self.call(session, "POST", user, attempt, item, need="id")["id"]) for item in items]
        if children:
            fields["children"] = ",".join(children)
        return str(self.call(session, "POST", user, attempt, fields, need="id")["id"])

    def wait_ready(
        self, session: Any, container: str, attempt: Attempt, staged: bool, video: Video | None = None
    ) -> tuple[str, str]:
        """The container's status once Meta has processed it (not IN_PROGRESS), and Meta's explanation of it;
        past the wait, the TransientError of wait_until_processed (the retry resumes the staged container)."""
        field, explained = self.status_fields
        gone = {field: "EXPIRED"} if staged else None  # a staged container Meta no longer knows: a new one
        every, limit = (self.video_poll_every, self.video_poll_for) if video else (self.poll_every, self.poll_for)
        seen: list[tuple[str, str]] = []

        def ready() -> float | None:
            body = self.call(session, "GET", (container,), attempt, {"fields": f"{field},{explained}"}, absent=gone)
            state = str(body.get(field) or "").upper()
            seen.append((state, " ".join(str(body.get(explained) or "").split())[:300]))
            return None if state in DONE else every

        what = f"the video {video.media.file}" if video else "the container"
        wait_until_processed(ready, what=what, who=self.label, limit=limit, sleep=lambda delay: self.sleep(delay))
        return seen[-1]

    def publish_container(self, session: Any, container: str, part: Part) -> str:
        """The publish call; a timeout after it left is UnknownOutcome listing the account's latest posts."""
        attempt = Attempt(part.doing, Step.PUBLISH, part.index)
        try:
            body = self.call(
                session, "POST", (self.user_id, self.publish_edge), attempt, {"creation_id": container}, need="id"
            )
        except UnknownOutcome as outcome:
            raise UnknownOutcome(self.redact(f"{outcome} {self.recent(session)}")) from None
        media_id = str(body["id"])
        try:
            link = self.call(session, "GET", (media_id,), Attempt("reading the permalink", Step.READ), PERMALINK)
            self.permalinks[media_id] = str(link["permalink"]) if link.get("permalink") else None
        except DeliveryError:
            self.permalinks[media_id] = None  # the post is online: only its address is missing
        return media_id

    def post_url(self, remote_id: str) -> str | None:
        return self.permalinks.get(remote_id)

    def recent(self, session: Any) -> str:
        """The account's five latest posts, for reconciling (or where to look when they cannot be read)."""
        try:
            listing = self.call(
                session, "GET", (self.user_id, self.create_edge), Attempt("listing the latest posts", Step.READ), RECENT
            ).get("data")
            latest = [f"{i.get('id')} at {i.get('timestamp')} ({i.get('permalink')})" for i in listing or []]
        except Exception:
            return f"Check the {self.label} account for it."
        if not latest:
            return f"The {self.label} account lists no post."
        return f"The account's latest posts, newest first: {'; '.join(latest)}."

    # ------------------------------------------------------------------ metrics

    def read_metrics(self, session: Any, remote_ids: list[str], attempt: Attempt) -> dict[str, dict[str, int]]:
        """The posts' insights: ``GET /?ids=…&fields=insights.metric(…)`` (``metrics_batch`` > 1), else
        ``GET /{media-id}/insights?metric=…``; an id Meta does not know is left out (``by_ids``)."""
        metrics = ",".join(self.insight_metrics)

        def read(ids: list[str]) -> dict[str, Any]:
            if self.metrics_batch == 1:
                return {ids[0]: self.call(session, "GET", (ids[0], "insights"), attempt, {"metric": metrics})}
            return self.call(
                session, "GET", ("",), attempt, {"ids": ",".join(ids), "fields": f"insights.metric({metrics})"}
            )

        return {key: graph_figures(found, self.insight_metrics) for key, found in by_ids(read, remote_ids).items()}

    # ------------------------------------------------------------------ verify and HTTP

    def verify(self) -> str:
        """Read the account's username with the token: "@username"."""
        with self.connection() as session:
            body = self.call(session, "GET", (self.me or self.user_id,), Attempt("reading the account", Step.READ), ME)
        return f"@{body.get('username') or '?'}"

    def call(
        self,
        session: Any,
        method: str,
        path: tuple[str, ...],
        attempt: Attempt,
        fields: Mapping[str, str] | None = None,
        need: str = "",
        absent: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One Graph request (form fields of a POST, query of a GET); every failure mapped by the classifier.

        ``need`` is a field the answer must hold; ``absent`` is the answer when Meta says the object is gone (for a
        DELETE, also a 404 or code 100 subcode 33)."""
        try:
            where = {"params" if method == "GET" else "data": dict(fields or {})}
            response = session.request(method, self.url(*path), **where)
            try:
                body = response.json()
            except ValueError:
                body = None
            if not 200 <= response.status_code < 300:
                error = body.get("error") if isinstance(body, dict) else None
                raise MetaError(response.status_code, response.headers, error if isinstance(error, dict) else {})
            if not isinstance(body, dict) or (need and not body.get(need)):
                raise ValueError(f"the answer holds no {need or 'JSON object'}")
            return body
        except MetaError as error:
            deleted = attempt.step is Step.DELETE and (error.status == 404 or (error.code, error.subcode) == GONE)
            if absent is not None and (error.code == NOT_FOUND or deleted):
                return absent
            raise self.failure(error, attempt) from None
        except Exception as error:
            raise self.failure(error, attempt) from None

    def answer_of(self, error: BaseException) -> Answer | None:
        return Answer(error.status, with_regain(error.headers), error.reason) if isinstance(error, MetaError) else None

    def network_failure(self, error: BaseException, attempt: Attempt) -> DeliveryError | None:
        """Meta's own codes: token, publishing limit, rate limits, temporary problems, permissions."""
        if not isinstance(error, MetaError) or not error.error:
            return None
        who, ref, nothing, already = (
            self.label,
            f"HTTP {error.status}: {error.reason}",
            attempt.nothing,
            attempt.already,
        )
        env = self.settings.options.get("token_env") or "token_env"
        metrics = attempt.step is Step.METRICS
        if missing := gone(self, attempt, error.status, error.code, error.subcode, ref):
            return missing
        if error.code in TOKEN_CODES:
            return PermanentError(
                f"{who} refused the token in {env} while {attempt.doing}: it is invalid or expired"
                f"{f' ({TOKEN_SUBCODES[error.subcode]})' if error.subcode in TOKEN_SUBCODES else ''} ({ref}); {nothing}:"
                f" generate a new token and set {env}, then {'run `hospipost stats fetch`' if metrics else 'publish'} again{already}"
            )
        limit = error.code == PUBLISHING_LIMIT[0] or error.subcode == PUBLISHING_LIMIT[1]
        if limit or error.code in RATE_LIMIT_CODES:
            retry_at = (
                wait_until(MAX_WAIT)
                if limit
                else rate_limit_reset(with_regain(error.headers)) or wait_until(self.rate_limit_wait)
            )
            what = "publishing limit (posts per 24 hours)" if limit else "rate limit"
            return TransientError(
                f"{who}'s {what} was reached while {attempt.doing} ({ref}); {nothing}, {again(attempt)}"
                f" after {retry_at:%H:%M} UTC{already}",
                retry_at,
            )
        if error.code in TRANSIENT_CODES or error.error.get("is_transient") is True:
            return TransientError(
                f"{who} had a temporary problem while {attempt.doing} ({ref}); {nothing}, {again(attempt)} later{already}"
            )
        if error.code in PERMISSION_CODES:
            hint = self.metrics_hint() if metrics else self.permissions_hint(attempt)
            return PermanentError(f"{who} refused {attempt.doing} to this token ({ref}); {nothing}: {hint}{already}")
        if error.code == NOT_FOUND:
            return PermanentError(
                f"{who} found no such media while {attempt.doing} ({ref}); {nothing}: check networks.{self.name}.user_id,"
                f" then publish again{already}"
            )
        return None


QUOTA = {"fields": "quota_usage,config"}
PERMALINK = {"fields": "permalink"}
RECENT = {"fields": "id,timestamp,permalink", "limit": "5"}
ME = {"fields": "username"}


def _video_size(item: Media) -> int | None:
    """The size of a video file, for the dry run; None when ``item`` is not a readable video."""
    from hospipost.media import video_type

    try:
        with open(item.path, "rb") as handle:
            return item.path.stat().st_size if video_type(handle.read(16)) else None
    except OSError:
        return None


def integer(value: Any) -> int | None:
    """A Graph code or count as an int; None when it is none."""
    try:
        return None if isinstance(value, bool) else int(value)
    except (TypeError, ValueError):
        return None
