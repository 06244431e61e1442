"""LinkedIn organisation pages through the Posts API over plain HTTP (no maintained SDK).

Every call carries a LinkedIn-Version (YYYYMM, retired after about a year: 426); images and videos (linkedin_media)
are registered, then PUT to upload URLs that get the token only on LinkedIn's own hosts; the text is "little text"
(reserved characters escaped, hashtags templated). No idempotency key: a 422 "duplicate" is unknown. See NOTES.md."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from hospipost.networks.base import ConfigKey, Image, Limits, Network, Part, Rendering
from hospipost.networks.failures import Answer, Attempt, DeliveryError, PermanentError, Step, UnknownOutcome
from hospipost.networks.http import USER_AGENT
from hospipost.networks.linkedin_media import OCTETS, PUT_NOTE, VIDEO, dry_run, json_of, register, upload, upload_image
from hospipost.textlength import char_length

if TYPE_CHECKING:
    import requests

    from hospipost.networks.video import Video

log = logging.getLogger(__name__)

POST_URL = "https://www.linkedin.com/feed/update/{}/"
TOKEN_SCOPE = "w_organization_social"
READ_SCOPE = "rw_organization_admin to read the page (posting needs w_organization_social)"
EXPIRY_WARNING_DAYS = 14
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})  # no WEBP
RESTLI = {"X-Restli-Protocol-Version": "2.0.0", "Content-Type": "application/json"}
PUBLIC_POST = {  # what every post says besides its author, text and media: public, in the feed, resharable
    "visibility": "PUBLIC",
    "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
    "lifecycleState": "PUBLISHED",
    "isReshareDisabledByAuthor": False,
}
STATISTICS = "/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity="
SHARE_STATISTICS = {  # hospipost's figure → (LinkedIn's word, its count in totalShareStatistics)
    "views": ("impressions", "impressionCount"),
    "reach": ("members reached", "uniqueImpressionsCount"),
    "clicks": ("clicks", "clickCount"),
    "likes": ("reactions", "likeCount"),
    "comments": ("comments", "commentCount"),
    "shares": ("reposts", "shareCount"),
}
Alts = list[tuple[str, str | None]]  # (image or video URN, alt text)

_ORGANIZATION = re.compile(r"urn:li:organization:([1-9][0-9]*)")
_VERSION = re.compile(r"20[0-9]{2}(?:0[1-9]|1[0-2])")
_RESERVED = re.compile(r"[\\|{}@\[\]()<>#*_~]")
# A URL runs to the next space; a hashtag is a '#' that starts a word (not after a letter,
# digit, '_', '#', '&', '/' or '\'), then letters and digits with at least one letter,
# ending the word; any other reserved character stands alone.
_LITTLE_TOKENS = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|(?<![\w#&/\\])#(?P<tag>[^\W_]*[^\W\d_][^\W_]*)(?!\w)"
    r"|" + _RESERVED.pattern,
    re.IGNORECASE,
)
_DUPLICATE = re.compile(r"\bduplicate of (urn:li:\w+:\d+)", re.IGNORECASE)
_RETIRED_VERSION = re.compile(
    r"NONEXISTENT_VERSION|VERSION_MISSING|version\b.{0,40}\b(?:not active|inactive|sunset|deprecated|retired|no longer)",
    re.IGNORECASE,
)


def _organization_problem(value: object) -> str | None:
    text = str(value).strip()
    if _ORGANIZATION.fullmatch(text):
        return None
    hint = f" (urn:li:organization:{text})" if text.isdigit() else ""
    return (
        f"{value!r} is not an organization URN: set it to urn:li:organization:<id>{hint}, with the number"
        " shown in the page's admin address (linkedin.com/company/<id>/admin)"
    )


def _version_problem(value: object) -> str | None:
    ok = _VERSION.fullmatch(str(value).strip())
    return None if ok else f"{value!r} is not a LinkedIn-Version: set it to a current month as YYYYMM (e.g. 202610)"


def _date_problem(value: object) -> str | None:
    try:
        if not isinstance(value, date):
            date.fromisoformat(str(value).strip())
    except ValueError:
        return (
            f"{value!r} is not a date: write the token's expiry date as YYYY-MM-DD (LinkedIn shows it when the"
            " token is created), or remove the key"
        )
    return None


class LinkedIn(Network):
    name = "linkedin"
    label = "LinkedIn"
    default_api_base = "https://api.linkedin.com"
    limits = Limits(3000, char_length, "characters", 20, 10 * 2**20, image_types=IMAGE_TYPES, video=VIDEO)
    config_keys = {
        "organization": ConfigKey(str, required=True, help="urn:li:organization:<id>", check=_organization_problem),
        "token_env": ConfigKey(str, default="HOSPIPOST_LINKEDIN_TOKEN"),
        "version": ConfigKey(str, default="202610", help="LinkedIn-Version header, YYYYMM", check=_version_problem),
        "token_expires": ConfigKey(
            (date, str),
            help="the token's expiry date, YYYY-MM-DD (optional): networks check warns 14 days ahead",
            check=_date_problem,
        ),
    }
    credential_keys = ("token_env",)
    metric_words = {figure: word for figure, (word, _) in SHARE_STATISTICS.items()}
    metrics_batch = 20  # URNs in the query string: 20 keep the URL near 1 000 characters (NOTES.md)
    metrics_permission = "rw_organization_admin (and an administrator of the organisation)"

    today: Callable[[], date] = staticmethod(date.today)  # tests inject a fixed day
    sleep: Callable[[float], None] = staticmethod(time.sleep)  # between a video's status reads; tests never wait
    _expiry_logged = False

    def _option(self, key: str) -> str:
        """A setting as config.yaml gives it (checked when it loads), else its default."""
        return str(self.settings.options.get(key) or self.config_keys[key].default or "").strip()

    @property
    def organization(self) -> str:
        return self._option("organization")

    @property
    def token_expires(self) -> date | None:
        """The token's expiry date, if config.yaml gives one (a date, or an ISO string it checked)."""
        value = self.settings.options.get("token_expires") or None
        value = date.fromisoformat(value.strip()) if isinstance(value, str) else value
        return value.date() if isinstance(value, datetime) else value

    def _headers(self, token: str = "") -> dict[str, str]:
        token = token or self.secret("token_env")  # the dry run gives where the token comes from
        return {"Authorization": f"Bearer {token}", "LinkedIn-Version": self._option("version"), **RESTLI}

    def _post(self, headers: dict[str, str], text: str, images: Alts, video: bool) -> dict[str, Any]:
        """The request publishing the post; ``images`` are (URN, alt text): the images, or the video (titled with it)."""
        refs = [
            {"id": urn, **({"title": alt} if alt and video else {}), **({"altText": alt} if alt else {})}
            for urn, alt in images
        ]
        content = {"media": refs[0]} if len(refs) == 1 else {"multiImage": {"images": refs}}
        body = {"author": self.organization, "commentary": little_text(text), **PUBLIC_POST}
        body |= {"content": content} if refs else {}
        return {"method": "POST", "url": f"{self.api_base}/rest/posts", "headers": headers, "json": body}

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        """The requests publishing would make, in order: no credential read, no network."""
        from hospipost.media import media_info

        headers = {**self._headers(f"<token from {self._option('token_env')}>"), "User-Agent": USER_AGENT}
        steps: list[dict[str, Any]] = []
        images: Alts = []
        for number, item in enumerate(rendering.media, 1):
            info, url = media_info(item.path), f"<uploadUrl returned for image {number}>"
            size = info.size if info.problem is None else None
            if (info.mime or "").startswith("video/"):
                steps += dry_run(self, item, size or 0, headers)
                images.append(("<video URN>", item.alt))
                continue
            put = {"Content-Type": info.mime or OCTETS, "User-Agent": USER_AGENT}
            body = {"file": item.file, "bytes": size, "type": info.mime, "alt": item.alt}
            steps.append({**register(self, headers), "file": item.file})
            steps.append({"method": "PUT", "url": url, "headers": put, "body": body, "note": PUT_NOTE})
            images.append((f"<image URN {number}>", item.alt))
        video = [urn for urn, _ in images] == ["<video URN>"]
        return [*steps, self._post(headers, "\n\n".join(rendering.parts), images, video)]

    def connection(self) -> AbstractContextManager[Any]:
        return self.session()

    def upload_images(self, session: requests.Session, images: list[Image]) -> list[str]:
        """Register each image, then PUT its bytes to the upload URL LinkedIn gave: their URNs."""
        return [upload_image(self, session, image) for image in images]

    def upload_video(self, session: requests.Session, video: Video) -> list[str]:
        """Upload the video in the parts LinkedIn names, with its captions, and wait until it is AVAILABLE."""
        return [upload(self, session, video)]

    def post_part(self, session: requests.Session, part: Part) -> str:
        """``POST /rest/posts`` (LinkedIn has no idempotency key and no threads: one part)."""
        media = [part.video.media] if part.video else [image.media for image in part.images]
        images = [(urn, item.alt) for urn, item in zip(part.media_ids, media, strict=True)]
        request = self._post(self._headers(), part.text, images, part.video is not None)
        response = self._call(session, Attempt(part.doing), request)
        if not (urn := unquote(str(response.headers.get("x-restli-id") or "").strip())):
            raise UnknownOutcome(
                f"LinkedIn accepted the post (HTTP {response.status_code}) but returned no post id (x-restli-id),"
                f" so it is probably published: {self.unknown_hint()}"
            )
        log.info("LinkedIn: published %s", urn)
        if not self._expiry_logged and (warning := self._expiry_warning()):  # logged once, never blocking
            log.warning("%s", warning)
        self._expiry_logged = True
        return urn

    def delete_part(self, session: requests.Session, part_id: str) -> None:
        """``DELETE /rest/posts/{encoded URN}`` (204, also for a post already deleted); a 404 or 410 counts as deleted."""
        url = f"{self.api_base}/rest/posts/{quote(part_id, safe='')}"
        request = {"method": "DELETE", "url": url, "headers": {**self._headers(), "X-RestLi-Method": "DELETE"}}
        response = self._call(session, Attempt(f"deleting the post {part_id}", Step.DELETE), request, gone=(404, 410))
        if response.status_code in (404, 410):
            log.info("LinkedIn: the post %s was already deleted", part_id)

    def read_metrics(self, session: requests.Session, remote_ids: list[str], attempt: Attempt) -> dict[str, Any]:
        """``GET /rest/organizationalEntityShareStatistics`` (organic, lifetime) for ``shares=List(…)``, then for
        ``ugcPosts=List(…)`` (never mixed); a post LinkedIn does not return is left out."""
        found: dict[str, Any] = {}
        for kind in ("share", "ugcPost"):
            if urns := [quote(urn, safe="") for urn in remote_ids if urn.startswith(f"urn:li:{kind}:")]:
                query = f"{quote(self.organization, safe='')}&{kind}s=List({','.join(urns)})"
                request = {"method": "GET", "url": self.api_base + STATISTICS + query, "headers": self._headers()}
                if not isinstance(elements := json_of(self._call(session, attempt, request)).get("elements"), list):
                    raise KeyError("elements")  # an unreadable answer: transient
                for element in elements:
                    if isinstance(element, dict) and isinstance(counts := element.get("totalShareStatistics"), dict):
                        figures = {name: counts.get(key) for name, (_, key) in SHARE_STATISTICS.items()}
                        found[str(element.get(kind))] = {name: n for name, n in figures.items() if type(n) is int}
        return found

    def post_url(self, remote_id: str) -> str:
        return POST_URL.format(remote_id)

    def _call(
        self, session: requests.Session, attempt: Attempt, request: dict[str, Any], gone: tuple[int, ...] = ()
    ) -> requests.Response:
        """One request; a failure, or an answer other than 2xx (or a status in ``gone``), raises a DeliveryError."""
        import requests

        try:
            response = session.request(**request)
            if not 200 <= response.status_code < 300 and response.status_code not in gone:
                raise requests.HTTPError(f"HTTP {response.status_code}", response=response)
        except requests.RequestException as error:
            raise self.failure(error, attempt) from None
        return response

    def verify(self) -> str:
        """Read the organisation's name (GET /rest/organizations/{id}) and report the token's days left."""
        organization, headers = self.organization, self._headers()
        url = f"{self.api_base}/rest/organizations/{organization.rsplit(':', 1)[1]}"
        with self.session() as session:
            attempt = Attempt(f"reading the organization {organization}", Step.READ)
            response = self._call(session, attempt, {"method": "GET", "url": url, "headers": headers})
        who = f"{_organization_name(json_of(response))} ({organization}, LinkedIn-Version {self._option('version')})"
        if (expires := self.token_expires) is None:
            return (
                f"{who}; token expiry unknown (tokens last about 60 days): set networks.linkedin.token_expires"
                f" to its date to be warned {EXPIRY_WARNING_DAYS} days ahead"
            )
        warning, days = self._expiry_warning(), (expires - self.today()).days  # `networks check` prints the warning
        return f"{warning} — {who}" if warning else f"{who}; the token expires in {days} days ({expires})"

    def _expiry_warning(self) -> str | None:
        """A warning when token_expires says the token expires within EXPIRY_WARNING_DAYS, or expired."""
        if (expires := self.token_expires) is None or (days := (expires - self.today()).days) >= EXPIRY_WARNING_DAYS:
            return None
        if days < 0:
            return (
                f"WARNING: networks.linkedin.token_expires says the LinkedIn token expired on {expires.isoformat()},"
                " yet LinkedIn accepted it: set token_expires to the current token's expiry date"
            )
        when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
        return (
            f"WARNING: the LinkedIn token expires {when} ({expires.isoformat()}): create a new one with {TOKEN_SCOPE},"
            f" set {self._option('token_env')} and update networks.linkedin.token_expires"
        )

    def answer_of(self, error: BaseException) -> Answer | None:
        """The answer in a requests error, with LinkedIn's own explanation (its JSON ``message`` or ``code``)."""
        if (response := getattr(error, "response", None)) is None:
            return None
        body = json_of(response)
        said = body.get("message") or body.get("code") or ("" if body else response.reason or "")
        return Answer(response.status_code, response.headers, " ".join(str(said).split()).rstrip(".")[:300])

    def network_failure(self, error: BaseException, attempt: Attempt) -> DeliveryError | None:
        """A retired LinkedIn-Version (426, or a 4xx saying so); a 404 or a 400/422 naming what to fix."""
        response, answer = getattr(error, "response", None), self.answer_of(error)
        if response is None or answer is None:
            return None
        said = f"({answer.ref}); {attempt.nothing}"
        if answer.status == 426 or _RETIRED_VERSION.search(response.text):
            return PermanentError(
                f"LinkedIn-Version {self._option('version')} is retired: set networks.linkedin.version to a current"
                f" YYYYMM {said}"
            )
        if answer.status == 404 and attempt.step is not Step.METRICS:  # reading figures: a deleted post (the base)
            return PermanentError(
                f"LinkedIn found nothing at this address while {attempt.doing} {said}: check"
                " networks.linkedin.organization and networks.linkedin.api_base"
            )
        duplicate = _DUPLICATE.search(response.text) if attempt.step is Step.PUBLISH else None
        if answer.status == 422 and duplicate:  # "Content is a duplicate of urn:li:share:…"
            url = self.post_url(duplicate[1])
            return UnknownOutcome(
                f"LinkedIn says this text was already posted as {duplicate[1]}, probably by an earlier attempt:"
                f" check {url}, then resolve the delivery with `hospipost reconcile` (--sent {url} if it is this post)"
            )
        if answer.status in (400, 422):
            return PermanentError(
                f"LinkedIn rejected {attempt.doing} {said}: fix what LinkedIn's message names (the post, its images"
                " or networks.linkedin in config.yaml), then publish again"
            )
        return None

    def credentials_hint(self) -> str:
        past = (expires := self.token_expires) is not None and expires <= self.today()
        expired = f"; networks.linkedin.token_expires says it expired on {expires}" if past else ""
        return (
            f"create a new token with {TOKEN_SCOPE} (tokens last about 60 days{expired}),"
            f" set {self._option('token_env')}, then publish again"
        )

    def permissions_hint(self, attempt: Attempt) -> str:
        need = READ_SCOPE if attempt.step is Step.READ else TOKEN_SCOPE
        admin = f"an administrator (super or content admin) of {self.organization}"
        return f"the token needs {need} and its member must be {admin}"

    def unknown_hint(self) -> str:
        return "check the organization's page, then resolve the delivery with `hospipost reconcile`"


def little_text(text: str) -> str:
    """A text in LinkedIn's little text format: hashtags as templates, reserved characters (in URLs too) escaped."""
    return _LITTLE_TOKENS.sub(_little_token, text)


def _little_token(match: re.Match[str]) -> str:
    tag = match.group("tag")
    return "{hashtag|\\#|" + tag + "}" if tag else _RESERVED.sub(r"\\\g<0>", match.group(0))


def _organization_name(body: dict[str, Any]) -> str:
    localized = body["name"].get("localized") if isinstance(body.get("name"), dict) else None
    if not (name := body.get("localizedName")) and isinstance(localized, dict) and localized:
        name = next(iter(localized.values()))
    return str(name) if name else "(no name)"
