"""Facebook Pages through facebook-sdk 3.1.0, with the Graph API version pinned from config.

The SDK rejects versions above 3.1, builds URLs from a module global, ignores HTTP statuses and
sets no timeout: a per-call session pins version and api_base, keeps the status, moves the token
to a header. One image is a /photos post; several are unpublished uploads attached to /feed. More: NOTES.md."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

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
    retry_in,
)
from hospipost.networks.http import failure_name, never_left
from hospipost.textlength import char_length

if TYPE_CHECKING:
    import facebook
    import requests

    from hospipost.posts import Media

log = logging.getLogger(__name__)

WWW = "https://www.facebook.com"
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, *range(80000, 80100)})
TRANSIENT_CODES = frozenset({1, 2})
TOKEN_CODES = frozenset({190, 102})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
POLICY_BLOCK = 368
DUPLICATE = 506
LINK_ERROR = 1609005
RATE_LIMIT_DEFAULT = timedelta(minutes=15)  # when Meta gives no estimated_time_to_regain_access
USAGE_HEADERS = ("X-Business-Use-Case-Usage", "X-Page-Usage", "X-App-Usage")
TOKEN_SUBCODES = {
    458: "the app is not installed for this user",
    459: "the user's account is checkpointed",
    460: "the password changed",
    463: "the token expired",
    464: "the user is not confirmed",
    467: "the token is invalid",
}

# The three kinds of request, by what a failure after sending means.
READ = "read"  # GET: nothing changes, always safe to retry
UPLOAD = "upload"  # an unpublished photo: invisible on the Page, safe to redo
PUBLISH = "publish"  # the request that publishes: may have been processed

_VERSION = re.compile(r"[vV]?(\d{1,3})(?:\.(\d{1,2}))?")
_URL = re.compile(r"https?://[^\s<>\"«»]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"…’"
_TOKEN_IN_TEXT = re.compile(r"(access_token=|Bearer\s+)[^&\s'\")]+", re.IGNORECASE)


class _OffPath(Exception):
    """A URL outside api_base or the pinned version; raised before anything is sent."""


class Facebook(Network):
    name = "facebook"
    label = "Facebook"
    default_api_base = "https://graph.facebook.com"
    limits = Limits(
        max_length=63206,
        count=char_length,
        length_unit="characters",
        max_images=10,
        max_image_bytes=10 * 1024 * 1024,
    )
    config_keys = {
        "page_id": ConfigKey(str, required=True, help="the numeric id of the Page"),
        "token_env": ConfigKey(str, default="HOSPIPOST_FACEBOOK_TOKEN"),
        "graph_version": ConfigKey(
            str,
            default="v26.0",
            help="Graph API version, e.g. v26.0",
            check=lambda value: (
                None
                if normalise_version(value)
                else f"{value!r} is not a Graph API version: set a current one such as v26.0"
            ),
        ),
    }

    # ----------------------------------------------------------------- settings

    @property
    def page_id(self) -> str:
        return str(self.settings.options.get("page_id") or "")

    @property
    def token_env(self) -> str:
        return str(self.settings.options.get("token_env") or self.config_keys["token_env"].default)

    @property
    def version(self) -> str:
        """The pinned Graph API version, normalised to ``vNN.N``; PermanentError when invalid."""
        version = normalise_version(self._raw_version())
        if version is None:
            raise PermanentError(
                f"networks.facebook.graph_version {self._raw_version()!r} is not a Graph API version:"
                " set it to a current one such as v26.0 in config.yaml"
            )
        return version

    def _raw_version(self) -> str:
        return str(self.settings.options.get("graph_version") or self.config_keys["graph_version"].default)

    # ----------------------------------------------------------------- dry run

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        """The requests publishing would make, without the token: no credential, no network."""
        version = normalise_version(self._raw_version()) or self._raw_version()
        base = f"{self.api_base}/{version}/{self.page_id}"
        text = _text(rendering)
        media = rendering.media
        if not media:
            return [{"method": "POST", "url": f"{base}/feed", "data": feed_fields(text)}]
        if len(media) == 1:
            return [
                {
                    "method": "POST",
                    "url": f"{base}/photos",
                    "data": photo_fields(media[0], caption=text),
                    "files": {"source": _file_summary(media[0])},
                }
            ]
        uploads = [
            {
                "method": "POST",
                "url": f"{base}/photos",
                "data": photo_fields(item, published=False),
                "files": {"source": _file_summary(item)},
            }
            for item in media
        ]
        ids = [f"<id of photo {index + 1}>" for index in range(len(media))]
        return [*uploads, {"method": "POST", "url": f"{base}/feed", "data": feed_fields(text, ids)}]

    # ----------------------------------------------------------------- publish

    def connection(self) -> AbstractContextManager[facebook.GraphAPI]:
        return self._graph()

    def upload_images(self, graph: facebook.GraphAPI, images: list[Image]) -> list[str]:
        """Several images are uploaded unpublished, then attached to the feed post; one goes with the text."""
        if len(images) == 1:
            return []  # post_part publishes it with the text (/photos with a caption)
        ids = []
        for image in images:
            uploaded = self._upload(graph, image, UPLOAD, photo_fields(image.media, published=False))
            if not uploaded.get("id"):
                raise TransientError(
                    f"Facebook accepted the image {image.media.file} but returned no id: hospipost will try again later"
                )
            ids.append(str(uploaded["id"]))
        return ids

    def post_part(self, graph: facebook.GraphAPI, part: Part) -> str:
        """The post on the Page (the Graph API has no idempotency key and Facebook no threads: one part)."""
        if len(part.images) == 1:
            result = self._upload(graph, part.images[0], PUBLISH, photo_fields(part.images[0].media, caption=part.text))
        else:
            fields = feed_fields(part.text, part.media_ids)
            result = self._run(graph, PUBLISH, lambda: graph.put_object(self.page_id, "feed", **fields))
        remote_id = result.get("post_id") or result.get("id")
        if not remote_id:
            raise UnknownOutcome(
                "Facebook accepted the request but returned no post id, so the post may be published:"
                " check the Page, then resolve the delivery with `hospipost reconcile`"
            )
        return str(remote_id)

    def post_url(self, remote_id: str) -> str:
        return post_url(remote_id)

    def _upload(self, graph: facebook.GraphAPI, image: Image, step: str, fields: dict[str, str]) -> dict[str, Any]:
        source = (image.media.path.name, image.data, image.type)
        album = f"{self.page_id}/photos"  # put_photo defaults to me/photos
        return self._run(graph, step, lambda: graph.put_photo(source, album_path=album, **fields))

    # ----------------------------------------------------------------- verify

    def verify(self) -> str:
        """Read the Page's name with the token (GET /{version}/{page}?fields=name,id)."""
        with self._graph() as graph:
            result = self._run(graph, READ, lambda: graph.get_object(self.page_id, fields="name,id"))
        name = result.get("name") or "(no name)"
        return f"{name} (Page {result.get('id') or self.page_id}, Graph API {graph.version})"

    # ----------------------------------------------------------------- plumbing

    @contextmanager
    def _graph(self) -> Iterator[facebook.GraphAPI]:
        """A GraphAPI pinned to the configured version and api_base, with a timeout."""
        import facebook

        version = self.version
        base = self.api_base
        if not re.match(r"https?://[^/\s]+", base):
            raise PermanentError(
                f"networks.facebook.api_base {base!r} is not an http(s) URL: fix it in config.yaml or remove it"
            )
        token = self.secret("token_env")
        session = _pinned_session_class()(base, version)
        graph = facebook.GraphAPI(access_token=token, timeout=self.timeout, session=session)
        graph.version = version  # facebook-sdk refuses any version > 3.1 in its constructor
        try:
            yield graph
        finally:
            session.close()

    def _secrets(self) -> set[str]:
        return set(self.credentials.handed_out)

    def _clean(self, message: str) -> str:
        from hospipost.credentials import redact

        return _TOKEN_IN_TEXT.sub(r"\1***", redact(message, self._secrets()))

    def _run(self, graph: facebook.GraphAPI, step: str, call: Callable[[], Any]) -> dict[str, Any]:
        """Run one SDK call; map every failure to a DeliveryError whose message holds no secret."""
        import facebook
        import requests

        session = graph.session
        try:
            result = call()
        except facebook.GraphAPIError as error:
            raise self._graph_error(error, session.last, step) from None
        except _OffPath as error:
            raise PermanentError(self._clean(f"hospipost refused to send a request: {error}")) from None
        except requests.exceptions.JSONDecodeError:  # "json" content type, body is not JSON
            raise self._by_status(session.last, step, "a body that is not JSON") from None
        except KeyError:  # facebook-sdk reads headers["content-type"] without checking it exists
            raise self._by_status(session.last, step, "no content type") from None
        except requests.exceptions.RequestException as error:
            raise self._transport_error(error, step) from None
        if not isinstance(result, dict):
            raise self._by_status(session.last, step, "an unexpected body")
        if session.last is not None and not 200 <= session.last.status_code < 300:  # a body without "error"
            raise self._by_status(session.last, step, "a body without an error message")
        return result

    def _graph_error(
        self, error: facebook.GraphAPIError, response: requests.Response | None, step: str
    ) -> DeliveryError:
        result = error.result if isinstance(error.result, dict) else None
        body = result.get("error") if result is not None else None
        if not isinstance(body, dict):
            # Not a Graph error body: facebook-sdk's "Maintype was not text, image, or
            # querystring" for an HTML page (a 5xx, a proxy page), or an OAuth error string.
            if result is None:
                return self._by_status(response, step, "a page that is not JSON")
            description = (
                str(result.get("error_description") or result.get("error") or result.get("error_msg") or "no detail")
                .strip()
                .rstrip(".")[:300]
            )
            status = response.status_code if response is not None else None
            if status is not None and 400 <= status < 500 and status not in (408, 429):
                return PermanentError(
                    self._clean(
                        f"Facebook refused the request (HTTP {status}: {description}): check the Page token"
                        f" in {self.token_env} and networks.facebook.page_id"
                    )
                )
            return self._by_status(response, step, f"the error {description!r}")
        code = _int(body.get("code", error.code))
        subcode = _int(body.get("error_subcode"))
        meta = str(body.get("error_user_msg") or body.get("message") or error.message or "no message")
        meta = meta.strip().rstrip(".")[:300]
        ref = (
            "Facebook error"
            + (f" {code}" if code is not None else "")
            + (f", subcode {subcode}" if subcode else "")
            + f": {meta}"
        )
        env = self.token_env
        if code in RATE_LIMIT_CODES or (response is not None and response.status_code == 429):
            retry_at, wait = rate_limit_retry(response)
            return TransientError(
                self._clean(
                    f"Facebook's rate limit is reached ({ref}): hospipost will try again in about {_minutes(wait)}"
                ),
                retry_at,
            )
        if code in TRANSIENT_CODES or body.get("is_transient") is True:
            return TransientError(
                self._clean(f"Facebook had a temporary problem ({ref}): hospipost will try again later")
            )
        if code in TOKEN_CODES:
            reason = f" ({TOKEN_SUBCODES[subcode]})" if subcode in TOKEN_SUBCODES else ""
            return PermanentError(
                self._clean(
                    f"the Page token is invalid or expired{reason}: generate a new Page token and set {env} ({ref})"
                )
            )
        if code in PERMISSION_CODES:
            need = (
                "pages_read_engagement and pages_show_list"
                if step == READ
                else "pages_manage_posts (with pages_read_engagement and pages_show_list)"
            )
            return PermanentError(
                self._clean(
                    f"the Page token lacks a permission for this Page: generate a Page token with {need},"
                    f" from a user allowed to create content on the Page, and set {env} ({ref})"
                )
            )
        if code == POLICY_BLOCK:
            return PermanentError(
                self._clean(
                    "Facebook blocked the post under its policies (the Page or this content is restricted):"
                    f" check the Page's status in Meta Business Suite before publishing anything else ({ref})"
                )
            )
        if code == DUPLICATE and step == PUBLISH:
            return UnknownOutcome(
                self._clean(
                    "Facebook refused the post as a duplicate of a recent one, so it was probably already published:"
                    f" check the Page, then resolve the delivery with `hospipost reconcile` ({ref})"
                )
            )
        if LINK_ERROR in (code, subcode):
            return PermanentError(
                self._clean(
                    "Facebook could not use the link in the post: check that it opens publicly without a login,"
                    f" or fix it in the post ({ref})"
                )
            )
        what = "read the Page" if step == READ else "publish the post"
        return PermanentError(
            self._clean(
                f"Facebook refused to {what} ({ref}): fix what Meta's message names (the post,"
                " networks.facebook.page_id or the token)"
            )
        )

    def _by_status(self, response: requests.Response | None, step: str, what: str) -> DeliveryError:
        """A failure without a Graph error body, judged by the HTTP status the SDK ignores."""
        status = response.status_code if response is not None else None
        said = f"Facebook answered HTTP {status} with {what}" if status else f"Facebook answered with {what}"
        if status is None or status >= 500 or status == 408:
            return TransientError(self._clean(f"{said} (a server error): hospipost will try again later"))
        if status == 429:
            retry_at, wait = rate_limit_retry(response)
            return TransientError(
                self._clean(f"{said} (too many requests): hospipost will try again in about {_minutes(wait)}"), retry_at
            )
        if 300 <= status < 400:
            return PermanentError(self._clean(f"{said} (a redirect, not followed): check networks.facebook.api_base"))
        if status < 300:
            if step == PUBLISH:
                return UnknownOutcome(
                    self._clean(
                        f"{said} to the publishing request, so the post may be published:"
                        " check the Page, then resolve the delivery with `hospipost reconcile`"
                    )
                )
            return TransientError(self._clean(f"{said}: hospipost will try again later"))
        return PermanentError(
            self._clean(f"{said}: check networks.facebook.api_base and any proxy in front of the Graph API")
        )

    def _transport_error(self, error: requests.RequestException, step: str) -> DeliveryError:
        """Network failures: before sending → transient; after the request left → unknown."""
        import requests.exceptions as rx

        host = self.api_base
        if isinstance(error, (rx.InvalidURL, rx.MissingSchema, rx.InvalidSchema)):
            return PermanentError(
                self._clean(f"networks.facebook.api_base {host!r} is not a usable URL: fix it in config.yaml")
            )
        before = never_left(error)
        if before is not None:
            return TransientError(
                self._clean(
                    f"could not reach Facebook at {host} ({before}), nothing was sent: hospipost will try again later"
                )
            )
        what = (
            f"Facebook did not answer within {self.timeout:g} s"
            if isinstance(error, rx.Timeout)
            else f"The connection to Facebook broke ({failure_name(error)})"
        )
        if step == PUBLISH:
            return UnknownOutcome(
                self._clean(
                    f"{what} after the post was sent, so it may be published. Check the Page,"
                    " then resolve the delivery with `hospipost reconcile`."
                )
            )
        return TransientError(
            self._clean(
                f"{what} while {'reading the Page' if step == READ else 'uploading an image'}. Nothing was published; hospipost will try again later."
            )
        )


