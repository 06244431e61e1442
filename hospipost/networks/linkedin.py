"""LinkedIn organisation pages through the Posts API over plain HTTP (no maintained SDK).

Every call carries a LinkedIn-Version (YYYYMM, retired after about a year: 426); images are
registered then PUT to an upload URL that gets the token only on LinkedIn's own hosts; the text
is "little text" (reserved characters escaped, hashtags templated). No idempotency key. More: NOTES.md."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from hospipost import __version__
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
from hospipost.textlength import char_length

if TYPE_CHECKING:
    import requests

    from hospipost.posts import Media

log = logging.getLogger(__name__)

POST_URL = "https://www.linkedin.com/feed/update/{}/"
USER_AGENT = f"hospipost/{__version__}"
RESTLI_PROTOCOL = "2.0.0"
TOKEN_SCOPE = "w_organization_social"
EXPIRY_WARNING_DAYS = 14
RATE_LIMIT_DEFAULT = timedelta(minutes=15)  # when LinkedIn sends no Retry-After

# The kinds of request, by what a failure after sending means.
READ = "read"  # verify: nothing changes
UPLOAD = "upload"  # registering or uploading an image: invisible until a post uses it
PUBLISH = "publish"  # the post request: may have been processed

_ORGANIZATION = re.compile(r"urn:li:organization:([1-9][0-9]*)")
_VERSION = re.compile(r"20[0-9]{2}(?:0[1-9]|1[0-2])")
_RESERVED = re.compile(r"[\\|{}@\[\]()<>#*_~]")
# A URL runs to the next space; a hashtag is a '#' that starts a word (not after a letter,
# digit, '_', '#', '&', '/' or '\'), then letters and digits with at least one letter,
# ending the word.
_LITTLE_TOKENS = re.compile(
    r"(?P<url>(?:https?://|www\.)\S+)"
    r"|(?<![\w#&/\\])#(?P<tag>[^\W_]*[^\W\d_][^\W_]*)(?!\w)",
    re.IGNORECASE,
)
_RETIRED_VERSION = re.compile(
    r"NONEXISTENT_VERSION|VERSION_MISSING|version\b.{0,40}\b(?:not active|inactive|sunset|deprecated|retired|no longer)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(Bearer\s+)[^\s'\",;)]+", re.IGNORECASE)


class _Connection(NamedTuple):
    """What every request of one publish needs."""

    session: requests.Session
    token: str
    base: str
    organization: str
    version: str


class LinkedIn(Network):
    name = "linkedin"
    label = "LinkedIn"
    default_api_base = "https://api.linkedin.com"
    limits = Limits(
        max_length=3000,
        count=char_length,
        length_unit="characters",
        max_images=20,
        max_image_bytes=10 * 1024 * 1024,
        image_types=frozenset({"image/jpeg", "image/png", "image/gif"}),
    )
    config_keys = {
        "organization": ConfigKey(
            str, required=True, help="urn:li:organization:<id>", check=lambda value: _organization_problem(value)
        ),
        "token_env": ConfigKey(str, default="HOSPIPOST_LINKEDIN_TOKEN"),
        "version": ConfigKey(
            str,
            default="202610",
            help="LinkedIn-Version header, YYYYMM",
            check=lambda value: (
                None
                if _VERSION.fullmatch(str(value).strip())
                else f"{value!r} is not a LinkedIn-Version: set a current month as YYYYMM (e.g. 202610)"
            ),
        ),
        "token_expires": ConfigKey(
            (date, str),
            help="the token's expiry date, YYYY-MM-DD (optional): networks check warns 14 days ahead",
            check=lambda value: _date_problem(value),
        ),
    }

    def __init__(self, settings: Any, credentials: Any, cache_dir: Any = None) -> None:
        super().__init__(settings, credentials, cache_dir)
        self.today: Callable[[], date] = date.today  # tests inject a fixed day
        self._expiry_logged = False

    # ----------------------------------------------------------------- settings

    @property
    def token_env(self) -> str:
        return str(self.settings.options.get("token_env") or self.config_keys["token_env"].default)

    def _raw(self, key: str) -> str:
        return str(self.settings.options.get(key) or self.config_keys[key].default or "").strip()

    @property
    def organization(self) -> str:
        """The organisation URN; PermanentError when it is not one."""
        value = self._raw("organization")
        if not _ORGANIZATION.fullmatch(value):
            hint = f" (urn:li:organization:{value})" if value.isdigit() else ""
            raise PermanentError(
                f"networks.linkedin.organization {value!r} is not an organization URN: set it to"
                f" urn:li:organization:<id>{hint}, with the number shown in the page's admin address"
                " (linkedin.com/company/<id>/admin)"
            )
        return value

    @property
    def version(self) -> str:
        """The LinkedIn-Version header (YYYYMM); PermanentError when malformed."""
        value = self._raw("version")
        if not _VERSION.fullmatch(value):
            raise PermanentError(
                f"networks.linkedin.version {value!r} is not a LinkedIn-Version: set it to a current"
                " month as YYYYMM (e.g. 202610) in config.yaml"
            )
        return value

    @property
    def token_expires(self) -> date | None:
        """The configured expiry date of the token, if any; PermanentError when it is not a date."""
        value = self.settings.options.get("token_expires")
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise PermanentError(
                f"networks.linkedin.token_expires {value!r} is not a date: write the token's expiry date as"
                " YYYY-MM-DD (LinkedIn shows it when the token is created), or remove the key"
            ) from None

    def _api_base(self) -> str:
        base = self.api_base
        if not re.match(r"https?://[^/\s]+", base):
            raise PermanentError(
                f"networks.linkedin.api_base {base!r} is not an http(s) URL: fix it in config.yaml or remove it"
            )
        return base

    # ----------------------------------------------------------------- dry run

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        """The requests publishing would make, in order: no credential read, no network."""
        from hospipost.media import media_info

        base = self.api_base
        organization = self._raw("organization")
        headers = api_headers(self._raw("version"), f"<token from {self.token_env}>")
        steps: list[dict[str, Any]] = []
        images: list[tuple[str, str | None]] = []
        for number, item in enumerate(rendering.media, 1):
            urn = f"<image URN {number}>"
            images.append((urn, item.alt))
            info = media_info(item.path)
            steps.append(
                {
                    "method": "POST",
                    "url": f"{base}/rest/images?action=initializeUpload",
                    "headers": headers,
                    "json": initialize_upload_body(organization),
                    "file": item.file,
                }
            )
            steps.append(
                {
                    "method": "PUT",
                    "url": f"<uploadUrl returned for image {number}>",
                    "headers": {"Content-Type": info.mime or "application/octet-stream", "User-Agent": USER_AGENT},
                    "body": {
                        "file": item.file,
                        "bytes": info.size if info.problem is None else None,
                        "type": info.mime,
                        "alt": item.alt,
                    },
                    "note": "Authorization only when the upload URL is on the API host or an https linkedin.com host",
                }
            )
        steps.append(
            {
                "method": "POST",
                "url": f"{base}/rest/posts",
                "headers": headers,
                "json": post_body(organization, little_text(_text(rendering)), images),
            }
        )
        return steps

    # ----------------------------------------------------------------- publish

    @contextmanager
    def connection(self) -> Iterator[_Connection]:
        base, organization, version = self._api_base(), self.organization, self.version
        token = self.secret("token_env")
        self._log_expiry()
        with self._session() as session:
            yield _Connection(session, token, base, organization, version)

    def upload_images(self, api: _Connection, images: list[Image]) -> list[str]:
        return [
            self._upload(
                api.session, api.token, api.base, api.organization, api.version, image.media, image.data, image.type
            )
            for image in images
        ]

    def post_part(self, api: _Connection, part: Part) -> str:
        """``POST /rest/posts`` (LinkedIn has no idempotency key and no threads: one part)."""
        images = [(urn, image.media.alt) for urn, image in zip(part.media_ids, part.images, strict=True)]
        body = post_body(api.organization, little_text(part.text), images)
        response = self._call(
            api.session,
            PUBLISH,
            "publishing the post",
            "POST",
            f"{api.base}/rest/posts",
            headers=api_headers(api.version, api.token),
            json=body,
        )
        urn = _restli_id(response)
        if not urn:
            raise UnknownOutcome(
                self._clean(
                    f"LinkedIn accepted the post (HTTP {response.status_code}) but returned no post id (x-restli-id),"
                    " so it is probably published: check the page, then resolve the delivery with `hospipost reconcile`"
                )
            )
        log.info("LinkedIn: published %s", urn)
        return urn

    def post_url(self, remote_id: str) -> str:
        return post_url(remote_id)

    def _upload(
        self,
        session: requests.Session,
        token: str,
        base: str,
        organization: str,
        version: str,
        item: Media,
        data: bytes,
        kind: str,
    ) -> str:
        """initializeUpload, then PUT the bytes; the image URN."""
        doing = f"preparing the image {item.file}"
        response = self._call(
            session,
            UPLOAD,
            doing,
            "POST",
            f"{base}/rest/images?action=initializeUpload",
            headers=api_headers(version, token),
            json=initialize_upload_body(organization),
        )
        value = _json(response).get("value")
        value = value if isinstance(value, dict) else {}
        upload_url, urn = value.get("uploadUrl"), value.get("image")
        if not isinstance(upload_url, str) or not isinstance(urn, str) or not upload_url or not urn:
            raise TransientError(
                self._clean(
                    f"LinkedIn returned no upload address or image id while {doing}; nothing was published,"
                    " hospipost will try again later"
                )
            )
        if not re.match(r"https?://[^/\s]+", upload_url):
            raise PermanentError(
                self._clean(
                    f"LinkedIn returned an upload address that is not http(s) while {doing}; nothing was published"
                    " and nothing was sent there: check networks.linkedin.api_base and any proxy in front of LinkedIn"
                )
            )
        headers = {"Content-Type": kind, "User-Agent": USER_AGENT}
        if token_allowed(upload_url, base):
            headers["Authorization"] = f"Bearer {token}"
        else:
            log.info(
                "LinkedIn: uploading %s to %s without the token (not the API host nor linkedin.com)",
                item.file,
                _host(upload_url),
            )
        self._call(session, UPLOAD, f"uploading the image {item.file}", "PUT", upload_url, headers=headers, data=data)
        log.info("LinkedIn: uploaded %s as %s", item.file, urn)
        return urn

    # ----------------------------------------------------------------- verify

    def verify(self) -> str:
        """Read the organisation's name (GET /rest/organizations/{id}) and report the token's days left."""
        base, organization, version = self._api_base(), self.organization, self.version
        expires = self.token_expires
        token = self.secret("token_env")
        org_id = organization.rsplit(":", 1)[1]
        with self._session() as session:
            response = self._call(
                session,
                READ,
                f"reading the organization {organization}",
                "GET",
                f"{base}/rest/organizations/{org_id}",
                headers=api_headers(version, token),
            )
        who = f"{_organization_name(_json(response))} ({organization}, LinkedIn-Version {version})"
        return self._clean(self._with_expiry(who, expires))

    def _with_expiry(self, who: str, expires: date | None) -> str:
        if expires is None:
            return (
                f"{who}; token expiry unknown (tokens last about 60 days): set networks.linkedin.token_expires"
                f" to its date to be warned {EXPIRY_WARNING_DAYS} days ahead"
            )
        warning = self._expiry_warning(expires)
        if warning:  # returned, not logged: `networks check` prints it
            return f"{warning} — {who}"
        days = (expires - self.today()).days
        return f"{who}; the token expires in {days} days ({expires.isoformat()})"

    def _expiry_warning(self, expires: date) -> str | None:
        days = (expires - self.today()).days
        renew = f"create a new one with {TOKEN_SCOPE}, set {self.token_env} and update networks.linkedin.token_expires"
        if days < 0:
            return (
                f"WARNING: networks.linkedin.token_expires says the LinkedIn token expired on {expires.isoformat()},"
                " yet LinkedIn accepted it: set token_expires to the current token's expiry date"
            )
        if days < EXPIRY_WARNING_DAYS:
            when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
            return f"WARNING: the LinkedIn token expires {when} ({expires.isoformat()}): {renew}"
        return None

    def _log_expiry(self) -> None:
        """While publishing, log (once) that the token expires soon; never blocks a post."""
        if self._expiry_logged:
            return
        self._expiry_logged = True
        try:
            expires = self.token_expires
        except PermanentError as error:
            log.warning("%s", error)
            return
        warning = self._expiry_warning(expires) if expires else None
        if warning:
            log.warning("%s", warning)

    # ----------------------------------------------------------------- HTTP

    @contextmanager
    def _session(self) -> Iterator[requests.Session]:
        import requests

        session = requests.Session()
        try:
            yield session
        finally:
            session.close()

    def _call(
        self,
        session: requests.Session,
        step: str,
        doing: str,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        json: Any = None,
        data: bytes | None = None,
    ) -> requests.Response:
        """One request with a timeout and no redirect; any failure becomes a DeliveryError."""
        import requests

        try:
            response = session.request(
                method, url, headers=headers, json=json, data=data, timeout=self.timeout, allow_redirects=False
            )
        except requests.exceptions.RequestException as error:
            raise self._transport_error(error, step, doing) from None
        log.debug("LinkedIn %s %s%s: HTTP %s", method, _host(url), _path(url), response.status_code)
        if not 200 <= response.status_code < 300:
            raise self._http_error(response, step, doing)
        return response

    def _clean(self, message: str) -> str:
        from hospipost.credentials import redact

        return _BEARER.sub(r"\1***", redact(message, set(self.credentials.handed_out)))

    def _http_error(self, response: requests.Response, step: str, doing: str) -> DeliveryError:
        status = response.status_code
        body = _json(response)
        said = _linkedin_message(body, response)
        ref = f"HTTP {status}" + (f": {said}" if said else "")
        nothing = "" if step == PUBLISH else "; nothing was published"
        log.debug("LinkedIn answered %s while %s", self._clean(ref), doing)
        if status == 426 or _RETIRED_VERSION.search(f"{body.get('code', '')} {said}"):
            return PermanentError(
                self._clean(
                    f"LinkedIn-Version {self._raw('version')} is retired: set networks.linkedin.version to a current"
                    f" YYYYMM ({ref}){nothing}"
                )
            )
        if status == 401:
            expired = ""
            try:
                expires = self.token_expires
            except PermanentError:
                expires = None
            if expires and expires <= self.today():
                expired = f"; networks.linkedin.token_expires says it expired on {expires.isoformat()}"
            return PermanentError(
                self._clean(
                    "the LinkedIn token is invalid or expired (tokens last about 60 days): create a new one with"
                    f" {TOKEN_SCOPE} and set {self.token_env} ({ref}{expired}){nothing}"
                )
            )
        if status == 403:
            need = (
                "rw_organization_admin to read the page (posting needs w_organization_social)"
                if step == READ
                else TOKEN_SCOPE
            )
            return PermanentError(
                self._clean(
                    f"LinkedIn refused {doing} ({ref}): the token needs {need} and its member must be an administrator"
                    f" (super or content admin) of {self._raw('organization')}{nothing}"
                )
            )
        if status == 429:
            retry_at = retry_after(response)
            minutes = max(1, round((retry_at - datetime.now(UTC)).total_seconds() / 60))
            return TransientError(
                self._clean(
                    f"LinkedIn's rate limit is reached while {doing} ({ref}){nothing}: hospipost will try again in about"
                    f" {minutes} minute{'s' if minutes > 1 else ''}"
                ),
                retry_at,
            )
        if status >= 500 or status == 408:
            return TransientError(
                self._clean(f"LinkedIn had a server error while {doing} ({ref}): hospipost will try again later")
            )
        if 300 <= status < 400:
            return PermanentError(
                self._clean(
                    f"LinkedIn answered {doing} with a redirect ({ref}, not followed){nothing}:"
                    " check networks.linkedin.api_base"
                )
            )
        if status in (400, 422):
            return PermanentError(
                self._clean(
                    f"LinkedIn rejected {doing} ({ref}){nothing}: fix what LinkedIn's message names"
                    " (the post, its images or networks.linkedin in config.yaml), then publish again"
                )
            )
        if status == 404:
            return PermanentError(
                self._clean(
                    f"LinkedIn found nothing at this address while {doing} ({ref}){nothing}: check"
                    " networks.linkedin.organization and networks.linkedin.api_base"
                )
            )
        return PermanentError(self._clean(f"LinkedIn refused {doing} ({ref}){nothing}"))

    def _transport_error(self, error: requests.RequestException, step: str, doing: str) -> DeliveryError:
        """Before sending → transient; after the post request left → unknown."""
        import requests.exceptions as rx

        from hospipost.networks.http import failure_name, never_left

        if isinstance(error, (rx.InvalidURL, rx.MissingSchema, rx.InvalidSchema, rx.InvalidHeader)):
            return PermanentError(
                self._clean(
                    f"hospipost could not build the request while {doing} ({type(error).__name__}): check"
                    " networks.linkedin.api_base in config.yaml"
                )
            )
        before = never_left(error)
        if before is not None:
            return TransientError(
                self._clean(
                    f"could not reach LinkedIn at {self.api_base} while {doing} ({before}), nothing was sent:"
                    " hospipost will try again later"
                )
            )
        what = (
            f"LinkedIn did not answer within {self.timeout:g} s"
            if isinstance(error, rx.Timeout)
            else f"The connection to LinkedIn broke ({failure_name(error)})"
        )
        if step == PUBLISH:
            return UnknownOutcome(
                self._clean(
                    f"{what} after the post was sent, so it may be published. Check the page,"
                    " then resolve the delivery with `hospipost reconcile`."
                )
            )
        return TransientError(
            self._clean(f"{what} while {doing}. Nothing was published; hospipost will try again later.")
        )


# --------------------------------------------------------------------- helpers


def _organization_problem(value: object) -> str | None:
    text = str(value).strip()
    if _ORGANIZATION.fullmatch(text):
        return None
    hint = f" (urn:li:organization:{text})" if text.isdigit() else ""
    return (
        f"{value!r} is not an organization URN: set it to urn:li:organization:<id>{hint}, with the number"
        " shown in the page's admin address (linkedin.com/company/<id>/admin)"
    )


def _date_problem(value: object) -> str | None:
    if isinstance(value, date):
        return None
    try:
        date.fromisoformat(str(value).strip())
    except ValueError:
        return f"{value!r} is not a date: write the token's expiry date as YYYY-MM-DD, or remove the key"
    return None


def little_text(text: str) -> str:
    """A text in LinkedIn's little text format: hashtags as templates, reserved characters escaped."""
    out: list[str] = []
    position = 0
    for match in _LITTLE_TOKENS.finditer(text):
        out.append(escape_little(text[position : match.start()]))
        tag = match.group("tag")
        out.append("{hashtag|\\#|" + tag + "}" if tag else escape_little(match.group("url")))
        position = match.end()
    out.append(escape_little(text[position:]))
    return "".join(out)


