"""The LinkedIn adapter (Posts API over requests), with HTTP intercepted by `responses`.

Every request is caught by `responses` (which refuses any unregistered URL) or, for the
socket-level failures, goes to a socket on 127.0.0.1 that the test owns: nothing touches
the real network.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import traceback
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError

from hospipost.config import NetworkSettings
from hospipost.credentials import Credentials, CredentialsError
from hospipost.errors import InputError
from hospipost.networks.base import MAX_WAIT, PermanentError, Rendering, Sent, TransientError, UnknownOutcome
from hospipost.networks.linkedin import LinkedIn, little_text
from hospipost.networks.linkedin_media import token_allowed
from hospipost.posts import Media
from tests.helpers import CONFIG_YAML, make_config
from tests.networks.kit import Parts, SilentServer, free_port, tiny_png

TOKEN = "AQX-SECRET-LINKEDIN-TOKEN-4242"
ORG = "urn:li:organization:123"
API = "https://api.linkedin.com"
POSTS = f"{API}/rest/posts"
INIT = f"{API}/rest/images?action=initializeUpload"
ORG_URL = f"{API}/rest/organizations/123"
UPLOAD = "https://www.linkedin.com/dms-uploads/sp/v2/D4E10AQ/uploaded-image/0?ca=vector_feedshare&cn=uploads&ut=up1"
POST_URN = "urn:li:share:7240000000000000001"
TODAY = date(2026, 11, 23)
TEXT = "Fortes chaleurs (canicule) : le CHU d'Angers active son plan. En cas de malaise, appelez le 15. #Canicule"
SENT_TEXT = (
    "Fortes chaleurs \\(canicule\\) : le CHU d'Angers active son plan. En cas de malaise, appelez le 15."
    " {hashtag|\\#|Canicule}"
)
ALT = "Infographie : les bons gestes en cas de fortes chaleurs"
DISTRIBUTION = {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []}


# --------------------------------------------------------------------- fixtures


def make_adapter(environ: dict[str, str] | None = None, **options: Any) -> LinkedIn:
    settings: dict[str, Any] = {
        "enabled": True,
        "organization": ORG,
        "token_env": "HOSPIPOST_LINKEDIN_TOKEN",
        "version": "202610",
        "token_expires": None,
        "api_base": None,
        "timeout": 7,
    }
    settings.update(options)
    credentials = Credentials(environ={"HOSPIPOST_LINKEDIN_TOKEN": TOKEN} if environ is None else environ)
    adapter = LinkedIn(NetworkSettings("linkedin", True, settings, 1), credentials)
    adapter.today = lambda: TODAY
    return adapter


def image(tmp_path: Path, name: str, alt: str | None = ALT, data: bytes | None = None) -> Media:
    path = tmp_path / "media" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(tiny_png() if data is None else data)
    return Media(file=f"media/{name}", path=path, alt=alt, people=False, consent=None, line=1)


def rendering(text: str = TEXT, media: list[Media] | None = None) -> Rendering:
    return Rendering("linkedin", [text], media or [])


def publish(adapter: LinkedIn, r: Rendering, done: list[str] | None = None, parts: Parts | None = None) -> Sent:
    return adapter.publish(r, "p1:linkedin", done or [], parts or Parts())


@pytest.fixture
def http() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def created(http: responses.RequestsMock, urn: str = POST_URN, url: str = POSTS) -> None:
    http.post(url, status=201, body="", headers={"x-restli-id": urn})


def initialized(http: responses.RequestsMock, number: int, upload: str = UPLOAD, base: str = API) -> None:
    http.post(
        f"{base}/rest/images?action=initializeUpload",
        json={
            "value": {
                "uploadUrlExpiresAt": 1790000000000,
                "uploadUrl": upload,
                "image": f"urn:li:image:C4E10AQ{number}",
            }
        },
    )


def body(call: Any) -> dict[str, Any]:
    return json.loads(call.request.body)


def expected_post(commentary: str = SENT_TEXT, content: dict[str, Any] | None = None) -> dict[str, Any]:
    post = {
        "author": ORG,
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": DISTRIBUTION,
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    if content is not None:
        post["content"] = content
    return post


def assert_api_headers(call: Any, version: str = "202610") -> None:
    headers = call.request.headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["LinkedIn-Version"] == version
    assert headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"].startswith("hospipost/")


def error_body(status: int, message: str, **extra: Any) -> dict[str, Any]:
    return {"status": status, "message": message, **extra}


# --------------------------------------------------------------------- text posts


def test_text_post_request_on_the_default_host(http: responses.RequestsMock) -> None:
    created(http)
    parts = Parts()

    sent = publish(make_adapter(), rendering(), parts=parts)

    assert sent == Sent(POST_URN, f"https://www.linkedin.com/feed/update/{POST_URN}/")
    assert parts.calls == [(0, POST_URN)]
    (call,) = http.calls
    url = urlsplit(call.request.url)
    assert (call.request.method, url.scheme, url.netloc, url.path, url.query) == (
        "POST",
        "https",
        "api.linkedin.com",
        "/rest/posts",
        "",
    )
    assert_api_headers(call)
    assert body(call) == expected_post()
    assert call.request.req_kwargs["timeout"] == 7


def test_custom_api_base_version_and_timeout_from_config_yaml(tmp_path: Path, http: responses.RequestsMock) -> None:
    text = CONFIG_YAML.replace(
        'linkedin: {enabled: true, organization: "urn:li:organization:123"}',
        'linkedin: {enabled: true, organization: "urn:li:organization:123", api_base: "http://127.0.0.1:8093/li/",'
        " version: 202509, timeout: 12, token_expires: 2027-01-10}",
    )
    config = make_config(tmp_path / "site", text=text)
    adapter = LinkedIn(config.networks["linkedin"], Credentials(environ={"HOSPIPOST_LINKEDIN_TOKEN": TOKEN}))
    created(http, url="http://127.0.0.1:8093/li/rest/posts")

    publish(adapter, rendering())

    (call,) = http.calls
    assert call.request.url == "http://127.0.0.1:8093/li/rest/posts"
    assert_api_headers(call, version="202509")
    assert call.request.req_kwargs["timeout"] == 12
    assert adapter.token_expires == date(2027, 1, 10)


def test_default_config_sends_the_default_version_and_timeout(tmp_path: Path, http: responses.RequestsMock) -> None:
    config = make_config(tmp_path / "site")
    adapter = LinkedIn(config.networks["linkedin"], Credentials(environ={"HOSPIPOST_LINKEDIN_TOKEN": TOKEN}))
    created(http)
    publish(adapter, rendering())
    assert http.calls[0].request.headers["LinkedIn-Version"] == "202610"
    assert http.calls[0].request.req_kwargs["timeout"] == 30


def test_an_already_published_post_is_not_sent_again(http: responses.RequestsMock) -> None:
    parts = Parts()
    sent = publish(make_adapter(), rendering(), done=[POST_URN], parts=parts)
    assert sent == Sent(POST_URN, f"https://www.linkedin.com/feed/update/{POST_URN}/")
    assert len(http.calls) == 0 and parts.calls == []


def test_an_url_encoded_restli_id_is_decoded(http: responses.RequestsMock) -> None:
    created(http, urn="urn%3Ali%3AugcPost%3A99")
    assert publish(make_adapter(), rendering()).remote_id == "urn:li:ugcPost:99"


def test_a_2xx_without_the_post_id_is_unknown(http: responses.RequestsMock) -> None:
    http.post(POSTS, status=201, body="")
    parts = Parts()
    with pytest.raises(UnknownOutcome, match=r"returned no post id \(x-restli-id\), so it is probably published"):
        publish(make_adapter(), rendering(), parts=parts)
    assert parts.calls == []


# --------------------------------------------------------------------- little text format


@pytest.mark.parametrize(
    ("text", "commentary"),
    [
        ("Le SAMU (centre 15) répond jour et nuit.", "Le SAMU \\(centre 15\\) répond jour et nuit."),
        ("Regardez la [vidéo] du service.", "Regardez la \\[vidéo\\] du service."),
        ("Suivez @CHU_Angers pour les alertes.", "Suivez \\@CHU\\_Angers pour les alertes."),
        ("100 % des équipes mobilisées", "100 % des équipes mobilisées"),
        ("C'est *important* ~ vraiment", "C'est \\*important\\* \\~ vraiment"),
        ("#SemaineSécuritéPatients : les bons réflexes", "{hashtag|\\#|SemaineSécuritéPatients} : les bons réflexes"),
        (
            "Bravo aux équipes #RechercheEnSoins #CHUAngers.",
            "Bravo aux équipes {hashtag|\\#|RechercheEnSoins} {hashtag|\\#|CHUAngers}.",
        ),
        ("(#Canicule) et #COVID19", "\\({hashtag|\\#|Canicule}\\) et {hashtag|\\#|COVID19}"),
        ("Le #1 du classement, C# et #2026", "Le \\#1 du classement, C\\# et \\#2026"),
        ("#Semaine_Sécurité reste du texte", "\\#Semaine\\_Sécurité reste du texte"),
        ("{accolades} | barre < > \\ fin", "\\{accolades\\} \\| barre \\< \\> \\\\ fin"),
        (
            "Voir https://fr.wikipedia.org/wiki/Canicule_(homonymie)#Santé.",
            "Voir https://fr.wikipedia.org/wiki/Canicule\\_\\(homonymie\\)\\#Santé.",
        ),
        ("Site : www.chu-angers.fr/#urgences", "Site : www.chu-angers.fr/\\#urgences"),
        ("« Fortes chaleurs » : appelez le 15\u00a0!\nMerci.", "« Fortes chaleurs » : appelez le 15\u00a0!\nMerci."),
    ],
)
def test_little_text_escaping(text: str, commentary: str) -> None:
    assert little_text(text) == commentary


def test_the_escaped_commentary_is_what_linkedin_receives(http: responses.RequestsMock) -> None:
    created(http)
    text = "Journée (SAMU) [vidéo] avec @CHU_Angers : 100 % des équipes #SemaineSécuritéPatients"
    publish(make_adapter(), rendering(text))
    assert body(http.calls[0])["commentary"] == (
        "Journée \\(SAMU\\) \\[vidéo\\] avec \\@CHU\\_Angers : 100 % des équipes {hashtag|\\#|SemaineSécuritéPatients}"
    )


# --------------------------------------------------------------------- images


def test_one_image_is_registered_uploaded_then_posted_with_its_alt_text(
    tmp_path: Path, http: responses.RequestsMock
) -> None:
    initialized(http, 1)
    http.put(UPLOAD, status=201)
    created(http)
    parts = Parts()

    sent = publish(make_adapter(), rendering(media=[image(tmp_path, "canicule.png")]), parts=parts)

    assert sent.remote_id == POST_URN and parts.calls == [(0, POST_URN)]
    init, put, post = http.calls
    assert (init.request.method, init.request.url) == ("POST", INIT)
    assert_api_headers(init)
    assert body(init) == {"initializeUploadRequest": {"owner": ORG}}
    assert (put.request.method, put.request.url) == ("PUT", UPLOAD)
    assert put.request.body == tiny_png()
    assert put.request.headers["Content-Type"] == "image/png"
    assert put.request.headers["Authorization"] == f"Bearer {TOKEN}"  # LinkedIn's own https host
    assert put.request.req_kwargs["timeout"] == 7
    assert post.request.url == POSTS
    assert body(post) == expected_post(content={"media": {"id": "urn:li:image:C4E10AQ1", "altText": ALT}})


def test_three_images_make_a_multi_image_post(tmp_path: Path, http: responses.RequestsMock) -> None:
    uploads = [f"https://www.linkedin.com/dms-uploads/img{n}?ut=u{n}" for n in (1, 2, 3)]
    for number, upload in enumerate(uploads, 1):
        initialized(http, number, upload)
        http.put(upload, status=201)
    created(http)
    media = [image(tmp_path, f"p{n}.png", alt=f"Photo {n} : la nouvelle salle d'attente") for n in (1, 2, 3)]

    publish(make_adapter(), rendering(media=media))

    assert [(c.request.method, c.request.url) for c in http.calls] == [
        ("POST", INIT),
        ("PUT", uploads[0]),
        ("POST", INIT),
        ("PUT", uploads[1]),
        ("POST", INIT),
        ("PUT", uploads[2]),
        ("POST", POSTS),
    ]
    assert body(http.calls[-1]) == expected_post(
        content={
            "multiImage": {
                "images": [
                    {"id": f"urn:li:image:C4E10AQ{n}", "altText": f"Photo {n} : la nouvelle salle d'attente"}
                    for n in (1, 2, 3)
                ]
            }
        }
    )


def test_an_image_without_alt_text_sends_no_alt_text(tmp_path: Path, http: responses.RequestsMock) -> None:
    initialized(http, 1)
    http.put(UPLOAD, status=201)
    created(http)
    publish(make_adapter(), rendering(media=[image(tmp_path, "a.png", alt=None)]))
    assert body(http.calls[-1])["content"] == {"media": {"id": "urn:li:image:C4E10AQ1"}}


def test_the_token_is_not_sent_to_an_upload_url_on_another_host(tmp_path: Path, http: responses.RequestsMock) -> None:
    upload = "https://uploads.cdn.example.org/bucket/img?sig=abc"
    initialized(http, 1, upload)
    http.put(upload, status=201)
    created(http)
    publish(make_adapter(), rendering(media=[image(tmp_path, "a.png")]))
    put = http.calls[1]
    assert put.request.url == upload and "Authorization" not in put.request.headers
    assert TOKEN not in str(put.request.headers)


def test_the_token_goes_to_an_upload_url_on_the_api_host(tmp_path: Path, http: responses.RequestsMock) -> None:
    base = "http://127.0.0.1:8094"
    upload = f"{base}/upload/img1"
    initialized(http, 1, upload, base=base)
    http.put(upload, status=201)
    created(http, url=f"{base}/rest/posts")
    publish(make_adapter(api_base=base), rendering(media=[image(tmp_path, "a.png")]))
    assert [c.request.url for c in http.calls] == [
        f"{base}/rest/images?action=initializeUpload",
        upload,
        f"{base}/rest/posts",
    ]
    assert http.calls[1].request.headers["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    ("url", "base", "allowed"),
    [
        ("https://www.linkedin.com/dms-uploads/x?ut=1", "https://api.linkedin.com", True),
        ("https://linkedin.com/u", "https://api.linkedin.com", True),
        ("https://api.linkedin.com/u", "https://api.linkedin.com", True),
        ("http://www.linkedin.com/u", "https://api.linkedin.com", False),  # never in clear text
        ("https://www.linkedin.com.evil.example/u", "https://api.linkedin.com", False),
        ("https://evillinkedin.com/u", "https://api.linkedin.com", False),
        ("https://uploads.example.org/u", "https://api.linkedin.com", False),
        ("http://127.0.0.1:9/u", "http://127.0.0.1:9", True),
        ("http://127.0.0.1:8/u", "http://127.0.0.1:9", False),
        ("https://127.0.0.1:9/u", "http://127.0.0.1:9", False),
        ("http://localhost:9/u", "http://127.0.0.1:9", False),
    ],
)
def test_token_allowed(url: str, base: str, allowed: bool) -> None:
    assert token_allowed(url, base) is allowed


def test_an_upload_url_that_is_not_http_is_refused(tmp_path: Path, http: responses.RequestsMock) -> None:
    initialized(http, 1, "file:///etc/passwd")
    with pytest.raises(
        PermanentError,
        match=r"could not build the request while uploading the image media/a\.png.*nothing was published",
    ):
        publish(make_adapter(), rendering(media=[image(tmp_path, "a.png")]))
    assert len(http.calls) == 1


def test_a_register_answer_without_upload_url_is_transient(tmp_path: Path, http: responses.RequestsMock) -> None:
    http.post(INIT, json={"value": {"image": "urn:li:image:1"}})
    with pytest.raises(TransientError, match="unreadable body; nothing was published, hospipost will try again"):
        publish(make_adapter(), rendering(media=[image(tmp_path, "a.png")]))


@pytest.mark.parametrize(
    ("fail", "error", "fragment"),
    [
        ("init-500", TransientError, "server error (HTTP 500: Something failed) while preparing the image media/b.png"),
        ("init-401", PermanentError, "refused the credentials while preparing the image media/b.png"),
        ("put-timeout", TransientError, "while uploading the image media/b.png; nothing was published"),
        ("put-403", PermanentError, "; nothing was published"),
    ],
)
def test_a_failed_image_step_is_never_unknown_and_stops_before_the_post(
    tmp_path: Path, http: responses.RequestsMock, fail: str, error: type, fragment: str
) -> None:
    initialized(http, 1, "https://www.linkedin.com/dms-uploads/1")
    http.put("https://www.linkedin.com/dms-uploads/1", status=201)
    if fail.startswith("init"):
        http.post(INIT, status=int(fail[-3:]), json=error_body(int(fail[-3:]), "Something failed"))
    else:
        initialized(http, 2, "https://www.linkedin.com/dms-uploads/2")
        if fail == "put-timeout":
            http.put("https://www.linkedin.com/dms-uploads/2", body=requests.exceptions.ReadTimeout("Read timed out."))
        else:
            http.put("https://www.linkedin.com/dms-uploads/2", status=403, json=error_body(403, "Forbidden"))
    created(http)
    with pytest.raises(error) as raised:
        publish(make_adapter(), rendering(media=[image(tmp_path, "a.png"), image(tmp_path, "b.png")]))
    assert fragment in str(raised.value)
    assert POSTS not in [call.request.url for call in http.calls]


def test_a_missing_image_fails_before_any_request(tmp_path: Path, http: responses.RequestsMock) -> None:
    media = image(tmp_path, "gone.png")
    media.path.unlink()
    with pytest.raises(PermanentError, match=r"Cannot read the image media/gone\.png"):
        publish(make_adapter(), rendering(media=[media]))
    assert len(http.calls) == 0


def test_a_webp_image_fails_before_any_request(tmp_path: Path, http: responses.RequestsMock) -> None:
    webp = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 16
    with pytest.raises(PermanentError, match="JPEG, PNG or GIF images and media/a.webp is a WEBP image"):
        publish(make_adapter(), rendering(media=[image(tmp_path, "a.webp", data=webp)]))
    assert len(http.calls) == 0


def test_more_than_twenty_images_fail_before_any_request(tmp_path: Path, http: responses.RequestsMock) -> None:
    media = [image(tmp_path, f"i{n}.png") for n in range(21)]
    with pytest.raises(PermanentError, match="at most 20 images per post and this one has 21"):
        publish(make_adapter(), rendering(media=media))
    assert len(http.calls) == 0


# --------------------------------------------------------------------- error mapping


@pytest.mark.parametrize(
    ("status", "reply", "error", "fragments"),
    [
        (
            401,
            error_body(401, "Invalid access token", code="REVOKED_ACCESS_TOKEN"),
            PermanentError,
            [
                "LinkedIn refused the credentials while publishing the post (HTTP 401: Invalid access token);"
                " nothing was published: create a new token with w_organization_social (tokens last about 60 days),"
                " set HOSPIPOST_LINKEDIN_TOKEN",
            ],
        ),
        (
            403,
            {"serviceErrorCode": 100, "status": 403, "message": "Not enough permissions to access: posts.CREATE"},
            PermanentError,
            ["needs w_organization_social", "administrator", ORG, "Not enough permissions"],
        ),
        (
            422,
            error_body(422, "ERROR :: /author :: field is required but not found and has no default value"),
            PermanentError,
            ["LinkedIn rejected publishing the post (HTTP 422: ERROR :: /author :: field is required"],
        ),
        (
            400,
            error_body(400, "Invalid value for field: commentary", code="ILLEGAL_ARGUMENT"),
            PermanentError,
            ["HTTP 400: Invalid value for field: commentary", "fix what LinkedIn's message names"],
        ),
        (
            426,
            error_body(426, "Requested version 20250401 is not active", code="NONEXISTENT_VERSION"),
            PermanentError,
            [
                "LinkedIn-Version 202610 is retired: set networks.linkedin.version to a current YYYYMM",
                "Requested version 20250401 is not active",
            ],
        ),
        (
            400,
            error_body(400, "Marketing Version 202507 (Marketing July 2025) has been sunset"),
            PermanentError,
            ["LinkedIn-Version 202610 is retired"],
        ),
        (404, error_body(404, "Not Found"), PermanentError, ["networks.linkedin.organization"]),
        (
            500,
            error_body(500, "Internal Server Error"),
            TransientError,
            [
                "LinkedIn had a server error (HTTP 500: Internal Server Error) while publishing the post",
                "try again later",
            ],
        ),
        (503, None, TransientError, ["server error"]),
        (302, None, PermanentError, ["redirect", "not followed", "networks.linkedin.api_base"]),
    ],
)
def test_http_errors_on_the_post_request(
    http: responses.RequestsMock, status: int, reply: dict | None, error: type, fragments: list[str]
) -> None:
    if reply is None:
        http.post(
            POSTS,
            status=status,
            body="<html>upstream</html>",
            content_type="text/html",
            headers={"Location": "https://login.example.org/"} if status == 302 else {},
        )
    else:
        http.post(POSTS, status=status, json=reply)
    parts = Parts()
    with pytest.raises(error) as raised:
        publish(make_adapter(), rendering(), parts=parts)
    message = str(raised.value)
    for fragment in fragments:
        assert fragment in message
    assert "\n" not in message and TOKEN not in message
    assert parts.calls == [] and len(http.calls) == 1


def test_a_duplicate_refusal_of_the_post_is_unknown_and_names_the_earlier_post(http: responses.RequestsMock) -> None:
    earlier = "urn:li:share:7239999999999999999"
    details = {"inputErrors": [{"description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST"}]}
    http.post(POSTS, status=422, json=error_body(422, f"Content is a duplicate of {earlier}", errorDetails=details))
    parts = Parts()
    with pytest.raises(UnknownOutcome) as raised:
        publish(make_adapter(), rendering(), parts=parts)
    url = f"https://www.linkedin.com/feed/update/{earlier}/"
    assert str(raised.value) == (
        f"LinkedIn says this text was already posted as {earlier}, probably by an earlier attempt: check {url},"
        f" then resolve the delivery with `hospipost reconcile` (--sent {url} if it is this post)."
    )
    assert parts.calls == [] and len(http.calls) == 1


def test_a_duplicate_refusal_while_preparing_an_image_is_not_unknown(
    tmp_path: Path, http: responses.RequestsMock
) -> None:
    http.post(INIT, status=422, json=error_body(422, f"Content is a duplicate of {POST_URN}"))
    with pytest.raises(PermanentError, match="LinkedIn rejected preparing the image media/a.png"):
        publish(make_adapter(), rendering(media=[image(tmp_path, "a.png")]))


def test_a_401_mentions_a_past_configured_expiry(http: responses.RequestsMock) -> None:
    http.post(POSTS, status=401, json=error_body(401, "Expired access token"))
    with pytest.raises(PermanentError, match="token_expires says it expired on 2026-11-20"):
        publish(make_adapter(token_expires=date(2026, 11, 20)), rendering())


@pytest.mark.parametrize(("headers", "minutes"), [({"Retry-After": "120"}, 2), ({}, 15)])
def test_429_is_transient_with_a_retry_time(http: responses.RequestsMock, headers: dict, minutes: int) -> None:
    http.post(POSTS, status=429, json=error_body(429, "Resource level throttle APPLICATION DAY limit"), headers=headers)
    before = datetime.now(UTC)
    with pytest.raises(TransientError) as raised:
        publish(make_adapter(), rendering())
    assert (
        before + timedelta(minutes=minutes) <= raised.value.retry_at < before + timedelta(minutes=minutes, seconds=30)
    )
    assert f"hospipost will try again after {raised.value.retry_at:%H:%M} UTC" in str(raised.value)


def test_429_with_an_http_date(http: responses.RequestsMock) -> None:
    when = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    http.post(
        POSTS,
        status=429,
        json=error_body(429, "throttled"),
        headers={"Retry-After": format_datetime(when, usegmt=True)},
    )
    with pytest.raises(TransientError) as raised:
        publish(make_adapter(), rendering())
    assert raised.value.retry_at == when


ABSURD_RESETS = [
    "100000000000",
    "99999999999999999999",
    "1e400",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Sat, 01 Jan 10000 00:00:00 GMT",
    "soon",
]


@pytest.mark.parametrize("reset", ABSURD_RESETS)
def test_an_absurd_retry_after_waits_at_most_an_hour(http: responses.RequestsMock, reset: str) -> None:
    http.post(POSTS, status=429, json=error_body(429, "throttled"), headers={"Retry-After": reset})
    with pytest.raises(TransientError) as raised:
        publish(make_adapter(), rendering())
    assert raised.value.retry_at <= datetime.now(UTC) + MAX_WAIT


# --------------------------------------------------------------------- transport failures


def refused() -> requests.exceptions.ConnectionError:
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/rest/posts", reason))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("failure", "error", "fragment"),
    [
        (refused(), TransientError, "(connection refused); nothing was published, hospipost will try again"),
        (requests.exceptions.ConnectTimeout("connect timed out"), TransientError, "connection timed out"),
        (
            requests.exceptions.ReadTimeout("Read timed out."),
            UnknownOutcome,
            "LinkedIn did not answer within 7 s while publishing the post, after the request was sent: it may be online",
        ),
        (requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead"), UnknownOutcome, "reconcile"),
    ],
)
def test_transport_failures_on_the_post_request(
    http: responses.RequestsMock, failure: Exception, error: type, fragment: str
) -> None:
    http.post(POSTS, body=failure)
    parts = Parts()
    with pytest.raises(error) as raised:
        publish(make_adapter(), rendering(), parts=parts)
    assert fragment in str(raised.value)
    assert parts.calls == []


def test_connection_refused_on_a_real_port_is_transient() -> None:
    adapter = make_adapter(api_base=f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(TransientError, match="connection refused") as raised:
        publish(adapter, rendering())
    assert TOKEN not in str(raised.value)


def test_a_real_read_timeout_after_sending_is_unknown() -> None:
    with SilentServer() as server:
        with pytest.raises(UnknownOutcome, match="after the request was sent: it may be online"):
            publish(make_adapter(api_base=server.url, timeout=0.3), rendering())
        server.thread.join(2)
        assert server.received.startswith(b"POST /rest/posts HTTP/1.1")
        assert f"Authorization: Bearer {TOKEN}".encode() in server.received


def test_a_real_read_timeout_on_verify_is_transient() -> None:
    with SilentServer() as server, pytest.raises(TransientError, match="did not answer within .*; try again later"):
        make_adapter(api_base=server.url, timeout=0.3).verify()


# --------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("option", "value", "fragment"),
    [
        (
            "organization",
            "123",
            "is not an organization URN: set it to urn:li:organization:<id> (urn:li:organization:123)",
        ),
        ("organization", "urn:li:person:abc", "is not an organization URN"),
        ("organization", "urn:li:organization:", "is not an organization URN"),
        ("version", "2026-10", "is not a LinkedIn-Version: set it to a current month as YYYYMM"),
        ("version", "202613", "is not a LinkedIn-Version"),
        ("version", "20261001", "is not a LinkedIn-Version"),
        ("api_base", "api.linkedin.com", "networks.linkedin.api_base"),
        ("token_expires", "fin janvier", "token_expires 'fin janvier' is not a date: write the token's expiry date as"),
    ],
)
def test_bad_config_is_refused_when_config_yaml_loads(
    tmp_path: Path, http: responses.RequestsMock, option: str, value: str, fragment: str
) -> None:
    """The adapter relies on these load-time checks: a bad value never reaches a request."""
    section = json.dumps({"enabled": True, "organization": ORG, option: value})
    text = CONFIG_YAML.replace(
        'linkedin: {enabled: true, organization: "urn:li:organization:123"}', f"linkedin: {section}"
    )
    with pytest.raises(InputError) as refused:
        make_config(tmp_path / "site", text=text)
    assert f"networks.linkedin.{option} " in refused.value.format_message()
    assert fragment in refused.value.format_message()
    assert len(http.calls) == 0


def test_a_missing_token_names_the_variable(http: responses.RequestsMock) -> None:
    with pytest.raises(CredentialsError, match="HOSPIPOST_LINKEDIN_TOKEN"):
        publish(make_adapter(environ={}), rendering())
    assert len(http.calls) == 0


# --------------------------------------------------------------------- verify and token expiry


def test_verify_reads_the_organization_with_a_read_only_call(http: responses.RequestsMock) -> None:
    http.get(ORG_URL, json={"id": 123, "localizedName": "CHU d'Angers", "vanityName": "chu-angers"})

    message = make_adapter().verify()

    assert message.startswith("CHU d'Angers (urn:li:organization:123, LinkedIn-Version 202610); token expiry unknown")
    assert "networks.linkedin.token_expires" in message
    (call,) = http.calls
    assert (call.request.method, call.request.url) == ("GET", ORG_URL)
    assert_api_headers(call)
    assert call.request.req_kwargs["timeout"] == 7


def test_verify_falls_back_to_the_localized_name(http: responses.RequestsMock) -> None:
    http.get(ORG_URL, json={"id": 123, "name": {"localized": {"fr_FR": "CHU d'Angers"}}})
    assert make_adapter().verify().startswith("CHU d'Angers (")


@pytest.mark.parametrize(
    ("expires", "starts", "fragment"),
    [
        (date(2027, 1, 2), "CHU d'Angers", "; the token expires in 40 days (2027-01-02)"),
        (date(2026, 12, 7), "CHU d'Angers", "expires in 14 days"),
        (
            date(2026, 12, 6),
            "WARNING: the LinkedIn token expires in 13 days (2026-12-06): create a new one with"
            " w_organization_social, set HOSPIPOST_LINKEDIN_TOKEN and update networks.linkedin.token_expires",
            "— CHU",
        ),
        (date(2026, 11, 24), "WARNING: the LinkedIn token expires tomorrow", "— CHU d'Angers"),
        (TODAY, "WARNING: the LinkedIn token expires today", "— CHU d'Angers"),
        ("2026-11-30", "WARNING: the LinkedIn token expires in 7 days", "— CHU"),
        (
            date(2026, 11, 1),
            "WARNING: networks.linkedin.token_expires says the LinkedIn token expired on 2026-11-01,"
            " yet LinkedIn accepted it",
            "— CHU",
        ),
    ],
)
def test_verify_reports_the_days_left_and_warns_under_14(
    http: responses.RequestsMock, expires: Any, starts: str, fragment: str
) -> None:
    http.get(ORG_URL, json={"localizedName": "CHU d'Angers"})
    message = make_adapter(token_expires=expires).verify()
    assert message.startswith(starts) and fragment in message


def test_publishing_logs_a_soon_expiring_token_once(
    http: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    created(http)
    adapter = make_adapter(token_expires=date(2026, 11, 30))
    with caplog.at_level(logging.WARNING, logger="hospipost.networks.linkedin"):
        publish(adapter, rendering())
        publish(adapter, rendering())
    assert caplog.text.count("WARNING: the LinkedIn token expires in 7 days") == 1


@pytest.mark.parametrize(
    ("status", "reply", "error", "fragment"),
    [
        (401, error_body(401, "Invalid access token"), PermanentError, "set HOSPIPOST_LINKEDIN_TOKEN"),
        (
            403,
            error_body(403, "Not enough permissions to access: organizations.GET"),
            PermanentError,
            "needs rw_organization_admin to read the page (posting needs w_organization_social)",
        ),
        (426, error_body(426, "Requested version 20250401 is not active"), PermanentError, "is retired"),
        (
            404,
            error_body(404, "Not Found"),
            PermanentError,
            "nothing was published: check networks.linkedin.organization",
        ),
        (502, error_body(502, "Bad Gateway"), TransientError, "server error"),
    ],
)
def test_verify_maps_errors(http: responses.RequestsMock, status: int, reply: dict, error: type, fragment: str) -> None:
    http.get(ORG_URL, status=status, json=reply)
    with pytest.raises(error) as raised:
        make_adapter().verify()
    assert fragment in str(raised.value)


# --------------------------------------------------------------------- dry-run payload


def test_payload_for_a_text_post(http: responses.RequestsMock) -> None:
    adapter = make_adapter(environ={})  # reading a credential would raise
    assert adapter.payload(rendering()) == [
        {
            "method": "POST",
            "url": POSTS,
            "headers": {
                "Authorization": "Bearer <token from HOSPIPOST_LINKEDIN_TOKEN>",
                "LinkedIn-Version": "202610",
                "X-Restli-Protocol-Version": "2.0.0",
                "Content-Type": "application/json",
                "User-Agent": adapter.payload(rendering())[0]["headers"]["User-Agent"],
            },
            "json": expected_post(),
        }
    ]
    assert len(http.calls) == 0 and adapter.credentials.handed_out == set()


def test_payload_for_two_images(tmp_path: Path, http: responses.RequestsMock) -> None:
    media = [image(tmp_path, "a.png"), image(tmp_path, "b.png", alt="Photo de l'équipe")]
    payload = make_adapter(environ={}, api_base="http://127.0.0.1:9", version="202509").payload(rendering(TEXT, media))
    assert [(step["method"], step["url"]) for step in payload] == [
        ("POST", "http://127.0.0.1:9/rest/images?action=initializeUpload"),
        ("PUT", "<uploadUrl returned for image 1>"),
        ("POST", "http://127.0.0.1:9/rest/images?action=initializeUpload"),
        ("PUT", "<uploadUrl returned for image 2>"),
        ("POST", "http://127.0.0.1:9/rest/posts"),
    ]
    assert payload[0]["json"] == {"initializeUploadRequest": {"owner": ORG}}
    assert payload[0]["headers"]["LinkedIn-Version"] == "202509"
    assert payload[1]["body"] == {"file": "media/a.png", "bytes": len(tiny_png()), "type": "image/png", "alt": ALT}
    assert payload[3]["body"]["alt"] == "Photo de l'équipe"
    assert payload[4]["json"] == expected_post(
        content={
            "multiImage": {
                "images": [
                    {"id": "<image URN 1>", "altText": ALT},
                    {"id": "<image URN 2>", "altText": "Photo de l'équipe"},
                ]
            }
        }
    )
    assert len(http.calls) == 0


def test_payload_matches_what_publish_sends(tmp_path: Path, http: responses.RequestsMock) -> None:
    media = [image(tmp_path, "a.png")]
    initialized(http, 1)
    http.put(UPLOAD, status=201)
    created(http)
    payload = make_adapter(environ={}).payload(rendering(TEXT, media))

    publish(make_adapter(), rendering(TEXT, media))

    assert [step["method"] for step in payload] == [call.request.method for call in http.calls]
    assert payload[0]["json"] == body(http.calls[0])
    assert payload[1]["body"]["bytes"] == len(http.calls[1].request.body)
    sent = body(http.calls[2])
    sent["content"]["media"]["id"] = "<image URN 1>"
    assert payload[2]["json"] == sent


def test_payload_with_bad_config_or_a_missing_file_does_not_raise(tmp_path: Path) -> None:
    media = image(tmp_path, "gone.png")
    media.path.unlink()
    payload = make_adapter(environ={}, version="latest", organization="123").payload(rendering(media=[media]))
    assert payload[1]["body"]["bytes"] is None
    assert payload[0]["headers"]["LinkedIn-Version"] == "latest" and payload[-1]["json"]["author"] == "123"


# --------------------------------------------------------------------- secrets


SECRET_FAILURES: list[tuple[str, dict[str, Any]]] = [
    ("401 echoing the token", {"status": 401, "json": error_body(401, f"Invalid access token {TOKEN}")}),
    ("422 echoing the header", {"status": 422, "json": error_body(422, f"bad header Authorization: Bearer {TOKEN}")}),
    ("426 echoing the token", {"status": 426, "json": error_body(426, f"version not active for {TOKEN}")}),
    ("429 echoing the token", {"status": 429, "json": error_body(429, f"throttled {TOKEN}")}),
    ("500 echoing the token", {"status": 500, "body": f"<html>token={TOKEN}</html>", "content_type": "text/html"}),
    ("read timeout with the token", {"body": requests.exceptions.ReadTimeout(f"Read timed out (Bearer {TOKEN})")}),
    ("broken connection with the token", {"body": requests.exceptions.ConnectionError(f"broken: {TOKEN}")}),
]


@pytest.mark.parametrize(("case", "reply"), SECRET_FAILURES, ids=[case for case, _ in SECRET_FAILURES])
def test_the_token_never_appears_in_errors_payloads_or_logs(
    http: responses.RequestsMock, caplog: pytest.LogCaptureFixture, tmp_path: Path, case: str, reply: dict
) -> None:
    caplog.set_level(logging.DEBUG)
    http.post(POSTS, **reply)
    http.get(ORG_URL, **reply)
    http.post(INIT, **reply)
    adapter = make_adapter()
    raised = []
    actions = [
        lambda: publish(adapter, rendering()),
        adapter.verify,
        lambda: publish(adapter, rendering(media=[image(tmp_path, "a.png")])),
    ]
    for action in actions:
        with pytest.raises((PermanentError, TransientError, UnknownOutcome)) as error:
            action()
        raised.append(error.value)
    for error in raised:
        text = "".join(traceback.format_exception(error))
        assert TOKEN not in text
        # a requests exception (its message may hold the token) is never chained
        assert error.__context__ is None or error.__suppress_context__
    assert all(TOKEN not in call.request.url for call in http.calls)
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert TOKEN not in logged
    payload = make_adapter(environ={}).payload(rendering(TEXT, [image(tmp_path, "b.png")]))
    assert TOKEN not in json.dumps(payload)


def test_the_token_is_sent_but_never_logged(
    http: responses.RequestsMock, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    initialized(http, 1)
    http.put(UPLOAD, status=201)
    created(http)
    http.get(ORG_URL, json={"localizedName": "CHU"})
    adapter = make_adapter(token_expires=date(2026, 11, 30))
    publish(adapter, rendering(media=[image(tmp_path, "a.png")]))
    adapter.verify()
    assert all(call.request.headers["Authorization"] == f"Bearer {TOKEN}" for call in http.calls)
    assert "POST https://api.linkedin.com/rest/posts: HTTP 201" in caplog.text  # requests are logged…
    assert "ut=up1" not in caplog.text  # …without the upload URL's query…
    assert TOKEN not in caplog.text + "".join(str(record.args) for record in caplog.records)  # …nor the token


# --------------------------------------------------------------------- import cost


def test_importing_the_adapter_loads_no_requests() -> None:
    code = (
        "import sys, hospipost.networks.linkedin; print(sorted(m for m in ('requests', 'urllib3') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            {"status": 503, "json": error_body(503, "Service Unavailable")},
            "LinkedIn had a server error (HTTP 503: Service Unavailable) while publishing the post; hospipost will try again later.",
        ),
        (
            {"status": 401, "json": error_body(401, "Invalid access token")},
            "LinkedIn refused the credentials while publishing the post (HTTP 401: Invalid access token); nothing was published: create a new token with w_organization_social (tokens last about 60 days), set HOSPIPOST_LINKEDIN_TOKEN, then publish again.",
        ),
        (
            {"body": requests.exceptions.ReadTimeout("read timed out")},
            "LinkedIn did not answer within 7 s while publishing the post, after the request was sent: it may be online; check the organization's page, then resolve the delivery with `hospipost reconcile`.",
        ),
        (
            {"body": requests.exceptions.ConnectionError(ConnectionResetError(104, "reset"))},
            "The connection to LinkedIn broke (connection reset) while publishing the post, after the request was sent: it may be online; check the organization's page, then resolve the delivery with `hospipost reconcile`.",
        ),
    ],
)
def test_each_kind_of_failure_is_one_clear_sentence(http: responses.RequestsMock, reply: dict, expected: str) -> None:
    http.post(POSTS, **reply)
    with pytest.raises((TransientError, PermanentError, UnknownOutcome)) as raised:
        publish(make_adapter(), rendering())
    assert str(raised.value) == expected