# --------------------------------------------------------------------- helpers


def normalise_version(value: str) -> str | None:
    """``v26.0``, ``26.0``, ``26`` → ``v26.0``; None when it is not a version."""
    match = _VERSION.fullmatch(str(value).strip())
    if not match:
        return None
    return f"v{int(match[1])}.{int(match[2] or 0)}"


def post_url(remote_id: str) -> str:
    return f"{WWW}/{remote_id}"


def first_link(text: str) -> str | None:
    """The first http(s) URL of a text, without the punctuation that ends a sentence."""
    from urllib.parse import urlsplit

    for match in _URL.finditer(text):
        url = match.group(0)
        while url:
            last = url[-1]
            if (
                last in _TRAILING
                or (last == ")" and url.count("(") < url.count(")"))
                or (last == "]" and url.count("[") < url.count("]"))
            ):
                url = url[:-1]
            else:
                break
        try:
            host = urlsplit(url).hostname
        except ValueError:
            continue
        if host and "." in host:
            return url
    return None


def feed_fields(text: str, media_ids: list[str] | None = None) -> dict[str, str]:
    """The form fields of POST /{page}/feed; a link card only for a post without images."""
    fields = {"message": text}
    if media_ids:
        for index, media_id in enumerate(media_ids):
            # one form field per photo: a Python list would make requests repeat the key
            fields[f"attached_media[{index}]"] = json.dumps({"media_fbid": media_id})
    else:
        link = first_link(text)
        if link:
            fields["link"] = link
    return fields