def escape_little(text: str) -> str:
    """Every reserved character of the little text format, backslash-escaped."""
    return _RESERVED.sub(lambda match: "\\" + match.group(0), text)


def api_headers(version: str, token: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "LinkedIn-Version": version,
        "X-Restli-Protocol-Version": RESTLI_PROTOCOL,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def initialize_upload_body(organization: str) -> dict[str, Any]:
    return {"initializeUploadRequest": {"owner": organization}}


def post_body(organization: str, commentary: str, images: list[tuple[str, str | None]]) -> dict[str, Any]:
    """The JSON of POST /rest/posts; ``images`` are (image URN, alt text) pairs."""
    body: dict[str, Any] = {
        "author": organization,
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    refs = [{"id": urn, **({"altText": alt} if alt else {})} for urn, alt in images]
    if len(refs) == 1:
        body["content"] = {"media": refs[0]}
    elif refs:
        body["content"] = {"multiImage": {"images": refs}}
    return body


def post_url(urn: str) -> str:
    return POST_URL.format(urn)


def token_allowed(url: str, api_base: str) -> bool:
    """Whether the bearer token may go to ``url``: the API host itself, or LinkedIn over HTTPS."""
    from urllib.parse import urlsplit

    try:
        target, api = urlsplit(url), urlsplit(api_base)
        ports = (target.port or _default_port(target.scheme), api.port or _default_port(api.scheme))
    except ValueError:
        return False
    host = (target.hostname or "").lower()
    if target.scheme == api.scheme and host == (api.hostname or "").lower() and ports[0] == ports[1]:
        return True
    return target.scheme == "https" and (host == "linkedin.com" or host.endswith(".linkedin.com"))


def retry_after(response: requests.Response) -> datetime:
    """When to try again after a 429: ``Retry-After`` (seconds or an HTTP date), else 15 minutes; at most MAX_WAIT."""
    return reset_header(response.headers.get("Retry-After")) or retry_in(None, RATE_LIMIT_DEFAULT)


def _default_port(scheme: str) -> int | None:
    return {"http": 80, "https": 443}.get(scheme)


def _restli_id(response: requests.Response) -> str | None:
    from urllib.parse import unquote

    value = str(response.headers.get("x-restli-id") or "").strip()
    if not value:
        return None
    return unquote(value) if "%3a" in value.lower() else value


def _organization_name(body: dict[str, Any]) -> str:
    name = body.get("localizedName")
    if not name and isinstance(body.get("name"), dict):
        localized = body["name"].get("localized")
        if isinstance(localized, dict) and localized:
            name = next(iter(localized.values()))
    return str(name) if name else "(no name)"


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _linkedin_message(body: dict[str, Any], response: requests.Response) -> str:
    """LinkedIn's own explanation, on one short line."""
    message = body.get("message") or body.get("code") or ""
    if not message and not body:
        message = response.reason or ""
    text = " ".join(str(message).split()).rstrip(".")
    return text if len(text) <= 300 else text[:299] + "…"


def _text(rendering: Rendering) -> str:
    return "\n\n".join(rendering.parts)  # Network.render gives LinkedIn a single part


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "?"
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}" if parts.netloc else "?"


def _path(url: str) -> str:
    """The path of a URL, never its query (an upload URL's query carries an upload token)."""
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).path
    except ValueError:
        return ""
