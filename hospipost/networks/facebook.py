"""Facebook Pages through facebook-sdk 3.1.0, with the Graph API version pinned from config (NOTES.md, Facebook).

A session per publish pins version and api_base, keeps the answer the SDK drops and moves a query token to a header.
One image is a /photos post; several are unpublished uploads attached to /feed; a video: facebook_video.py."""

from __future__ import annotations

import json
import logging
import mimetypes
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hospipost.media import is_video
from hospipost.networks import meta_containers as meta
from hospipost.networks.base import ConfigKey, Image, Limits, Network, Part, PermanentError, Rendering, TransientError
from hospipost.networks.facebook_video import PAGE_VIDEO, SIMPLE_MAX, described, given_id, publish_video, video_payload
from hospipost.networks.failures import Answer, Attempt, Step, UnknownOutcome, rate_limit_reset, retry_in
from hospipost.networks.http import LOG_REDACTOR, USER_AGENT, session_class
from hospipost.textlength import char_length

if TYPE_CHECKING:
    import facebook

    from hospipost.networks.failures import DeliveryError
    from hospipost.networks.video import Video
    from hospipost.posts import Media

log = logging.getLogger(__name__)

WWW = "https://www.facebook.com"
DUPLICATE = 506
REFUSALS = {  # Graph error codes (or subcodes) that no retry changes: what happened, what to do
    368: "Facebook blocked the post under its policies (the Page or this content is restricted): check the Page's status in Meta Business Suite before publishing anything else",
    1609005: "Facebook could not use the link in the post: check that it opens publicly without a login, or fix it in the post",
}