def photo_fields(item: Media, caption: str | None = None, published: bool = True) -> dict[str, str]:
    """The form fields of POST /{page}/photos (the file goes as multipart ``source``)."""
    fields: dict[str, str] = {}
    if caption is not None:
        fields["caption"] = caption
    if item.alt:
        fields["alt_text_custom"] = item.alt
    if not published:
        fields["published"] = "false"
    return fields


def rate_limit_retry(response: requests.Response | None) -> tuple[datetime, int]:
    """When to try again: Meta's estimated_time_to_regain_access (minutes), else a default."""
    minutes: float = 0.0
    headers = response.headers if response is not None else {}
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        for entry in _dicts(usage):
            value = entry.get("estimated_time_to_regain_access")
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value > minutes:
                minutes = value
    now = datetime.now(UTC)
    if minutes:
        retry_at = retry_in(minutes * 60, RATE_LIMIT_DEFAULT)
    else:
        retry_at = reset_header(headers.get("Retry-After")) or retry_in(None, RATE_LIMIT_DEFAULT)
    return retry_at, max(1, round((retry_at - now).total_seconds() / 60))


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _dicts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _dicts(item)


def _minutes(count: int) -> str:
    return f"{count} minute" + ("" if count == 1 else "s")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(rendering: Rendering) -> str:
    return "\n\n".join(rendering.parts)  # Network.render gives Facebook a single part


