"""The Facebook Page adapter, through the real facebook-sdk 3.1.0 with HTTP intercepted.

Every request is caught by `responses` (or, for the socket-level failures, goes to a
socket on 127.0.0.1 that this test owns): nothing touches the real network.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from http.client import RemoteDisconnected
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import facebook
import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError, ProtocolError

from hospipost.config import NetworkSettings
from hospipost.credentials import Credentials, CredentialsError
from hospipost.networks.base import MAX_WAIT, PermanentError, Rendering, Sent, TransientError, UnknownOutcome
from hospipost.networks.facebook import Facebook, first_link, normalise_version
from hospipost.posts import Media
from tests.helpers import CONFIG_YAML, make_config
from tests.networks.kit import GPS_MARK, Parts, SilentServer, free_port, jpeg_with_exif, tiny_png

TOKEN = "EAAB-SECRET-FB-TOKEN-123"
PAGE = "1234567890"
GRAPH = "https://graph.facebook.com"
FEED = f"{GRAPH}/v26.0/{PAGE}/feed"
PHOTOS = f"{GRAPH}/v26.0/{PAGE}/photos"
PAGE_URL = f"{GRAPH}/v26.0/{PAGE}"
TEXT = (
    "Fortes chaleurs : le CHU d'Angers active son plan grandes chaleurs. En cas de malaise, appelez le 15."
    " Conseils : https://www.santepubliquefrance.fr/canicule."
)
PLAIN = "Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie."


# --------------------------------------------------------------------- fixtures


def make_adapter(environ: dict[str, str] | None = None, **options: Any) -> Facebook:
    settings: dict[str, Any] = {
        "enabled": True,
        "page_id": PAGE,
        "token_env": "HOSPIPOST_FACEBOOK_TOKEN",
        "graph_version": "v26.0",
        "api_base": None,
        "timeout": 7,
    }
    settings.update(options)
    credentials = Credentials(environ={"HOSPIPOST_FACEBOOK_TOKEN": TOKEN} if environ is None else environ)
    return Facebook(NetworkSettings("facebook", True, settings, 1), credentials)


def image(
    tmp_path: Path, name: str, alt: str | None = "Infographie : les bons gestes en cas de fortes chaleurs"
) -> Media:
    path = tmp_path / "media" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(tiny_png())
    return Media(file=f"media/{name}", path=path, alt=alt, people=False, consent=None, line=1)


def rendering(text: str = TEXT, media: list[Media] | None = None) -> Rendering:
    return Rendering("facebook", [text], media or [])


def publish(adapter: Facebook, r: Rendering, done: list[str] | None = None, parts: Parts | None = None) -> Sent:
    return adapter.publish(r, "p1:facebook", done or [], parts or Parts())


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def form(call: Any) -> dict[str, str]:
    body = call.request.body
    body = body.decode() if isinstance(body, bytes) else body
    return {key: values[0] for key, values in parse_qs(body or "", keep_blank_values=True).items()}


def multipart(call: Any) -> dict[str, Any]:
    """Fields of a multipart body: text fields as str, files as (file name, content type, bytes)."""
    kind = call.request.headers["Content-Type"]
    assert kind.startswith("multipart/form-data")
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {kind}\r\n\r\n".encode() + call.request.body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            fields[name] = (part.get_filename(), part.get_content_type(), payload)
        else:
            fields[name] = payload.decode()
    return fields


def graph_error(code: int, subcode: int | None = None, message: str = "An error occurred", **extra: Any) -> dict:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf"}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    return {"error": error}


# --------------------------------------------------------------------- text posts


def test_text_post_goes_to_the_pinned_version_on_the_default_host(http: responses.RequestsMock) -> None:
    http.post(FEED, json={"id": f"{PAGE}_111"})
    parts = Parts()

    sent = publish(make_adapter(), rendering(), parts=parts)

    assert sent == Sent(f"{PAGE}_111", f"https://www.facebook.com/{PAGE}_111")
    assert parts.calls == [(0, f"{PAGE}_111")]
    (call,) = http.calls
    url = urlsplit(call.request.url)
    assert (call.request.method, url.scheme, url.netloc, url.path, url.query) == (
        "POST",
        "https",
        "graph.facebook.com",
        f"/v26.0/{PAGE}/feed",
        "",
    )
    assert form(call) == {
        "message": TEXT,
        "link": "https://www.santepubliquefrance.fr/canicule",  # first URL, without the final period
        "access_token": TOKEN,  # in the form body, as facebook-sdk sends it
    }
    assert call.request.req_kwargs["timeout"] == 7


def test_text_without_a_link_sends_no_link_field(http: responses.RequestsMock) -> None:
    http.post(FEED, json={"id": f"{PAGE}_112"})
    publish(make_adapter(), rendering(PLAIN))
    assert form(http.calls[0]) == {"message": PLAIN, "access_token": TOKEN}


def test_custom_api_base_with_a_path_and_a_normalised_version(http: responses.RequestsMock) -> None:
    base = "http://127.0.0.1:8089/graph-proxy/"
    http.post(f"http://127.0.0.1:8089/graph-proxy/v25.0/{PAGE}/feed", json={"id": f"{PAGE}_5"})

    sent = publish(make_adapter(api_base=base.rstrip("/"), graph_version="25.0"), rendering())

    assert sent.remote_id == f"{PAGE}_5"
    assert urlsplit(http.calls[0].request.url).path == f"/graph-proxy/v25.0/{PAGE}/feed"


def test_custom_api_base_from_config_yaml(tmp_path: Path, http: responses.RequestsMock) -> None:
    text = CONFIG_YAML.replace(
        'facebook: {enabled: true, page_id: "1234567890"}',
        'facebook: {enabled: true, page_id: "1234567890", api_base: "https://fb.proxy.chu.example/",'
        ' graph_version: "26.0", timeout: 12}',
    )
    config = make_config(tmp_path / "site", text=text)
    adapter = Facebook(config.networks["facebook"], Credentials(environ={"HOSPIPOST_FACEBOOK_TOKEN": TOKEN}))
    http.post(f"https://fb.proxy.chu.example/v26.0/{PAGE}/feed", json={"id": f"{PAGE}_6"})

    publish(adapter, rendering())

    assert http.calls[0].request.url == f"https://fb.proxy.chu.example/v26.0/{PAGE}/feed"
    assert http.calls[0].request.req_kwargs["timeout"] == 12


def test_default_config_pins_the_current_graph_version_and_a_timeout(
    tmp_path: Path, http: responses.RequestsMock
) -> None:
    from hospipost.networks.terms import terms

    config = make_config(tmp_path / "site")
    adapter = Facebook(config.networks["facebook"], Credentials(environ={"HOSPIPOST_FACEBOOK_TOKEN": TOKEN}))
    current_feed = f"{GRAPH}/{terms()['graph_api']['current']}/{PAGE}/feed"
    http.post(current_feed, json={"id": f"{PAGE}_7"})

    publish(adapter, rendering())

    assert http.calls[0].request.url == current_feed == f"{GRAPH}/v27.0/{PAGE}/feed"
    assert http.calls[0].request.req_kwargs["timeout"] == 30


def test_an_already_published_post_is_not_sent_again(http: responses.RequestsMock) -> None:
    parts = Parts()
    sent = publish(make_adapter(), rendering(), done=[f"{PAGE}_99"], parts=parts)
    assert sent == Sent(f"{PAGE}_99", f"https://www.facebook.com/{PAGE}_99")
    assert len(http.calls) == 0 and parts.calls == []


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("Voir https://www.chu-angers.fr/canicule.", "https://www.chu-angers.fr/canicule"),
        ("« https://www.chu-angers.fr/a » puis https://has-sante.fr/b", "https://www.chu-angers.fr/a"),
        (
            "(voir https://fr.wikipedia.org/wiki/Canicule_(homonymie)) !",
            "https://fr.wikipedia.org/wiki/Canicule_(homonymie)",
        ),
        ("Lien : https://www.chu-angers.fr/x?y=1&z=2, merci", "https://www.chu-angers.fr/x?y=1&z=2"),
        ("Pas de lien ici, seulement chu-angers.fr", None),
        ("https://localhost/ puis http://meteofrance.com", "http://meteofrance.com"),
    ],
)
def test_first_link(text: str, link: str | None) -> None:
    assert first_link(text) == link


# --------------------------------------------------------------------- photos


def test_one_photo_is_a_multipart_upload_with_caption_and_alt_text(
    tmp_path: Path, http: responses.RequestsMock
) -> None:
    http.post(PHOTOS, json={"id": "555", "post_id": f"{PAGE}_556"})
    parts = Parts()
    media = image(tmp_path, "canicule.png")

    sent = publish(make_adapter(), rendering(media=[media]), parts=parts)

    assert sent == Sent(f"{PAGE}_556", f"https://www.facebook.com/{PAGE}_556")
    assert parts.calls == [(0, f"{PAGE}_556")]
    (call,) = http.calls
    assert call.request.url == PHOTOS  # never facebook-sdk's default me/photos
    assert multipart(call) == {
        "caption": TEXT,
        "alt_text_custom": "Infographie : les bons gestes en cas de fortes chaleurs",
        "access_token": TOKEN,
        "source": ("canicule.png", "image/png", tiny_png()),
    }
    assert call.request.req_kwargs["timeout"] == 7


def test_three_photos_are_uploaded_unpublished_then_attached_to_one_feed_post(
    tmp_path: Path, http: responses.RequestsMock
) -> None:
    for photo_id in ("701", "702", "703"):
        http.post(PHOTOS, json={"id": photo_id})
    http.post(FEED, json={"id": f"{PAGE}_800"})
    media = [
        image(tmp_path, f"p{index}.png", alt=f"Photo {index} : la nouvelle salle d'attente") for index in (1, 2, 3)
    ]
    parts = Parts()

    sent = publish(make_adapter(), rendering(TEXT, media), parts=parts)

    assert sent == Sent(f"{PAGE}_800", f"https://www.facebook.com/{PAGE}_800")
    assert parts.calls == [(0, f"{PAGE}_800")]
    assert [call.request.url for call in http.calls] == [PHOTOS, PHOTOS, PHOTOS, FEED]
    for index, call in enumerate(http.calls[:3], start=1):
        assert multipart(call) == {
            "alt_text_custom": f"Photo {index} : la nouvelle salle d'attente",
            "published": "false",
            "access_token": TOKEN,
            "source": (f"p{index}.png", "image/png", tiny_png()),
        }
    body = http.calls[3].request.body
    assert body.count("attached_media") == 3  # one field per photo, never a repeated key
    assert form(http.calls[3]) == {
        "message": TEXT,  # no link card next to photos
        "attached_media[0]": '{"media_fbid": "701"}',
        "attached_media[1]": '{"media_fbid": "702"}',
        "attached_media[2]": '{"media_fbid": "703"}',
        "access_token": TOKEN,
    }
    assert all(call.request.req_kwargs["timeout"] == 7 for call in http.calls)


def test_a_failed_upload_stops_before_the_feed_post(tmp_path: Path, http: responses.RequestsMock) -> None:
    http.post(PHOTOS, json={"id": "701"})
    http.post(PHOTOS, status=400, json=graph_error(190, 463, "Error validating access token: Session has expired"))
    media = [image(tmp_path, f"p{index}.png") for index in (1, 2, 3)]

    with pytest.raises(PermanentError, match="The Page token is invalid or expired"):
        publish(make_adapter(), rendering(TEXT, media))

    assert [call.request.url for call in http.calls] == [PHOTOS, PHOTOS]


def test_a_missing_image_fails_before_any_request(tmp_path: Path, http: responses.RequestsMock) -> None:
    media = image(tmp_path, "gone.png")
    media.path.unlink()
    with pytest.raises(PermanentError, match=r"Cannot read the image media/gone\.png"):
        publish(make_adapter(), rendering(media=[media]))
    assert len(http.calls) == 0


def test_an_image_is_sent_without_its_metadata(tmp_path: Path, http: responses.RequestsMock) -> None:
    media = image(tmp_path, "photo.jpg")
    media.path.write_bytes(jpeg_with_exif())
    http.post(PHOTOS, json={"id": "1", "post_id": f"{PAGE}_1"})
    publish(make_adapter(), rendering(media=[media]))
    body = http.calls[0].request.body
    assert b"\xff\xd8" in body and GPS_MARK not in body


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"x" * (10 * 1024 * 1024 + 1),
            "The image media/big.png weighs 10 485 761 bytes and Facebook accepts at most 10 MB",
        ),
        (
            b"%PDF-1.7 not an image",
            "Facebook accepts JPEG, PNG, GIF or WEBP images and media/big.png is a PDF document",
        ),
    ],
)
def test_a_too_large_or_unknown_image_fails_before_any_request(
    tmp_path: Path, http: responses.RequestsMock, content: bytes, message: str
) -> None:
    media = image(tmp_path, "big.png")
    media.path.write_bytes(content)
    with pytest.raises(PermanentError, match=message):
        publish(make_adapter(), rendering(media=[media]))
    assert len(http.calls) == 0


# --------------------------------------------------------------------- the pinned version


@pytest.mark.parametrize(
    ("configured", "pinned"),
    [("v26.0", "v26.0"), ("26.0", "v26.0"), ("26", "v26.0"), ("v25.0", "v25.0"), (" V24.0 ", "v24.0")],
)
@pytest.mark.parametrize("operation", ["text", "photo", "photos", "verify"])
def test_every_request_path_carries_the_pinned_version(
    tmp_path: Path, http: responses.RequestsMock, operation: str, configured: str, pinned: str
) -> None:
    adapter = make_adapter(graph_version=configured)
    http.post(f"{GRAPH}/{pinned}/{PAGE}/photos", json={"id": "701", "post_id": f"{PAGE}_1"})
    http.post(f"{GRAPH}/{pinned}/{PAGE}/feed", json={"id": f"{PAGE}_2"})
    http.get(f"{GRAPH}/{pinned}/{PAGE}", json={"id": PAGE, "name": "CHU d'Angers"})
    if operation == "verify":
        adapter.verify()
    else:
        count = {"text": 0, "photo": 1, "photos": 3}[operation]
        publish(adapter, rendering(TEXT, [image(tmp_path, f"i{n}.png") for n in range(count)]))

    assert http.calls, "no request was made"
    for call in http.calls:
        path = urlsplit(call.request.url).path
        assert path.startswith(f"/{pinned}/{PAGE}"), path
        assert "v2.8" not in call.request.url


def test_the_sdk_module_default_url_and_version_are_untouched(http: responses.RequestsMock) -> None:
    http.post("http://127.0.0.1:9/v26.0/1234567890/feed", json={"id": f"{PAGE}_1"})
    publish(make_adapter(api_base="http://127.0.0.1:9"), rendering())
    assert facebook.FACEBOOK_GRAPH_URL == "https://graph.facebook.com/"
    assert facebook.GraphAPI().version == "v2.8"  # the SDK's own default, which we override per object


def test_concurrent_adapters_each_use_their_own_base_url(http: responses.RequestsMock) -> None:
    bases = ["https://graph.facebook.com", "http://127.0.0.1:9001", "http://127.0.0.1:9002/fb"]
    for base in bases:
        http.post(f"{base}/v26.0/{PAGE}/feed", json={"id": f"{PAGE}_1"})

    def run(index: int) -> str:
        base = bases[index % len(bases)]
        publish(make_adapter(api_base=base), rendering(f"{PLAIN} #{index}"))
        return base

    with ThreadPoolExecutor(max_workers=6) as pool:
        expected = {f"{PLAIN} #{index}": base for index, base in zip(range(30), pool.map(run, range(30)), strict=False)}
    assert len(http.calls) == 30
    for call in http.calls:
        base = expected[form(call)["message"]]
        assert call.request.url == f"{base}/v26.0/{PAGE}/feed"


def test_sdk_calls_outside_request_also_go_to_api_base(http: responses.RequestsMock) -> None:
    """get_version() builds its URL itself, bypassing GraphAPI.request: the session still pins it."""
    http.get("http://127.0.0.1:9003/v26.0/me", json={"id": "1"}, headers={"facebook-api-version": "v26.0"})
    adapter = make_adapter(api_base="http://127.0.0.1:9003")
    with adapter.connection() as graph:
        assert graph.get_version() == "26.0"
    (call,) = http.calls
    assert urlsplit(call.request.url).query == ""  # the token travels in a header, not the query
    assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_path_outside_the_pinned_version_is_refused_before_sending(
    http: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    put_object = facebook.GraphAPI.put_object

    def reset_version(graph: facebook.GraphAPI, *args: Any, **kwargs: Any) -> Any:
        graph.version = "v2.8"  # someone resetting the version would be caught
        return put_object(graph, *args, **kwargs)

    monkeypatch.setattr(facebook.GraphAPI, "put_object", reset_version)
    monkeypatch.setattr(facebook.GraphAPI, "get_object", lambda graph, id, **args: graph.request(id, args))
    adapter = make_adapter()
    with pytest.raises(
        PermanentError, match=r"v2\.8/1234567890/feed is not under .*/v26\.0/, the pinned Graph API version"
    ):
        publish(adapter, rendering())
    with pytest.raises(PermanentError, match="/1234567890 is not under https://graph.facebook.com/v26.0/, the pinned"):
        adapter.verify()  # a path without any version
    assert len(http.calls) == 0


@pytest.mark.parametrize("value", ["latest", "v26.0.1", "2.8beta", "v"])
def test_an_invalid_graph_version_fails_before_any_request(http: responses.RequestsMock, value: str) -> None:
    adapter = make_adapter(graph_version=value)
    with pytest.raises(
        PermanentError, match="is not a Graph API version: set a current one such as v27.0 in config.yaml"
    ):
        publish(adapter, rendering())
    with pytest.raises(PermanentError, match="graph_version"):
        adapter.verify()
    assert len(http.calls) == 0


def test_normalise_version() -> None:
    assert [normalise_version(v) for v in ("v26.0", "26.0", "26", "V25.1", "x")] == [
        "v26.0",
        "v26.0",
        "v26.0",
        "v25.1",
        None,
    ]


def test_a_different_served_version_is_logged(http: responses.RequestsMock, caplog: pytest.LogCaptureFixture) -> None:
    http.post(FEED, json={"id": f"{PAGE}_1"}, headers={"facebook-api-version": "v24.0"})
    with caplog.at_level(logging.WARNING, logger="hospipost.networks.facebook"):
        publish(make_adapter(), rendering())
    assert "Facebook served Graph API v24.0, not the pinned v26.0" in caplog.text


# --------------------------------------------------------------------- verify


def test_verify_reads_the_page_name_with_a_read_only_call(http: responses.RequestsMock) -> None:
    http.get(PAGE_URL, json={"id": PAGE, "name": "CHU d'Angers"})

    assert make_adapter().verify() == f"CHU d'Angers (Page {PAGE}, Graph API v26.0)"

    (call,) = http.calls
    url = urlsplit(call.request.url)
    assert call.request.method == "GET"
    assert (url.netloc, url.path) == ("graph.facebook.com", f"/v26.0/{PAGE}")
    assert parse_qs(url.query) == {"fields": ["name,id"]}  # no access_token in the query string
    assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert call.request.req_kwargs["timeout"] == 7


@pytest.mark.parametrize(
    ("status", "body", "error", "fragment"),
    [
        (
            400,
            graph_error(190, 463, "Session has expired"),
            PermanentError,
            "generate a new Page token and set HOSPIPOST_FACEBOOK_TOKEN",
        ),
        (403, graph_error(10, None, "Permission denied"), PermanentError, "pages_read_engagement and pages_show_list"),
        (
            400,
            graph_error(100, 33, "Unsupported get request. Object with ID '1234567890' does not exist"),
            PermanentError,
            "Facebook refused reading the Page (Facebook error 100, subcode 33: Unsupported get request",
        ),
        (400, graph_error(4, None, "Application request limit reached"), TransientError, "rate limit"),
    ],
)
def test_verify_maps_errors(http: responses.RequestsMock, status: int, body: dict, error: type, fragment: str) -> None:
    http.get(PAGE_URL, status=status, json=body)
    with pytest.raises(error) as raised:
        make_adapter().verify()
    assert fragment in str(raised.value)


def test_verify_without_a_token_names_the_variable(http: responses.RequestsMock) -> None:
    with pytest.raises(CredentialsError, match="HOSPIPOST_FACEBOOK_TOKEN"):
        make_adapter(environ={}).verify()
    assert len(http.calls) == 0


# --------------------------------------------------------------------- Graph error mapping


@pytest.mark.parametrize(
    ("body", "error", "fragments"),
    [
        (
            graph_error(190, 463, "Error validating access token: Session has expired on Monday"),
            PermanentError,
            [
                "The Page token is invalid or expired (the token expired): generate a new Page token and set"
                " HOSPIPOST_FACEBOOK_TOKEN",
                "Facebook error 190, subcode 463",
            ],
        ),
        (
            graph_error(190, 460, "The session has been invalidated because the user changed their password"),
            PermanentError,
            ["The Page token is invalid or expired (the password changed)"],
        ),
        (
            graph_error(102, None, "Session key invalid or no longer valid"),
            PermanentError,
            ["The Page token is invalid or expired: generate a new Page token and set HOSPIPOST_FACEBOOK_TOKEN"],
        ),
        (
            graph_error(10, None, "Application does not have permission for this action"),
            PermanentError,
            ["pages_manage_posts", "HOSPIPOST_FACEBOOK_TOKEN", "Facebook error 10"],
        ),
        (
            graph_error(200, None, "(#200) Requires pages_manage_posts permission"),
            PermanentError,
            ["lacks a permission", "pages_manage_posts", "Facebook error 200"],
        ),
        (
            graph_error(368, 1390008, "It looks like you were misusing this feature by going too fast"),
            PermanentError,
            ["blocked the post under its policies", "Facebook error 368"],
        ),
        (
            graph_error(506, None, "Duplicate status message"),
            UnknownOutcome,
            ["duplicate", "probably already published", "hospipost reconcile"],
        ),
        (
            graph_error(1609005, None, "Error Posting Link"),
            PermanentError,
            ["could not use the link", "Facebook error 1609005"],
        ),
        (graph_error(100, 1609005, "Error Posting Link"), PermanentError, ["could not use the link"]),
        (graph_error(1, None, "An unknown error occurred"), TransientError, ["temporary problem", "Facebook error 1"]),
        (graph_error(2, None, "Service temporarily unavailable"), TransientError, ["temporary problem"]),
        (graph_error(100, 2018001, "Something odd", is_transient=True), TransientError, ["temporary problem"]),
        (
            graph_error(100, None, "Invalid parameter", error_user_msg="Le message est vide."),
            PermanentError,
            ["Facebook refused publishing the post (Facebook error 100: Le message est vide)"],
        ),
    ],
)
def test_graph_errors_are_mapped(http: responses.RequestsMock, body: dict, error: type, fragments: list[str]) -> None:
    http.post(FEED, status=400 if body["error"]["code"] not in (1, 2) else 500, json=body)
    with pytest.raises(error) as raised:
        publish(make_adapter(), rendering())
    message = str(raised.value)
    for fragment in fragments:
        assert fragment in message
    assert TOKEN not in message
    assert "\n" not in message


@pytest.mark.parametrize("code", [4, 17, 32, 341, 613, 80001, 80099])
def test_rate_limits_are_transient_with_a_default_retry_time(http: responses.RequestsMock, code: int) -> None:
    http.post(FEED, status=400, json=graph_error(code, None, "(#4) Application request limit reached"))
    before = datetime.now(UTC)
    with pytest.raises(TransientError, match="rate limit") as raised:
        publish(make_adapter(), rendering())
    assert raised.value.retry_at is not None
    assert before + timedelta(minutes=14) < raised.value.retry_at < before + timedelta(minutes=16)
    assert f"try again after {raised.value.retry_at:%H:%M} UTC" in str(raised.value)


@pytest.mark.parametrize(
    ("header", "value", "minutes"),
    [
        (
            "X-Business-Use-Case-Usage",
            {
                PAGE: [
                    {
                        "type": "pages",
                        "call_count": 100,
                        "total_cputime": 30,
                        "total_time": 40,
                        "estimated_time_to_regain_access": 42,
                    }
                ]
            },
            42,
        ),
        (
            "X-App-Usage",
            {"call_count": 100, "total_time": 20, "total_cputime": 10, "estimated_time_to_regain_access": 7},
            7,
        ),
        ("X-Page-Usage", {"call_count": 100, "estimated_time_to_regain_access": 3}, 3),
        ("x-page-usage", {"call_count": 100, "estimated_time_to_regain_access": 5}, 5),  # HTTP/2 lowercases names
    ],
)
def test_rate_limit_retry_time_comes_from_the_usage_headers(
    http: responses.RequestsMock, header: str, value: dict, minutes: int
) -> None:
    http.post(
        FEED,
        status=400,
        json=graph_error(80001, None, "There have been too many calls to this Page"),
        headers={header: json.dumps(value)},
    )
    before = datetime.now(UTC)
    with pytest.raises(TransientError) as raised:
        publish(make_adapter(), rendering())
    expected = before + timedelta(minutes=minutes)
    assert expected <= raised.value.retry_at < expected + timedelta(seconds=30)
    assert f"try again after {raised.value.retry_at:%H:%M} UTC" in str(raised.value)


# --------------------------------------------------------------------- responses the SDK cannot read


def test_an_html_502_is_a_transient_server_error(http: responses.RequestsMock) -> None:
    http.post(FEED, status=502, body="<html><body><h1>502 Bad Gateway</h1></body></html>", content_type="text/html")
    with pytest.raises(TransientError, match=r"Facebook had a server error \(HTTP 502: a page that is not JSON\)"):
        publish(make_adapter(), rendering())


def test_a_missing_content_type_is_a_transient_server_error(http: responses.RequestsMock) -> None:
    http.post(FEED, status=503, body=b"Service Unavailable", content_type=None)
    with pytest.raises(TransientError, match=r"server error \(HTTP 503: no content type\)"):
        publish(make_adapter(), rendering())


def test_an_html_502_on_verify_is_transient(http: responses.RequestsMock) -> None:
    http.get(PAGE_URL, status=502, body="<html>Bad Gateway</html>", content_type="text/html")
    with pytest.raises(TransientError, match="HTTP 502"):
        make_adapter().verify()


def test_a_2xx_the_sdk_cannot_read_after_publishing_is_unknown(http: responses.RequestsMock) -> None:
    http.post(FEED, status=200, body=b"ok", content_type=None)
    with pytest.raises(UnknownOutcome, match="answered publishing the post with an unreadable body: it may be online"):
        publish(make_adapter(), rendering())


def test_a_json_label_on_a_non_json_body_after_publishing_is_unknown(http: responses.RequestsMock) -> None:
    http.post(FEED, status=200, body="{not json", content_type="application/json")
    with pytest.raises(UnknownOutcome, match="unreadable body: it may be online"):
        publish(make_adapter(), rendering())


def test_a_success_without_a_post_id_is_unknown(http: responses.RequestsMock) -> None:
    http.post(FEED, json={"success": True})
    parts = Parts()
    with pytest.raises(UnknownOutcome, match="returned no post id"):
        publish(make_adapter(), rendering(), parts=parts)
    assert parts.calls == []


def test_a_redirect_is_not_followed(http: responses.RequestsMock) -> None:
    http.post(FEED, status=302, headers={"Location": "https://login.example.org/"}, body="", content_type="text/html")
    with pytest.raises(PermanentError, match=r"with a redirect \(HTTP 302: .*, not followed\)"):
        publish(make_adapter(), rendering())
    assert len(http.calls) == 1


def test_an_html_429_from_a_proxy_uses_retry_after(http: responses.RequestsMock) -> None:
    http.post(FEED, status=429, body="<html>slow down</html>", content_type="text/html", headers={"Retry-After": "120"})
    before = datetime.now(UTC)
    with pytest.raises(TransientError, match="rate limit was reached") as raised:
        publish(make_adapter(), rendering())
    assert before + timedelta(minutes=2) <= raised.value.retry_at < before + timedelta(minutes=3)


ABSURD_RESETS = [
    "100000000000",
    "99999999999999999999",
    "1e400",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Sat, 01 Jan 10000 00:00:00 GMT",
    "soon",
]


@pytest.mark.parametrize("reset", ABSURD_RESETS)
@pytest.mark.parametrize("body", [{"error": {"code": 100, "message": "Slow down"}}, {"detail": "slow down"}])
def test_an_absurd_retry_after_waits_at_most_an_hour(http: responses.RequestsMock, reset: str, body: dict) -> None:
    http.post(FEED, status=429, json=body, headers={"Retry-After": reset})
    with pytest.raises(TransientError) as raised:
        publish(make_adapter(), rendering())
    assert raised.value.retry_at <= datetime.now(UTC) + MAX_WAIT


def test_an_absurd_time_to_regain_access_waits_at_most_an_hour(http: responses.RequestsMock) -> None:
    usage = json.dumps({"1": [{"type": "pages", "estimated_time_to_regain_access": 10**400}]})
    http.post(
        FEED,
        status=400,
        json={"error": {"code": 80001, "message": "rate limited"}},
        headers={"X-Business-Use-Case-Usage": usage},
    )
    before = datetime.now(UTC)
    with pytest.raises(TransientError, match="rate limit") as raised:
        publish(make_adapter(), rendering())
    assert before + MAX_WAIT <= raised.value.retry_at <= datetime.now(UTC) + MAX_WAIT  # an hour, not more
    assert f"after {raised.value.retry_at:%H:%M} UTC" in str(raised.value)


@pytest.mark.parametrize("status", [500, 503])
@pytest.mark.parametrize("body", [{}, {"status": "unavailable"}, {"id": "1"}])
def test_a_5xx_with_a_json_body_without_error_is_a_server_error(
    http: responses.RequestsMock, status: int, body: dict
) -> None:
    http.post(FEED, status=status, json=body)
    with pytest.raises(TransientError, match=rf"server error \(HTTP {status}: a body without an error message\)"):
        publish(make_adapter(), rendering())


# --------------------------------------------------------------------- transport failures (mocked)


def refused(url: str) -> requests.exceptions.ConnectionError:
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(MaxRetryError(None, url, reason))  # type: ignore[arg-type]


def unresolved(url: str) -> requests.exceptions.ConnectionError:
    reason = NameResolutionError("graph.facebook.com", None, socket.gaierror(-2, "Name or service not known"))  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(MaxRetryError(None, url, reason))  # type: ignore[arg-type]


def aborted() -> requests.exceptions.ConnectionError:
    return requests.exceptions.ConnectionError(
        ProtocolError("Connection aborted.", RemoteDisconnected("Remote end closed connection without response"))
    )


@pytest.mark.parametrize(
    ("failure", "error", "fragment"),
    [
        (
            refused(f"/v26.0/{PAGE}/feed?access_token={TOKEN}"),
            TransientError,
            "(connection refused); nothing was published",
        ),
        (unresolved(f"/v26.0/{PAGE}/feed"), TransientError, "host name not resolved"),
        (requests.exceptions.ConnectTimeout("connect timed out"), TransientError, "connection timed out"),
        (requests.exceptions.SSLError("certificate verify failed"), TransientError, "TLS handshake failed"),
        (
            requests.exceptions.ReadTimeout(
                "HTTPSConnectionPool(host='graph.facebook.com', port=443): Read timed out."
            ),
            UnknownOutcome,
            "Facebook did not answer within 7 s while publishing the post, after the request was sent: it may be online",
        ),
        (
            aborted(),
            UnknownOutcome,
            "The connection to Facebook broke (connection closed by the server) while publishing the post, after the"
            " request was sent",
        ),
        (
            requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead"),
            UnknownOutcome,
            "it may be online",
        ),
    ],
)
def test_transport_failures_on_the_publishing_request(
    http: responses.RequestsMock, failure: Exception, error: type, fragment: str
) -> None:
    http.post(FEED, body=failure)
    parts = Parts()
    with pytest.raises(error) as raised:
        publish(make_adapter(), rendering(), parts=parts)
    assert fragment in str(raised.value)
    assert parts.calls == []


def test_a_read_timeout_on_verify_is_transient(http: responses.RequestsMock) -> None:
    http.get(PAGE_URL, body=requests.exceptions.ReadTimeout("Read timed out."))
    with pytest.raises(TransientError, match="did not answer within 7 s while reading the Page; try again later"):
        make_adapter().verify()


def test_a_read_timeout_on_an_unpublished_photo_is_transient(tmp_path: Path, http: responses.RequestsMock) -> None:
    http.post(PHOTOS, json={"id": "701"})
    http.post(PHOTOS, body=requests.exceptions.ReadTimeout("Read timed out."))
    with pytest.raises(TransientError, match="nothing was published, hospipost will try again later"):
        publish(make_adapter(), rendering(TEXT, [image(tmp_path, "a.png"), image(tmp_path, "b.png")]))
    assert [call.request.url for call in http.calls] == [PHOTOS, PHOTOS]


def test_a_read_timeout_on_a_single_published_photo_is_unknown(tmp_path: Path, http: responses.RequestsMock) -> None:
    http.post(PHOTOS, body=requests.exceptions.ReadTimeout("Read timed out."))
    with pytest.raises(UnknownOutcome, match="may be online"):
        publish(make_adapter(), rendering(TEXT, [image(tmp_path, "a.png")]))


def test_a_read_timeout_on_the_multi_photo_feed_post_is_unknown(tmp_path: Path, http: responses.RequestsMock) -> None:
    http.post(PHOTOS, json={"id": "701"})
    http.post(PHOTOS, json={"id": "702"})
    http.post(FEED, body=requests.exceptions.ReadTimeout("Read timed out."))
    with pytest.raises(UnknownOutcome):
        publish(make_adapter(), rendering(TEXT, [image(tmp_path, "a.png"), image(tmp_path, "b.png")]))


# --------------------------------------------------------------------- transport failures (real local sockets)


def test_connection_refused_on_a_real_socket_is_transient() -> None:
    adapter = make_adapter(api_base=f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(TransientError, match="connection refused") as raised:
        publish(adapter, rendering())
    assert TOKEN not in str(raised.value)


def test_a_real_read_timeout_after_sending_is_unknown() -> None:
    with SilentServer() as server:
        with pytest.raises(
            UnknownOutcome,
            match="Facebook did not answer within 0.3 s while publishing the post, after the request was sent",
        ):
            publish(make_adapter(api_base=server.url, timeout=0.3), rendering())
        server.thread.join(2)
        assert server.received.startswith(f"POST /v26.0/{PAGE}/feed HTTP/1.1".encode())


def test_a_real_hang_up_after_sending_is_unknown() -> None:
    with SilentServer(hang_up=True) as server:
        with pytest.raises(UnknownOutcome, match="The connection to Facebook broke"):
            publish(make_adapter(api_base=server.url, timeout=2), rendering())


# --------------------------------------------------------------------- dry-run payload


def test_payload_for_a_text_post(http: responses.RequestsMock) -> None:
    adapter = make_adapter(environ={})  # reading a credential would raise
    assert adapter.payload(rendering()) == [
        {
            "method": "POST",
            "url": FEED,
            "data": {"message": TEXT, "link": "https://www.santepubliquefrance.fr/canicule"},
        }
    ]
    assert len(http.calls) == 0 and adapter.credentials.handed_out == set()


def test_payload_for_one_photo(tmp_path: Path, http: responses.RequestsMock) -> None:
    media = image(tmp_path, "canicule.png")
    assert make_adapter(environ={}).payload(rendering(media=[media])) == [
        {
            "method": "POST",
            "url": PHOTOS,
            "data": {"caption": TEXT, "alt_text_custom": "Infographie : les bons gestes en cas de fortes chaleurs"},
            "files": {
                "source": {
                    "file": "media/canicule.png",
                    "name": "canicule.png",
                    "bytes": len(tiny_png()),
                    "type": "image/png",
                    "alt": "Infographie : les bons gestes en cas de fortes chaleurs",
                }
            },
        }
    ]
    assert len(http.calls) == 0


def test_payload_for_three_photos(tmp_path: Path, http: responses.RequestsMock) -> None:
    media = [image(tmp_path, f"p{index}.png", alt=f"Photo {index} du service") for index in (1, 2, 3)]
    payload = make_adapter(environ={}, api_base="http://127.0.0.1:9", graph_version="25.0").payload(
        rendering(TEXT, media)
    )
    base = f"http://127.0.0.1:9/v25.0/{PAGE}"
    assert payload == [
        *[
            {
                "method": "POST",
                "url": f"{base}/photos",
                "data": {"alt_text_custom": f"Photo {index} du service", "published": "false"},
                "files": {
                    "source": {
                        "file": f"media/p{index}.png",
                        "name": f"p{index}.png",
                        "bytes": len(tiny_png()),
                        "type": "image/png",
                        "alt": f"Photo {index} du service",
                    }
                },
            }
            for index in (1, 2, 3)
        ],
        {
            "method": "POST",
            "url": f"{base}/feed",
            "data": {
                "message": TEXT,
                "attached_media[0]": '{"media_fbid": "<id of photo 1>"}',
                "attached_media[1]": '{"media_fbid": "<id of photo 2>"}',
                "attached_media[2]": '{"media_fbid": "<id of photo 3>"}',
            },
        },
    ]
    assert len(http.calls) == 0


def test_payload_matches_what_publish_sends(tmp_path: Path, http: responses.RequestsMock) -> None:
    for photo_id in ("<id of photo 1>", "<id of photo 2>"):
        http.post(PHOTOS, json={"id": photo_id})
    http.post(FEED, json={"id": f"{PAGE}_1"})
    media = [image(tmp_path, "a.png"), image(tmp_path, "b.png")]
    payload = make_adapter(environ={}).payload(rendering(TEXT, media))

    publish(make_adapter(), rendering(TEXT, media))

    assert [(r["method"], r["url"]) for r in payload] == [(c.request.method, c.request.url) for c in http.calls]
    sent = [{k: v for k, v in multipart(c).items() if k not in ("access_token", "source")} for c in http.calls[:2]]
    assert sent == [r["data"] for r in payload[:2]]
    assert {k: v for k, v in form(http.calls[2]).items() if k != "access_token"} == payload[2]["data"]


def test_payload_with_a_missing_file_or_a_bad_version_does_not_raise(tmp_path: Path) -> None:
    media = image(tmp_path, "gone.png")
    media.path.unlink()
    payload = make_adapter(environ={}, graph_version="latest").payload(rendering(media=[media]))
    assert payload[0]["files"]["source"]["bytes"] is None
    assert payload[0]["url"] == f"{GRAPH}/latest/{PAGE}/photos"


# --------------------------------------------------------------------- secrets


SECRET_FAILURES: list[tuple[str, Any]] = [
    (
        "graph error echoing the URL",
        {"status": 400, "json": graph_error(100, None, f"Invalid request to {FEED}?access_token={TOKEN}&debug=all")},
    ),
    (
        "token error echoing the token",
        {"status": 400, "json": graph_error(190, 467, f"Malformed access token {TOKEN}")},
    ),
    (
        "user message echoing the token",
        {"status": 400, "json": graph_error(100, None, "x", error_user_msg=f"jeton {TOKEN} refusé")},
    ),
    ("rate limit echoing the token", {"status": 400, "json": graph_error(4, None, f"limit for {TOKEN}")}),
    (
        "oauth string error",
        {"status": 400, "json": {"error": f"invalid_token {TOKEN}", "error_description": f"bad {TOKEN}"}},
    ),
    ("connection refused with the URL", {"body": refused(f"{FEED}?access_token={TOKEN}")}),
    (
        "read timeout with the URL",
        {
            "body": requests.exceptions.ReadTimeout(
                f"HTTPSConnectionPool(host='graph.facebook.com', port=443): Read timed out. (url={FEED}?access_token={TOKEN})"
            )
        },
    ),
    (
        "broken connection with the URL",
        {"body": requests.exceptions.ConnectionError(f"broken: {FEED}?access_token={TOKEN}")},
    ),
]


@pytest.mark.parametrize(("case", "reply"), SECRET_FAILURES, ids=[case for case, _ in SECRET_FAILURES])
def test_the_token_never_appears_in_errors_or_logs(
    http: responses.RequestsMock, caplog: pytest.LogCaptureFixture, tmp_path: Path, case: str, reply: dict
) -> None:
    caplog.set_level(logging.DEBUG)
    http.post(FEED, **reply)
    http.get(PAGE_URL, **reply)
    adapter = make_adapter()
    raised = []
    for action in (lambda: publish(adapter, rendering()), adapter.verify):
        with pytest.raises((PermanentError, TransientError, UnknownOutcome)) as error:
            action()
        raised.append(error.value)
    for error in raised:
        text = "".join(traceback.format_exception(error))
        assert TOKEN not in text and "access_token=EAAB" not in text
        assert error.__suppress_context__  # the SDK's exception (with its URL) is not chained
    assert all(call.request.url.find(TOKEN) == -1 for call in http.calls)  # never in a URL either
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert TOKEN not in logged
    payload = make_adapter(environ={}).payload(rendering(TEXT, [image(tmp_path, "a.png"), image(tmp_path, "b.png")]))
    assert TOKEN not in json.dumps(payload) and "access_token" not in json.dumps(payload)


def test_the_token_is_sent_but_never_logged(
    http: responses.RequestsMock, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    http.post(PHOTOS, json={"id": "701", "post_id": f"{PAGE}_1"})
    http.post(FEED, json={"id": f"{PAGE}_2"})
    http.get(PAGE_URL, json={"id": PAGE, "name": "CHU"})
    adapter = make_adapter()
    publish(adapter, rendering())
    publish(adapter, rendering(TEXT, [image(tmp_path, "a.png")]))
    adapter.verify()
    assert form(http.calls[0])["access_token"] == TOKEN
    assert multipart(http.calls[1])["access_token"] == TOKEN
    assert http.calls[2].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert f"POST {FEED}: HTTP 200" in caplog.text  # requests are logged…
    assert TOKEN not in caplog.text + "".join(str(record.args) for record in caplog.records)  # …without the token


# --------------------------------------------------------------------- import cost


def test_importing_the_adapter_does_not_import_the_sdk() -> None:
    code = (
        "import sys, hospipost.networks.facebook; "
        "print(sorted(m for m in ('facebook', 'requests', 'urllib3') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "[]"


# --------------------------------------------------------------------- odd error bodies and config


def test_an_oauth_style_string_error_is_permanent(http: responses.RequestsMock) -> None:
    http.post(FEED, status=400, json={"error": "invalid_token", "error_description": "The access token is invalid."})
    with pytest.raises(
        PermanentError,
        match=r"Facebook refused publishing the post \(HTTP 400: The access token is invalid\); nothing was published:"
        r" generate a new Page token and set HOSPIPOST_FACEBOOK_TOKEN",
    ):
        publish(make_adapter(), rendering())


def test_a_graph_error_without_a_code_keeps_meta_message(http: responses.RequestsMock) -> None:
    http.post(FEED, status=400, json={"error": {"message": "Something went wrong"}})
    with pytest.raises(PermanentError, match=r"\(Facebook error: Something went wrong\)"):
        publish(make_adapter(), rendering())


@pytest.mark.parametrize("base", ["graph.facebook.com", "ftp://graph.facebook.com", "https://"])
def test_an_unusable_api_base_fails_before_any_request(http: responses.RequestsMock, base: str) -> None:
    with pytest.raises(PermanentError, match="networks.facebook.api_base"):
        publish(make_adapter(api_base=base), rendering())
    assert len(http.calls) == 0


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            {"status": 503, "json": {}},
            "Facebook had a server error (HTTP 503: a body without an error message) while publishing the post; hospipost will try again later.",
        ),
        (
            {"status": 400, "json": {"error": {"code": 190, "message": "Error validating access token"}}},
            "The Page token is invalid or expired: generate a new Page token and set HOSPIPOST_FACEBOOK_TOKEN (Facebook error 190: Error validating access token).",
        ),
        (
            {"body": requests.exceptions.ReadTimeout("read timed out")},
            "Facebook did not answer within 7 s while publishing the post, after the request was sent: it may be online; check the Page, then resolve the delivery with `hospipost reconcile`.",
        ),
        (
            {
                "body": requests.exceptions.ConnectionError(
                    ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
                )
            },
            "The connection to Facebook broke (connection reset) while publishing the post, after the request was sent: it may be online; check the Page, then resolve the delivery with `hospipost reconcile`.",
        ),
    ],
)
def test_each_kind_of_failure_is_one_clear_sentence(http: responses.RequestsMock, reply: dict, expected: str) -> None:
    http.post(FEED, **reply)
    with pytest.raises((TransientError, PermanentError, UnknownOutcome)) as raised:
        publish(make_adapter(), rendering())
    assert str(raised.value) == expected