_URL = re.compile(r"https?://[^\s<>\"«»]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"…’"
INSIGHTS = ("post_media_view", "post_total_media_view_unique", "post_reactions_by_type_total")  # since Nov 2025
FIELDS = f"insights.metric({','.join(INSIGHTS)}),comments.summary(true).limit(0),shares"  # a post's figures
FIGURES = dict(zip(INSIGHTS, ("views", "reach", "likes"), strict=True)) | {"comments": "comments", "shares": "shares"}
normalise_version = meta.graph_version  # v26.0, 26.0 or 26 → v26.0


class OffPath(Exception):
    """A URL outside api_base or the pinned version; raised before anything is sent."""


class Answered(Exception):
    """An SDK failure after Facebook answered, with the answer (status, headers) the SDK threw away."""

    def __init__(self, error: Exception, response: Any) -> None:
        super().__init__(type(error).__name__)
        self.error, self.response = error, response


class Facebook(Network):
    name = "facebook"
    label = "Facebook"
    default_api_base = "https://graph.facebook.com"
    limits = Limits(63206, char_length, "characters", max_images=10, max_image_bytes=10 * 1024 * 1024, video=PAGE_VIDEO)
    config_keys = {
        "page_id": ConfigKey(str, required=True, help="the numeric id of the Page"),
        "token_env": ConfigKey(str, default="HOSPIPOST_FACEBOOK_TOKEN"),
        "graph_version": ConfigKey(
            str, default="v27.0", help="Graph API version, e.g. v27.0", check=meta.version_problem
        ),
    }
    credential_keys = ("token_env",)
    simple_upload_max = SIMPLE_MAX  # a larger video goes in Meta's chunks (facebook_video.py)
    processing_limit = 600.0  # seconds to wait for Facebook to process a video before trying again later
    sleep = staticmethod(time.sleep)  # tests inject a fake
    metric_words = {"views": "views", "reach": "unique views", "likes": "reactions", "comments": "comments", "shares": "shares"}  # fmt: skip
    metrics_batch = 50  # the Graph API's multi-id lookup: GET /?ids=… reads up to 50 objects
    metrics_permission = "read_insights and pages_read_engagement (a Page token of someone with the ANALYZE task)"

    @property
    def page_id(self) -> str:
        return str(self.settings.options.get("page_id") or "")

    @property
    def version(self) -> str:
        """The configured Graph API version, normalised to ``vNN.N`` (as written when it is not one)."""
        raw = str(self.settings.options.get("graph_version") or self.config_keys["graph_version"].default)
        return normalise_version(raw) or raw

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        """The requests publishing would make, without the token: no credential, no network."""
        base = f"{self.api_base}/{self.version}/{self.page_id}"
        text, media = "\n\n".join(rendering.parts), rendering.media  # Network.render gives Facebook one part
        if len(media) == 1 and is_video(media[0].path):
            return video_payload(base, text, media[0], rendering.language, self.simple_upload_max)
        if len(media) == 1:
            return [{"method": "POST", "url": f"{base}/photos", **photo_fields(media[0], caption=text)}]
        photos = [{"method": "POST", "url": f"{base}/photos", **photo_fields(item)} for item in media]
        ids = [f"<id of photo {index + 1}>" for index in range(len(media))]
        return [*photos, {"method": "POST", "url": f"{base}/feed", "data": feed_fields(text, ids)}]

    @contextmanager
    def connection(self) -> Iterator[facebook.GraphAPI]:
        """A GraphAPI pinned to the configured version and api_base, with a timeout."""
        import facebook

        if problem := meta.version_problem(version := self.version):
            raise PermanentError(f"networks.facebook.graph_version {problem} in config.yaml")
        token = self.secret("token_env")
        LOG_REDACTOR.guard(("urllib3.connectionpool", "hospipost.networks.http"), [token])
        base, sdk_base = f"{self.api_base}/{version}", facebook.FACEBOOK_GRAPH_URL + version
        with pinned_session()(base, self.timeout, USER_AGENT, sdk_base) as session:
            graph = facebook.GraphAPI(access_token=token, timeout=self.timeout, session=session)
            graph.version = version  # facebook-sdk refuses any version > 3.1 in its constructor
            yield graph

    def upload_images(self, graph: facebook.GraphAPI, images: list[Image]) -> list[str]:
        """Several images are uploaded unpublished, then attached to the feed post; one goes with the text."""
        if len(images) == 1:
            return []  # post_part publishes it with the text (/photos with a caption)
        ids = []
        for image in images:
            attempt = Attempt(f"uploading the image {image.media.file}", Step.UPLOAD)
            uploaded = self._photo(graph, image, attempt)
            if not uploaded.get("id"):
                again = f"{attempt.nothing}, hospipost will try again later"
                raise TransientError(f"Facebook accepted the image {image.media.file} but returned no id; {again}")
            ids.append(str(uploaded["id"]))
        return ids

    def upload_video(self, graph: facebook.GraphAPI, video: Video) -> list[str]:
        return []  # the publishing request carries the video (post_part)

    def post_part(self, graph: facebook.GraphAPI, part: Part) -> str:
        """The post on the Page (the Graph API has no idempotency key and Facebook no threads: one part)."""
        attempt = Attempt(part.doing, Step.PUBLISH)
        if part.video:
            return publish_video(self, graph, part)
        if len(part.images) == 1:
            result = self._photo(graph, part.images[0], attempt, part.text)
        else:
            fields = feed_fields(part.text, part.media_ids)
            result = self._call(graph, attempt, lambda: graph.put_object(self.page_id, "feed", **fields))
        return given_id(self, result.get("post_id") or result.get("id"), "post")

    def delete_part(self, graph: facebook.GraphAPI, part_id: str) -> None:
        """``DELETE /{id}``; a refused delete is read back, since Graph answers "gone" and "not yours" alike."""
        deleting = Attempt(f"deleting the post {part_id}", Step.DELETE)
        try:
            self._call(graph, deleting, lambda: graph.delete_object(part_id))
        except PermanentError:
            if not self._gone(graph, part_id):
                raise
            log.info("Facebook: the post %s was already deleted", part_id)

    def _gone(self, graph: facebook.GraphAPI, part_id: str) -> bool:
        """Whether Facebook says it has no object ``part_id`` (404, or code 100 subcode 33) when reading it."""
        reading = Attempt(f"reading the post {part_id}", Step.READ)
        try:
            self._call(graph, reading, lambda: graph.get_object(part_id, fields="id"))
        except PermanentError:  # a transient failure of the read goes up: the delete is tried again later
            last, said = graph.session.last, None
            with suppress(Exception):  # no answer, or one that is not JSON
                said = last.json()["error"]
            said = said if isinstance(said, dict) else {}
            code, subcode = meta.integer(said.get("code")), meta.integer(said.get("error_subcode"))
            return last is not None and meta.missing(last.status_code, code, subcode)
        return False

    def read_metrics(self, graph: facebook.GraphAPI, ids: list[str], attempt: Attempt) -> dict[str, dict[str, int]]:
        """``GET /?ids=…`` with the insights, the comments' total and the shares; not a video's (NOTES.md, Facebook)."""

        def read(batch: list[str]) -> dict[str, Any]:
            return self._call(graph, attempt, lambda: graph.get_objects(batch, fields=FIELDS))

        posts = [remote_id for remote_id in ids if "_" in remote_id]  # a video is known by its video id
        found = meta.by_ids(read, posts) if posts else {}
        return {key: {"shares": 0, **meta.graph_figures(post, FIGURES)} for key, post in found.items()}  # 0: no field

    def post_url(self, remote_id: str) -> str:
        """A post id is ``{page}_{post}``; a video post is known by its video id alone."""
        return f"{WWW}/{remote_id}" if "_" in remote_id else f"{WWW}/{self.page_id}/videos/{remote_id}"

    def verify(self) -> str:
        """Read the Page's name with the token (GET /{version}/{page}?fields=name,id)."""
        with self.connection() as graph:
            attempt = Attempt("reading the Page", Step.READ)
            result = self._call(graph, attempt, lambda: graph.get_object(self.page_id, fields="name,id"))
        name = result.get("name") or "(no name)"
        return f"{name} (Page {result.get('id') or self.page_id}, Graph API {graph.version})"

    def _photo(self, graph: facebook.GraphAPI, image: Image, attempt: Attempt, caption: str | None = None) -> dict:
        source, fields = (image.media.path.name, image.data, image.type), photo_fields(image.media, caption)["data"]
        album = f"{self.page_id}/photos"  # put_photo defaults to me/photos
        return self._call(graph, attempt, lambda: graph.put_photo(source, album_path=album, **fields))

    def _call(self, graph: facebook.GraphAPI, attempt: Attempt, call: Callable[[], Any]) -> dict[str, Any]:
        """One SDK call; a failure, or an answer the SDK took for a success, becomes a DeliveryError."""
        try:
            result = call()
            if not isinstance(result, dict) or not 200 <= graph.session.last.status_code < 300:
                raise ValueError("a body without an error message")
        except Exception as error:
            last = graph.session.last
            raise self.failure(error if last is None else Answered(error, last), attempt) from None
        finally:
            served = graph.session.last.headers.get("facebook-api-version") if graph.session.last else None
            if served and served != graph.version and not graph.session.warned:
                graph.session.warned = True
                message = "Facebook served Graph API %s, not the pinned %s: update networks.facebook.graph_version"
                log.warning(message, served, graph.version)
        return result

    def answer_of(self, error: BaseException) -> Answer | None:
        """Facebook's answer, its usage headers' time to regain access given as Retry-After."""
        if not isinstance(error, Answered):
            return None
        return Answer(error.response.status_code, meta.with_regain(error.response.headers), _reason(error.error))

    def network_failure(self, error: BaseException, attempt: Attempt) -> DeliveryError | None:
        """Graph error codes, which mean the same whatever the HTTP status."""
        import facebook

        doing, nothing = attempt.doing, attempt.nothing
        if isinstance(error, OffPath):
            return PermanentError(f"hospipost refused to send a request while {doing}, so {nothing}: {error}")
        if not isinstance(error, Answered) or not isinstance(error.error, facebook.GraphAPIError):
            return None
        answer, result = self.answer_of(error) or Answer(0), error.error.result
        status, ref = answer.status, answer.reason
        body = result.get("error") if isinstance(result, dict) else None
        if not isinstance(body, dict):  # an OAuth error string (a page that is not JSON is left to its status)
            if isinstance(result, dict) and 400 <= status < 500 and status not in (408, 429):
                return PermanentError(f"Facebook refused {doing} ({answer.ref}); {nothing}: {self.credentials_hint()}")
            return None
        code, subcode = meta.integer(body.get("code")), meta.integer(body.get("error_subcode"))
        if code in meta.RATE_LIMIT_CODES and status != 429:  # a 429 is the shared rule's, with the same Retry-After
            retry_at = rate_limit_reset(answer.headers) or retry_in(None, self.rate_limit_wait)
            said = f"Facebook's rate limit was reached while {doing} ({ref}); {nothing}, {meta.again(attempt)} after {retry_at:%H:%M} UTC"
            return TransientError(said, retry_at)
        if code in meta.TRANSIENT_CODES or body.get("is_transient") is True:
            return TransientError(
                f"Facebook had a temporary problem while {doing} ({ref}); {meta.again(attempt)} later"
            )
        if code in meta.TOKEN_CODES:
            reason = f" ({why})" if (why := meta.TOKEN_SUBCODES.get(subcode or 0)) else ""
            return PermanentError(f"the Page token is invalid or expired{reason}: {self.credentials_hint()} ({ref})")
        if code in meta.PERMISSION_CODES:
            return PermanentError(f"the Page token lacks a permission: {self.permissions_hint(attempt)} ({ref})")
        if refusal := REFUSALS.get(code or 0) or REFUSALS.get(subcode or 0):
            return PermanentError(f"{refusal} ({ref})")
        if code == DUPLICATE and attempt.step is Step.PUBLISH:
            return UnknownOutcome(
                f"Facebook refused the post as a duplicate of a recent one, so it was probably already published:"
                f" {self.unknown_hint()} ({ref})"
            )
        if missing := meta.gone(self, attempt, status, code, subcode, ref):
            return missing
        if status == 400:  # the Graph API's answer to most mistakes: Meta's message names what is wrong
            return PermanentError(
                f"Facebook refused {doing} ({ref}); {nothing}: fix what Meta's message names (the post,"
                " networks.facebook.page_id or the token)"
            )
        return None

    def credentials_hint(self) -> str:
        return f"generate a new Page token and set {self.settings.options['token_env']}"

    def permissions_hint(self, attempt: Attempt) -> str:
        if attempt.step is Step.METRICS:
            return self.metrics_hint()
        need = "pages_read_engagement and pages_show_list"
        need = need if attempt.step is Step.READ else f"pages_manage_posts (with {need})"
        return f"generate a Page token with {need}, from a user allowed to create content on the Page, and set {self.settings.options['token_env']}"

    def unknown_hint(self) -> str:
        return "check the Page, then resolve the delivery with `hospipost reconcile`"


def first_link(text: str) -> str | None:
    """The first http(s) URL of a text, without the punctuation that ends a sentence."""
    for url in _URL.findall(text):
        while url and (
            url[-1] in _TRAILING or any(url[-1] == c and url.count(o) < url.count(c) for o, c in ("()", "[]"))
        ):
            url = url[:-1]
        with suppress(ValueError):  # an address urlsplit cannot read is no link
            if "." in (urlsplit(url).hostname or ""):
                return url
    return None


def feed_fields(text: str, media_ids: list[str]) -> dict[str, str]:
    """POST /{page}/feed's form fields: one per photo (a list would repeat the key), else the text's first link."""
    fields = {f"attached_media[{index}]": json.dumps({"media_fbid": id_}) for index, id_ in enumerate(media_ids)}
    link = None if media_ids else first_link(text)
    return {"message": text, **fields, **({"link": link} if link else {})}


def photo_fields(item: Media, caption: str | None = None) -> dict[str, Any]:
    """POST /{page}/photos: the post with a caption, else an unpublished upload; ``files`` is for --dry-run."""
    alt = {"alt_text_custom": item.alt} if item.alt else {}
    data = {"caption": caption, **alt} if caption is not None else {**alt, "published": "false"}
    source = {**described(item), "type": mimetypes.guess_type(item.path.name)[0], "alt": item.alt}
    return {"data": data, "files": {"source": source}}


def _reason(error: Exception) -> str:
    """Facebook's explanation of a failed answer, on one line."""
    import facebook
    from requests.exceptions import JSONDecodeError

    if isinstance(error, KeyError):  # facebook-sdk reads headers["content-type"] without checking it exists
        return "no content type"
    if not isinstance(error, facebook.GraphAPIError):
        return "a body that is not JSON" if isinstance(error, JSONDecodeError) else str(error)
    if not isinstance(error.result, dict):  # "Maintype was not text, image, or querystring": an HTML page
        return "a page that is not JSON"
    body, result = error.result.get("error"), error.result
    if not isinstance(body, dict):
        return str(result.get("error_description") or body or result.get("error_msg") or "no detail").strip(" .")[:300]
    code, subcode = meta.integer(body.get("code")), meta.integer(body.get("error_subcode"))
    said = str(body.get("error_user_msg") or body.get("message") or "no message").strip().rstrip(".")[:300]
    return f"Facebook error{f' {code}' if code else ''}{f', subcode {subcode}' if subcode else ''}: {said}"


@cache
def pinned_session() -> Any:
    """facebook-sdk's session: FACEBOOK_GRAPH_URL becomes api_base, only the pinned version, the token in a header."""

    class PinnedSession(session_class()):  # type: ignore[misc]
        warned = False  # whether Facebook serving another version than the pinned one was logged

        def route(self, url: str, kwargs: dict[str, Any]) -> str:
            if not url.startswith(self.sdk_base + "/"):
                raise OffPath(f"{url.split('?')[0]} is not under {self.sdk_base}/, the pinned Graph API version")
            params = dict(kwargs.get("params") or {})
            if "access_token" in params:
                bearer = "Bearer " + params.pop("access_token")
                kwargs["params"] = params
                kwargs["headers"] = {**(kwargs.get("headers") or {}), "Authorization": bearer}
            return super().route(url, kwargs)

    return PinnedSession