def _file_summary(item: Media) -> dict[str, Any]:
    import mimetypes

    try:
        size: int | None = item.path.stat().st_size
    except OSError:
        size = None
    return {
        "file": item.file,
        "name": item.path.name,
        "bytes": size,
        "type": mimetypes.guess_type(item.path.name)[0],
        "alt": item.alt,
    }


@lru_cache(maxsize=1)
def _pinned_session_class() -> Callable[[str, str], requests.Session]:
    """A requests.Session sending facebook-sdk's requests to api_base under the pinned version."""
    import facebook
    import requests

    class PinnedSession(requests.Session):
        def __init__(self, api_base: str, version: str) -> None:
            super().__init__()
            self.api_base = api_base.rstrip("/")
            self.version = version
            self.last: requests.Response | None = None  # the SDK drops status and headers
            self._warned = False

        # Forwards every argument unchanged to Session.request; the stubs spell out each keyword
        # (and accept bytes for method/url, which facebook-sdk never passes), so a forwarding
        # override with *args/**kwargs cannot match them.
        def request(  # type: ignore[override]
            self, method: str, url: str, *args: Any, **kwargs: Any
        ) -> requests.Response:
            self.last = None
            prefix = facebook.FACEBOOK_GRAPH_URL
            if not url.startswith(prefix):
                raise _OffPath(f"{url.split('?')[0]} is not a Graph API URL")
            path = url[len(prefix) :].lstrip("/")
            if path.split("/", 1)[0] != self.version:
                raise _OffPath(f"/{path.split('?')[0]} is not under the pinned Graph API version {self.version}")
            params = kwargs.get("params")
            if isinstance(params, dict) and "access_token" in params:
                params = dict(params)
                token = params.pop("access_token")
                kwargs["params"] = params
                kwargs["headers"] = {**(kwargs.get("headers") or {}), "Authorization": f"Bearer {token}"}
            kwargs["allow_redirects"] = False
            if kwargs.get("timeout") is None:
                raise _OffPath("a request without a timeout")
            response = super().request(method, f"{self.api_base}/{path}", *args, **kwargs)
            self.last = response
            served = response.headers.get("facebook-api-version")
            log.debug(
                "Facebook %s /%s: HTTP %s (Graph API %s)",
                method,
                path.split("?")[0],
                response.status_code,
                served or "?",
            )
            if served and served != self.version and not self._warned:
                self._warned = True
                log.warning(
                    "Facebook served Graph API %s instead of the pinned %s: the pinned version may"
                    " have expired; update networks.facebook.graph_version",
                    served,
                    self.version,
                )
            return response

    return PinnedSession
