"""The Mastodon adapter, through the real Mastodon.py 2.3.3 with HTTP intercepted by `responses`.

Every test asserts the exact requests (host, path, headers, form or multipart body,
timeout). Nothing reaches the real network: a `responses` mock refuses any unregistered
URL, and the socket tests talk to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from http.client import RemoteDisconnected
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
import responses
from click.testing import CliRunner
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError, ProtocolError

from hospipost.config import NetworkSettings
from hospipost.credentials import Credentials, CredentialsError
from hospipost.networks.base import (
    MAX_WAIT,
    NotFoundError,
    PermanentError,
    Rendering,
    Sent,
    TransientError,
    UnknownOutcome,
)
from hospipost.networks.mastodon import Mastodon, idempotency_key
from hospipost.posts import Media
from hospipost.textlength import mastodon_length
from tests import clock
from tests.helpers import CONFIG_YAML, findings, make_config, post_with
from tests.networks.kit import GPS_MARK, Parts, SilentServer, free_port, jpeg_with_exif, tiny_png

TOKEN = "SECRET-MASTODON-TOKEN-4f2a9c"
CACHE_FILE = "mastodon-limits.json"  # the limits verify() learnt (Network.learn_limits), by instance URL
INSTANCE = "https://social.example.org"
STATUSES = f"{INSTANCE}/api/v1/statuses"
MEDIA = f"{INSTANCE}/api/v2/media"
INSTANCE_V2 = f"{INSTANCE}/api/v2/instance/"
INSTANCE_V1 = f"{INSTANCE}/api/v1/instance/"
ME = f"{INSTANCE}/api/v1/accounts/verify_credentials"
KEY = "canicule-2027-07-19:mastodon:once"
TEXT = (
    "Fortes chaleurs : le CHU d'Angers active son plan grandes chaleurs. En cas de malaise, appelez le 15."
    " Conseils : https://www.santepubliquefrance.fr/canicule"
)
ALT = "Infographie : les bons gestes en cas de fortes chaleurs"


# ---------------------------------------------------------------------- helpers


def make_adapter(environ: dict[str, str] | None = None, cache_dir: Path | None = None, **options: Any) -> Mastodon:
    settings: dict[str, Any] = {key: spec.default for key, spec in Mastodon.all_config_keys().items()}
    settings.update({"enabled": True, "instance": INSTANCE, "timeout": 7})
    settings.update(options)
    credentials = Credentials(environ={"HOSPIPOST_MASTODON_TOKEN": TOKEN} if environ is None else environ)
    adapter = Mastodon(NetworkSettings("mastodon", True, settings, 1), credentials, cache_dir)
    adapter.sleep = FakeSleep()
    return adapter


class FakeSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def rendering(*parts: str, media: list[Media] | None = None, language: str = "fr") -> Rendering:
    return Rendering("mastodon", list(parts) or [TEXT], media or [], language)


def publish(
    adapter: Mastodon, r: Rendering, done: list[str] | None = None, parts: Parts | None = None, key: str = KEY
) -> Sent:
    return adapter.publish(r, key, done or [], parts or Parts())


def status(status_id: str, account: str = "chu") -> dict[str, Any]:
    return {
        "id": status_id,
        "url": f"{INSTANCE}/@{account}/{status_id}",
        "uri": f"{INSTANCE}/users/{account}/statuses/{status_id}",
        "account": {"id": "7", "acct": account, "url": f"{INSTANCE}/@{account}"},
        "content": "<p>…</p>",
    }


def image(tmp_path: Path, name: str, alt: str | None = ALT, data: bytes | None = None) -> Media:
    path = tmp_path / "media" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(tiny_png() if data is None else data)
    return Media(file=f"media/{name}", path=path, alt=alt, people=False, consent=None, line=1)


def form(call: Any) -> dict[str, list[str]]:
    body = call.request.body
    body = body.decode() if isinstance(body, bytes) else body
    return parse_qs(body or "", keep_blank_values=True)


def multipart(call: Any) -> dict[str, Any]:
    """Fields of a multipart body: text fields as str, files as (file name, content type, bytes)."""
    kind = call.request.headers["Content-Type"]
    assert kind.startswith("multipart/form-data")
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {kind}\r\n\r\n".encode() + call.request.body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        fields[name] = (
            (part.get_filename(), part.get_content_type(), payload) if part.get_filename() else payload.decode()
        )
    return fields


def instance_v2(
    max_characters: int = 1000, media: int = 3, url_weight: int = 23, **media_limits: Any
) -> dict[str, Any]:
    return {
        "domain": "social.example.org",
        "title": "Social",
        "version": "4.4.0",
        "configuration": {
            "statuses": {
                "max_characters": max_characters,
                "max_media_attachments": media,
                "characters_reserved_per_url": url_weight,
            },
            "media_attachments": {
                "supported_mime_types": ["image/png", "image/jpeg", "video/webm", "video/mp4", "video/quicktime"],
                "image_size_limit": 16777216,
                "video_size_limit": 41943040,
                "description_limit": 1500,
                **media_limits,
            },
        },
    }


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


# ---------------------------------------------------------------------- text posts and threads


def test_a_text_post_goes_to_the_instance_with_its_token_key_and_timeout(http: responses.RequestsMock) -> None:
    http.post(STATUSES, json=status("109001"))
    parts = Parts()

    sent = publish(make_adapter(), rendering(), parts=parts)

    assert sent == Sent("109001", f"{INSTANCE}/@chu/109001")
    assert parts.calls == [(0, "109001")]
    (call,) = http.calls
    assert (call.request.method, call.request.url) == ("POST", STATUSES)
    assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert call.request.headers["Idempotency-Key"] == f"{KEY}#0"
    assert call.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert call.request.headers["User-Agent"].startswith("hospipost/")
    assert form(call) == {"status": [TEXT], "sensitive": ["0"], "visibility": ["public"], "language": ["fr"]}
    assert call.request.req_kwargs["timeout"] == 7


def test_french_text_is_sent_as_utf8_unchanged(http: responses.RequestsMock) -> None:
    text = "Vaccination : « rendez-vous » à l’hôpital, 9 h\u202f30 – c’est gratuit 💉 #SemaineDeLaVaccination"
    http.post(STATUSES, json=status("1"))
    publish(make_adapter(), rendering(text))
    assert form(http.calls[0])["status"] == [text]


@pytest.mark.parametrize(
    "instance", ["social.example.org", "https://social.example.org/", " https://social.example.org "]
)
def test_the_instance_url_is_normalised(http: responses.RequestsMock, instance: str) -> None:
    http.post(STATUSES, json=status("2"))
    adapter = make_adapter(instance=instance)
    assert adapter.api_base == INSTANCE
    publish(adapter, rendering())
    assert http.calls[0].request.url == STATUSES


def test_api_base_overrides_the_instance_for_requests(http: responses.RequestsMock) -> None:
    http.post("http://127.0.0.1:8089/mastodon-proxy/api/v1/statuses", json=status("3"))
    adapter = make_adapter(api_base="http://127.0.0.1:8089/mastodon-proxy/")
    sent = publish(adapter, rendering())
    assert http.calls[0].request.url == "http://127.0.0.1:8089/mastodon-proxy/api/v1/statuses"
    assert sent.url == f"{INSTANCE}/@chu/3"  # the URL the instance gives


def test_config_yaml_api_base_defaults_to_the_instance(tmp_path: Path, http: responses.RequestsMock) -> None:
    config = make_config(tmp_path / "site")
    settings = config.networks["mastodon"]
    assert settings.api_base == ""  # NetworkSettings knows no default: the adapter uses the instance
    adapter = Mastodon(settings, Credentials(environ={"HOSPIPOST_MASTODON_TOKEN": TOKEN}), config.cache_dir)
    assert adapter.api_base == INSTANCE
    http.post(STATUSES, json=status("4"))
    publish(adapter, rendering())
    assert http.calls[0].request.req_kwargs["timeout"] == 30
    assert form(http.calls[0])["language"] == ["fr"]


def test_config_yaml_api_base_timeout_and_token_env(tmp_path: Path, http: responses.RequestsMock) -> None:
    text = CONFIG_YAML.replace(
        "mastodon: {enabled: true, instance: https://social.example.org}",
        "mastodon: {enabled: true, instance: https://social.example.org, api_base: 'https://proxy.chu.example/',"
        " timeout: 12, token_env: CHU_MASTODON}",
    )
    config = make_config(tmp_path / "site", text=text)
    adapter = Mastodon(config.networks["mastodon"], Credentials(environ={"CHU_MASTODON": TOKEN}), config.cache_dir)
    http.post("https://proxy.chu.example/api/v1/statuses", json=status("5"))
    publish(adapter, rendering())
    assert http.calls[0].request.req_kwargs["timeout"] == 12
    assert http.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_thread_replies_in_order_with_one_key_per_part(http: responses.RequestsMock) -> None:
    for status_id in ("201", "202", "203"):
        http.post(STATUSES, json=status(status_id))
    parts = Parts()

    sent = publish(make_adapter(), rendering("Partie 1/3", "Partie 2/3", "Partie 3/3"), parts=parts)

    assert sent == Sent("201", f"{INSTANCE}/@chu/201")
    assert parts.calls == [(0, "201"), (1, "202"), (2, "203")]
    bodies = [form(call) for call in http.calls]
    assert [b["status"] for b in bodies] == [["Partie 1/3"], ["Partie 2/3"], ["Partie 3/3"]]
    assert [b.get("in_reply_to_id") for b in bodies] == [None, ["201"], ["202"]]
    assert {b["visibility"][0] for b in bodies} == {"public"}
    assert [c.request.headers["Idempotency-Key"] for c in http.calls] == [f"{KEY}#0", f"{KEY}#1", f"{KEY}#2"]


def test_each_part_carries_the_posts_language_as_an_iso_639_code(http: responses.RequestsMock) -> None:
    for status_id in ("301", "302"):
        http.post(STATUSES, json=status(status_id))
    publish(make_adapter(), rendering("We are recruiting nurses.", "Apply online.", language="en-GB"))
    assert [form(call)["language"] for call in http.calls] == [["en"], ["en"]]


def test_a_thread_resumes_after_the_parts_already_online(http: responses.RequestsMock) -> None:
    http.post(STATUSES, json=status("302"))
    http.post(STATUSES, json=status("303"))
    parts = Parts()

    sent = publish(make_adapter(), rendering("Partie 1/3", "Partie 2/3", "Partie 3/3"), done=["301"], parts=parts)

    assert sent == Sent("301", f"{INSTANCE}/@chu/301")  # the first part's URL, on the same account
    assert parts.calls == [(1, "302"), (2, "303")]
    assert [form(c)["in_reply_to_id"] for c in http.calls] == [["301"], ["302"]]
    assert [c.request.headers["Idempotency-Key"] for c in http.calls] == [f"{KEY}#1", f"{KEY}#2"]


def test_a_fully_published_thread_is_not_sent_again(http: responses.RequestsMock) -> None:
    parts = Parts()
    assert publish(make_adapter(), rendering("a", "b"), done=["1", "2"], parts=parts) == Sent("1", None)
    assert len(http.calls) == 0 and parts.calls == []


def test_a_retry_carries_the_same_idempotency_keys(http: responses.RequestsMock) -> None:
    """A timeout leaves part 2 unknown; re-sending it carries the same key, so Mastodon answers with the same status."""
    http.post(STATUSES, json=status("401"))
    http.post(STATUSES, body=requests.exceptions.ReadTimeout("Read timed out. (read timeout=7)"))
    adapter = make_adapter()
    parts = Parts()
    with pytest.raises(UnknownOutcome):
        publish(adapter, rendering("un", "deux"), parts=parts)
    assert parts.calls == [(0, "401")]
    http.replace(responses.POST, STATUSES, json=status("402"))  # the instance's answer to a repeated key

    sent = publish(adapter, rendering("un", "deux"), done=["401"])

    assert sent.remote_id == "401"
    keys = [c.request.headers["Idempotency-Key"] for c in http.calls]
    assert keys == [f"{KEY}#0", f"{KEY}#1", f"{KEY}#1"]
    assert form(http.calls[1]) == form(http.calls[2])


def test_the_key_is_the_delivery_id_and_the_part_index() -> None:
    assert idempotency_key("p1:mastodon:once", 0) == "p1:mastodon:once#0"
    assert idempotency_key("p1:mastodon:2027-01-04T08:00:00+00:00", 3) == "p1:mastodon:2027-01-04T08:00:00+00:00#3"
    odd = idempotency_key("pé:mastodon:once", 0)
    assert odd.startswith("sha256:") and odd.isascii() and odd == idempotency_key("pé:mastodon:once", 0)


# ---------------------------------------------------------------------- media


def test_an_image_is_sent_without_its_metadata(tmp_path: Path, http: responses.RequestsMock) -> None:
    http.post(MEDIA, json={"id": "9001", "type": "image", "url": f"{INSTANCE}/media/9001.jpg"})
    http.post(STATUSES, json=status("501"))
    publish(make_adapter(), rendering(TEXT, media=[image(tmp_path, "photo.jpg", data=jpeg_with_exif())]))
    body = http.calls[0].request.body
    assert b"\xff\xd8" in body and GPS_MARK not in body


def test_an_image_is_uploaded_with_its_alt_then_attached(tmp_path: Path, http: responses.RequestsMock) -> None:
    http.post(MEDIA, json={"id": "9001", "type": "image", "url": f"{INSTANCE}/media/9001.png"})
    http.post(STATUSES, json=status("501"))
    adapter = make_adapter()

    publish(adapter, rendering(TEXT, "suite", media=[image(tmp_path, "canicule.png")]))

    upload, first, second = http.calls
    assert (upload.request.method, upload.request.url) == ("POST", MEDIA)
    assert upload.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert upload.request.req_kwargs["timeout"] == 7
    assert multipart(upload) == {"description": ALT, "file": ("canicule.png", "image/png", tiny_png())}
    assert "Idempotency-Key" not in upload.request.headers
    assert form(first)["media_ids[]"] == ["9001"]
    assert "media_ids[]" not in form(second)  # images go with the first part only
    assert adapter.sleep.calls == []


def test_several_images_keep_their_order_and_an_image_without_alt_sends_no_description(
    tmp_path: Path, http: responses.RequestsMock
) -> None:
    for media_id in ("1", "2"):
        http.post(MEDIA, json={"id": media_id, "url": f"{INSTANCE}/media/{media_id}.png"})
    http.post(STATUSES, json=status("502"))
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 32
    publish(make_adapter(), rendering(media=[image(tmp_path, "a.png"), image(tmp_path, "b.jpg", alt=None, data=jpeg)]))
    assert multipart(http.calls[1]) == {"file": ("b.jpg", "image/jpeg", jpeg)}
    assert form(http.calls[2])["media_ids[]"] == ["1", "2"]


def test_an_image_still_processing_is_polled_until_ready(tmp_path: Path, http: responses.RequestsMock) -> None:
    http.post(MEDIA, status=202, json={"id": "9002", "type": "image", "url": None})
    http.get(f"{INSTANCE}/api/v1/media/9002", status=206, json={"id": "9002", "url": None})
    http.get(f"{INSTANCE}/api/v1/media/9002", status=206, json={"id": "9002", "url": None})
    http.get(f"{INSTANCE}/api/v1/media/9002", json={"id": "9002", "url": f"{INSTANCE}/media/9002.png"})
    http.post(STATUSES, json=status("503"))
    adapter = make_adapter()

    assert publish(adapter, rendering(media=[image(tmp_path, "a.png")])).remote_id == "503"

    assert [(c.request.method, c.request.url) for c in http.calls] == [
        ("POST", MEDIA),
        *[("GET", f"{INSTANCE}/api/v1/media/9002")] * 3,
        ("POST", STATUSES),
    ]
    assert adapter.sleep.calls == [1.0, 2.0, 3.0]
    assert http.calls[1].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert form(http.calls[4])["media_ids[]"] == ["9002"]


def test_processing_that_never_ends_is_transient_and_publishes_nothing(
    tmp_path: Path, http: responses.RequestsMock
) -> None:
    http.post(MEDIA, status=202, json={"id": "9003", "url": None})
    http.get(f"{INSTANCE}/api/v1/media/9003", status=206, json={"id": "9003", "url": None})
    adapter = make_adapter()
    with pytest.raises(
        TransientError, match=r"still processing the image media/a.png after 56 s; nothing was published"
    ):
        publish(adapter, rendering(media=[image(tmp_path, "a.png")]))
    assert sum(adapter.sleep.calls) <= adapter.max_processing_wait
    assert adapter.sleep.calls[:5] == [1.0, 2.0, 3.0, 5.0, 5.0]
    assert all(c.request.url != STATUSES for c in http.calls)


def test_an_image_the_instance_cannot_process_is_permanent(tmp_path: Path, http: responses.RequestsMock) -> None:
    http.post(MEDIA, status=202, json={"id": "9004", "url": None})
    http.get(
        f"{INSTANCE}/api/v1/media/9004", status=422, json={"error": "Error processing thumbnail for uploaded media"}
    )
    with pytest.raises(
        PermanentError, match=r"could not process the image media/a.png \(HTTP 422: Error processing thumbnail"
    ):
        publish(make_adapter(), rendering(media=[image(tmp_path, "a.png")]))


def test_a_rejected_upload_is_permanent_and_sends_no_status(tmp_path: Path, http: responses.RequestsMock) -> None:
    http.post(MEDIA, status=422, json={"error": "Validation failed: File content type is invalid"})
    with pytest.raises(
        PermanentError,
        match="rejected uploading the image media/a.png \\(HTTP 422: Validation failed: File content type is invalid\\)",
    ):
        publish(make_adapter(), rendering(media=[image(tmp_path, "a.png")]))
    assert len(http.calls) == 1


@pytest.mark.parametrize(
    "reply",
    [
        {"body": requests.exceptions.ReadTimeout("Read timed out.")},
        {"status": 503, "json": {"error": "Service Unavailable"}},
        {"status": 500, "json": {"error": "Error processing thumbnail for uploaded media"}},
    ],
)
def test_a_failed_upload_is_transient_never_unknown(tmp_path: Path, http: responses.RequestsMock, reply: dict) -> None:
    http.post(MEDIA, **reply)
    with pytest.raises(TransientError, match="uploading the image media/a.png"):
        publish(make_adapter(), rendering(media=[image(tmp_path, "a.png")]))


def test_media_are_checked_against_the_instance_limits_before_any_request(
    tmp_path: Path, http: responses.RequestsMock
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / CACHE_FILE).write_text(json.dumps({INSTANCE: {"max_images": 2, "max_image_bytes": 100}}))
    adapter = make_adapter(cache_dir=cache)
    with pytest.raises(PermanentError, match="accepts at most 2 images per post and this one has 3"):
        publish(adapter, rendering(media=[image(tmp_path, f"{n}.png") for n in range(3)]))
    with pytest.raises(PermanentError, match=r"weighs 269 bytes and the Mastodon instance accepts at most 100 bytes"):
        publish(adapter, rendering(media=[image(tmp_path, "big.png", data=tiny_png() + b"\x00" * 200)]))
    with pytest.raises(PermanentError, match="media/doc.pdf is a PDF document: convert it"):
        publish(make_adapter(), rendering(media=[image(tmp_path, "doc.pdf", data=b"%PDF-1.7")]))
    with pytest.raises(PermanentError, match="media/renamed.png is a PDF document"):  # the content decides
        publish(make_adapter(), rendering(media=[image(tmp_path, "renamed.png", data=b"%PDF-1.7")]))
    gone = image(tmp_path, "gone.png")
    gone.path.unlink()
    with pytest.raises(PermanentError, match="Cannot read the image media/gone.png"):
        publish(make_adapter(), rendering(media=[gone]))
    assert len(http.calls) == 0


# ---------------------------------------------------------------------- error mapping (HTTP answers)


def test_a_rate_limit_is_transient_until_the_instance_reset(http: responses.RequestsMock) -> None:
    reset = (datetime.now(UTC) + timedelta(minutes=17)).replace(microsecond=0)
    http.post(
        STATUSES,
        status=429,
        json={"error": "Too many requests"},
        headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset.isoformat()},
    )
    with pytest.raises(
        TransientError,
        match=f"rate limit was reached while publishing the post \\(HTTP 429\\); nothing was"
        f" published, hospipost will try again after {reset:%H:%M} UTC",
    ) as raised:
        publish(make_adapter(), rendering())
    assert raised.value.retry_at is not None and abs((raised.value.retry_at - reset).total_seconds()) < 2
    assert len(http.calls) == 1  # ratelimit_method="throw": Mastodon.py neither waits nor retries


def test_a_rate_limit_without_a_reset_uses_retry_after_or_a_default(http: responses.RequestsMock) -> None:
    http.post(STATUSES, status=429, json={"error": "Too many requests"}, headers={"Retry-After": "120"})
    with pytest.raises(TransientError) as raised:
        publish(make_adapter(), rendering())
    assert raised.value.retry_at is not None
    assert 100 < (raised.value.retry_at - datetime.now(UTC)).total_seconds() <= 120
    http.replace(responses.POST, STATUSES, status=429, json={"error": "Too many requests"})
    with pytest.raises(TransientError) as raised:
        publish(make_adapter(), rendering())
    assert 280 < (raised.value.retry_at - datetime.now(UTC)).total_seconds() <= 300


@pytest.mark.parametrize(
    "headers",
    [
        {"X-RateLimit-Reset": "9999-12-31T23:59:59.000Z"},
        {"X-RateLimit-Reset": "100000000000"},
        {"X-RateLimit-Reset": "99999999999999999999"},
        {"X-RateLimit-Reset": "soon"},
        {"X-RateLimit-Reset": "10000-01-01T00:00:00Z"},
        {"Retry-After": "100000000000"},
    ],
)
def test_an_absurd_rate_limit_reset_waits_at_most_an_hour(http: responses.RequestsMock, headers: dict) -> None:
    http.post(
        STATUSES, status=429, json={"error": "Too many requests"}, headers={"X-RateLimit-Remaining": "0", **headers}
    )
    with pytest.raises(TransientError, match="rate limit was reached while publishing the post") as raised:
        publish(make_adapter(), rendering())
    assert raised.value.retry_at <= datetime.now(UTC) + MAX_WAIT


def test_an_invalid_token_is_permanent_with_what_to_do(http: responses.RequestsMock) -> None:
    http.post(STATUSES, status=401, json={"error": "The access token is invalid"})
    with pytest.raises(PermanentError) as raised:
        publish(make_adapter(), rendering())
    assert str(raised.value) == (
        "The Mastodon instance refused the credentials while publishing the post (HTTP 401: The access token is"
        " invalid); nothing was published: the token is invalid or revoked, so create a new application token with"
        " write:statuses and write:media (and read:accounts, which `hospipost networks check` needs) and set"
        " HOSPIPOST_MASTODON_TOKEN."
    )


def test_rejected_content_is_permanent_with_the_instance_message(http: responses.RequestsMock) -> None:
    http.post(STATUSES, status=422, json={"error": "Validation failed: Text character limit of 500 exceeded"})
    with pytest.raises(
        PermanentError,
        match=r"rejected publishing the post \(HTTP 422: Validation failed: Text character"
        r" limit of 500 exceeded\); nothing was published: fix the post",
    ):
        publish(make_adapter(), rendering())


def test_a_rejected_second_part_says_the_first_is_online(http: responses.RequestsMock) -> None:
    http.post(STATUSES, json=status("601"))
    http.post(STATUSES, status=422, json={"error": "Validation failed: Text can't be blank"})
    parts = Parts()
    with pytest.raises(
        PermanentError,
        match=r"part 2 of 2 of the thread \(HTTP 422: .*the first part of the thread is already online",
    ):
        publish(make_adapter(), rendering("un", "deux"), parts=parts)
    assert parts.calls == [(0, "601")]


def test_media_not_yet_processed_at_posting_time_is_transient(http: responses.RequestsMock) -> None:
    http.post(
        STATUSES,
        status=422,
        json={"error": "Cannot attach files that have not finished processing. Try again in a moment!"},
    )
    with pytest.raises(TransientError, match="had not finished processing a media file"):
        publish(make_adapter(), rendering())


@pytest.mark.parametrize(
    ("code", "body", "kind", "message"),
    [
        (
            403,
            {"error": "This action is outside the authorized scopes"},
            PermanentError,
            r"\(HTTP 403: This action is outside the authorized scopes\); nothing was published: the token lacks a scope"
            r" \(it needs write:statuses and write:media\)",
        ),
        (
            404,
            {"error": "Record not found"},
            NotFoundError,  # a PermanentError: what `stats fetch` counts as a post deleted since
            r"found nothing at this address while publishing the post \(HTTP 404: Record not found\); nothing was"
            r" published: check networks.mastodon in config.yaml",
        ),
        (
            410,
            None,
            PermanentError,
            r"answered publishing the post with 410 Gone: the account may be suspended or deleted",
        ),
        (413, None, PermanentError, r"refused publishing the post as too large \(HTTP 413\)"),
        (408, None, TransientError, r"server error \(HTTP 408\) while publishing the post"),
        (400, {"error": "Bad request"}, PermanentError, r"rejected publishing the post \(HTTP 400: Bad request\)"),
        (
            500,
            {"error": "We're sorry, but something went wrong"},
            TransientError,
            r"server error \(HTTP 500: We're sorry",
        ),
        (
            502,
            None,
            TransientError,
            r"server error \(HTTP 502\) while publishing the post; hospipost will try again later",
        ),
        (503, {"error": "Service Unavailable"}, TransientError, r"server error \(HTTP 503: Service Unavailable\)"),
        (504, None, TransientError, r"server error \(HTTP 504\)"),
    ],
)
def test_http_errors_map_to_outcomes(
    http: responses.RequestsMock, code: int, body: dict | None, kind: type, message: str
) -> None:
    if body is None:
        http.post(STATUSES, status=code, body=b"")
    else:
        http.post(STATUSES, status=code, json=body)
    with pytest.raises(kind, match=message) as raised:
        publish(make_adapter(), rendering())
    assert type(raised.value) is kind


def test_a_deleted_previous_part_is_permanent(http: responses.RequestsMock) -> None:
    http.post(STATUSES, status=404, json={"error": "The post you are trying to reply to does not appear to exist."})
    with pytest.raises(
        PermanentError, match=r"no longer has part 1 of the thread \(status 701\), which part 2 replies to"
    ):
        publish(make_adapter(), rendering("un", "deux"), done=["701"])


def test_an_unreadable_answer_to_a_status_is_unknown(http: responses.RequestsMock) -> None:
    http.post(STATUSES, status=200, body="<html>Bienvenue</html>", content_type="text/html")
    with pytest.raises(UnknownOutcome, match="answered publishing the post with an unreadable body: it may be online"):
        publish(make_adapter(), rendering())


def test_a_status_without_an_id_is_unknown(http: responses.RequestsMock) -> None:
    http.post(STATUSES, json={"content": "?"})
    with pytest.raises(UnknownOutcome, match="returned no status id: it may be online"):
        publish(make_adapter(), rendering())


@pytest.mark.parametrize("code", [301, 302, 307, 308])
def test_a_redirect_is_not_followed(http: responses.RequestsMock, code: int) -> None:
    http.post(STATUSES, status=code, headers={"Location": "https://mastodon.chu.example/api/v1/statuses"})
    with pytest.raises(
        PermanentError,
        match=rf"redirected publishing the post to https://mastodon.chu.example/api/v1/statuses \(HTTP {code},"
        r" not followed\); nothing was published: set networks.mastodon.instance",
    ):
        publish(make_adapter(), rendering())
    assert len(http.calls) == 1


# ---------------------------------------------------------------------- error mapping (transport)


def refused(url: str) -> requests.exceptions.ConnectionError:
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(MaxRetryError(None, url, reason))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("failure", "why"),
    [
        (refused(STATUSES), "connection refused"),
        (
            requests.exceptions.ConnectionError(
                MaxRetryError(
                    None,
                    STATUSES,
                    NameResolutionError(  # type: ignore[arg-type]
                        "social.example.org", None, socket.gaierror(-2, "Name or service not known")
                    ),
                )
            ),
            "host name not resolved",
        ),  # type: ignore[arg-type]
        (requests.exceptions.ConnectTimeout("connect timed out"), "connection timed out"),
        (requests.exceptions.SSLError("certificate verify failed"), "TLS handshake failed"),
    ],
)
def test_a_failure_before_sending_is_transient(http: responses.RequestsMock, failure: Exception, why: str) -> None:
    http.post(STATUSES, body=failure)
    with pytest.raises(
        TransientError,
        match=f"Could not reach the Mastodon instance at {INSTANCE} while publishing the"
        f" post \\({why}\\); nothing was published, hospipost will try again later",
    ):
        publish(make_adapter(), rendering())


def test_a_read_timeout_after_sending_is_unknown_and_says_resending_is_safe(http: responses.RequestsMock) -> None:
    http.post(STATUSES, body=requests.exceptions.ReadTimeout("Read timed out. (read timeout=7)"))
    with pytest.raises(UnknownOutcome) as raised:
        publish(make_adapter(), rendering())
    message = str(raised.value)
    assert message.startswith(
        "The Mastodon instance did not answer within 7 s while publishing the post, after the request was sent: it may be online;"
    )
    assert (
        "re-sending is safe within about an hour of this attempt, because Mastodon answers a repeat carrying the"
        " same Idempotency-Key with the post it already made" in message
    )
    assert "`hospipost reconcile canicule-2027-07-19 --network mastodon --not-sent`" in message


def test_a_connection_broken_after_sending_is_unknown(http: responses.RequestsMock) -> None:
    http.post(
        STATUSES,
        body=requests.exceptions.ConnectionError(
            ProtocolError("Connection aborted.", RemoteDisconnected("Remote end closed connection without response"))
        ),
    )
    with pytest.raises(
        UnknownOutcome,
        match=r"The connection to the Mastodon instance broke \(connection closed by the server\) while publishing the"
        r" post, after the request was sent: it may be online",
    ):
        publish(make_adapter(), rendering())


def test_an_unreadable_rate_limit_header_on_a_success_is_unknown_for_a_status_and_transient_for_a_read(
    http: responses.RequestsMock,
) -> None:
    """Mastodon.py raises after the instance answered 200: the status may exist, the read changed nothing."""
    headers = {"X-RateLimit-Reset": "bientôt"}
    http.post(STATUSES, json=status("1"), headers=headers)
    with pytest.raises(UnknownOutcome, match="it may be online; re-sending is safe"):
        publish(make_adapter(), rendering())
    http.get(INSTANCE_V2, json=instance_v2(), headers=headers)
    with pytest.raises(TransientError, match="reading the instance's limits with an unreadable body; try again later"):
        make_adapter().verify()


def test_a_library_refusal_before_sending_is_permanent(
    http: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mastodon import Mastodon as Client
    from mastodon.errors import MastodonIllegalArgumentError

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise MastodonIllegalArgumentError("Invalid visibility value")

    monkeypatch.setattr(Client, "status_post", refuse)
    with pytest.raises(PermanentError, match="Mastodon.py refused publishing the post before sending it"):
        publish(make_adapter(), rendering())
    assert len(http.calls) == 0


def test_a_bug_below_the_library_is_not_taken_for_a_network_failure(http: responses.RequestsMock) -> None:
    http.post(STATUSES, body=ZeroDivisionError())  # left to the publisher, which marks the delivery unknown
    with pytest.raises(ZeroDivisionError):
        publish(make_adapter(), rendering())


def test_a_missing_token_or_a_bad_instance_sends_nothing(http: responses.RequestsMock) -> None:
    with pytest.raises(CredentialsError, match="HOSPIPOST_MASTODON_TOKEN"):
        publish(make_adapter(environ={}), rendering())
    for instance in ("", "ftp://social.example.org", "https://"):
        with pytest.raises(PermanentError, match="is not an http\\(s\\) URL"):
            publish(make_adapter(instance=instance), rendering())
    assert len(http.calls) == 0


# ---------------------------------------------------------------------- real sockets on 127.0.0.1


def test_a_refused_connection_on_a_real_port_is_transient() -> None:
    adapter = make_adapter(api_base=f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(TransientError, match="connection refused") as raised:
        publish(adapter, rendering())
    assert TOKEN not in str(raised.value)
    with pytest.raises(
        TransientError, match=r"while reading the instance's limits \(connection refused\); try again later\.$"
    ):
        adapter.verify()  # a read publishes nothing: the message does not talk of publishing


def test_a_real_read_timeout_after_sending_is_unknown() -> None:
    with SilentServer() as server:
        with pytest.raises(
            UnknownOutcome, match="did not answer within 0.3 s while publishing the post, after the request was sent"
        ):
            publish(make_adapter(api_base=server.url, timeout=0.3), rendering())
        server.thread.join(2)
        assert server.received.startswith(b"POST /api/v1/statuses HTTP/1.1")
        assert f"Idempotency-Key: {KEY}#0".encode() in server.received


def test_a_real_read_timeout_while_reading_is_transient() -> None:
    with SilentServer() as server:
        with pytest.raises(TransientError, match="did not answer within 0.3 s while reading the instance's limits"):
            make_adapter(api_base=server.url, timeout=0.3).verify()


# ---------------------------------------------------------------------- verify and the limits cache


def test_verify_caches_the_instance_limits_and_check_uses_them(tmp_path: Path, http: responses.RequestsMock) -> None:
    config = make_config(tmp_path / "site")
    settings = config.networks["mastodon"]
    http.get(INSTANCE_V2, json=instance_v2(max_characters=1000, media=3))
    http.get(ME, json={"id": "7", "username": "chu", "acct": "chu", "url": f"{INSTANCE}/@chu"})
    long_text = (
        "Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie. " * 8
    )  # ~700 characters
    assert any(
        f.network == "mastodon"
        for f in findings(config, post_with(text=long_text, networks=["mastodon"]), rule="network-length")
    )

    adapter = Mastodon(settings, Credentials(environ={"HOSPIPOST_MASTODON_TOKEN": TOKEN}), config.cache_dir)
    answer = adapter.verify()

    assert answer == "@chu on social.example.org (1000 characters, URLs count 23, 3 images)"
    assert [(c.request.method, c.request.url) for c in http.calls] == [("GET", INSTANCE_V2), ("GET", ME)]
    assert all(c.request.headers["Authorization"] == f"Bearer {TOKEN}" for c in http.calls)
    assert http.calls[0].request.req_kwargs["timeout"] == 30
    cached = json.loads((config.cache_dir / CACHE_FILE).read_text(encoding="utf-8"))
    entry = cached[INSTANCE]
    assert {k: v for k, v in entry.items() if k != "checked_at"} == {
        "max_length": 1000,
        "url_weight": 23,
        "max_images": 3,
        "max_image_bytes": 16777216,
        "max_alt_length": 1500,
        "video_bytes": 41943040,
        "video_types": ["video/mp4", "video/quicktime"],
        "version": "4.4.0",  # whether `stats fetch` reads 20 statuses at once (4.3+)
    }
    assert datetime.fromisoformat(entry["checked_at"]).tzinfo is not None
    assert [p.name for p in config.cache_dir.iterdir()] == [CACHE_FILE]  # no temporary file left

    limits = Mastodon.effective_limits(settings, config.cache_dir)
    assert (limits.max_length, limits.max_images, limits.max_image_bytes, limits.max_alt_length) == (
        1000,
        3,
        16777216,
        1500,
    )
    assert limits.count is mastodon_length and limits.supports_threads
    assert not [
        f
        for f in findings(config, post_with(text=long_text, networks=["mastodon"]), rule="network-length")
        if f.network == "mastodon"
    ]
    assert any(
        f.network == "mastodon"
        for f in findings(config, post_with(text="x" * 1001, networks=["mastodon"]), rule="network-length")
    )


def test_the_url_weight_follows_the_instance(tmp_path: Path, http: responses.RequestsMock) -> None:
    http.get(INSTANCE_V2, json=instance_v2(url_weight=30))
    http.get(ME, json={"acct": "chu"})
    cache = tmp_path / "deep" / "cache"  # created by verify
    assert "URLs count 30" in make_adapter(cache_dir=cache).verify()
    limits = Mastodon.effective_limits(make_adapter().settings, cache)
    text = "Infos : https://www.chu-angers.fr/canicule et https://www.santepubliquefrance.fr/x"
    assert limits.count(text) == mastodon_length(text) + 2 * 7
    assert limits.length_unit == "characters (URLs count 30)"
    assert limits == Mastodon.effective_limits(make_adapter().settings, cache)  # the same counter every time


def test_verify_falls_back_to_the_v1_instance(tmp_path: Path, http: responses.RequestsMock) -> None:
    http.get(INSTANCE_V2, status=404, json={"error": "Record not found"})
    http.get(
        INSTANCE_V1,
        json={
            "uri": "social.example.org",
            "version": "3.5.3",
            "configuration": {
                "statuses": {"max_characters": 5000, "max_media_attachments": 4, "characters_reserved_per_url": 23},
                "media_attachments": {"image_size_limit": 10485760},
            },
        },
    )
    http.get(ME, json={"acct": "chu"})
    assert (
        make_adapter(cache_dir=tmp_path).verify()
        == "@chu on social.example.org (5000 characters, URLs count 23, 4 images)"
    )
    assert [c.request.url for c in http.calls] == [INSTANCE_V2, INSTANCE_V1, ME]
    entry = json.loads((tmp_path / CACHE_FILE).read_text(encoding="utf-8"))[INSTANCE]
    assert "max_alt_length" not in entry and entry["max_length"] == 5000
    assert Mastodon.effective_limits(make_adapter().settings, tmp_path).max_alt_length == 1500  # declared default


def test_the_cache_is_keyed_by_instance_and_keeps_other_instances(tmp_path: Path, http: responses.RequestsMock) -> None:
    other = "https://autre.example.net"
    (tmp_path / CACHE_FILE).write_text(json.dumps({other: {"max_length": 11000}}))
    http.get("http://127.0.0.1:8089/api/v2/instance/", json=instance_v2(max_characters=700))
    http.get("http://127.0.0.1:8089/api/v1/accounts/verify_credentials", json={"acct": "chu"})
    make_adapter(cache_dir=tmp_path, instance="Social.Example.org/", api_base="http://127.0.0.1:8089").verify()
    cached = json.loads((tmp_path / CACHE_FILE).read_text(encoding="utf-8"))
    assert set(cached) == {other, INSTANCE} and cached[other] == {"max_length": 11000}
    assert Mastodon.effective_limits(make_adapter(instance=other).settings, tmp_path).max_length == 11000
    assert Mastodon.effective_limits(make_adapter(instance="SOCIAL.example.org/").settings, tmp_path).max_length == 700


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        json.dumps({INSTANCE: "oops"}),
        json.dumps({INSTANCE: {"max_length": "mille", "max_images": -1, "url_weight": True}}),
    ],
)
def test_a_broken_cache_gives_the_declared_limits(tmp_path: Path, content: str) -> None:
    (tmp_path / CACHE_FILE).write_text(content)
    limits = Mastodon.effective_limits(make_adapter().settings, tmp_path)
    assert (limits.max_length, limits.max_images, limits.count) == (500, 4, mastodon_length)


def test_a_cache_from_before_the_shared_store_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "mastodon.json").write_text(json.dumps({INSTANCE: {"max_characters": 1000}}))  # re-learnt at check
    assert Mastodon.effective_limits(make_adapter().settings, tmp_path) == Mastodon.limits


def test_without_cache_the_declared_limits_apply(tmp_path: Path) -> None:
    assert Mastodon.effective_limits(None, tmp_path) is Mastodon.limits
    assert Mastodon.effective_limits(make_adapter().settings, None) is Mastodon.limits
    assert Mastodon.effective_limits(make_adapter().settings, tmp_path / "missing") is Mastodon.limits


def test_verify_without_a_cache_folder_still_answers(http: responses.RequestsMock) -> None:
    http.get(INSTANCE_V2, json=instance_v2())
    http.get(ME, json={"acct": "chu"})
    assert make_adapter(cache_dir=None).verify().startswith("@chu on social.example.org")


def test_verify_reports_an_unwritable_cache_without_failing(tmp_path: Path, http: responses.RequestsMock) -> None:
    http.get(INSTANCE_V2, json=instance_v2())
    http.get(ME, json={"acct": "chu"})
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert "limits not cached" in make_adapter(cache_dir=blocker / "cache").verify()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            401,
            "create a new application token with write:statuses and write:media (and read:accounts, which"
            " `hospipost networks check` needs) and set HOSPIPOST_MASTODON_TOKEN",
        ),
        (403, "the token lacks a scope (it needs read:accounts)"),
    ],
)
def test_verify_token_errors(tmp_path: Path, http: responses.RequestsMock, code: int, message: str) -> None:
    http.get(INSTANCE_V2, json=instance_v2())
    http.get(ME, status=code, json={"error": "This action is outside the authorized scopes"})
    with pytest.raises(PermanentError) as raised:
        make_adapter(cache_dir=tmp_path).verify()
    assert message in str(raised.value)
    assert (tmp_path / CACHE_FILE).exists()  # the instance's limits were learnt all the same


def test_verify_errors_on_the_instance(http: responses.RequestsMock) -> None:
    http.get(INSTANCE_V2, status=502, body=b"")
    with pytest.raises(TransientError, match=r"server error \(HTTP 502\) while reading the instance's limits"):
        make_adapter().verify()
    http.replace(responses.GET, INSTANCE_V2, status=404, json={"error": "Not found"})
    http.get(INSTANCE_V1, status=404, json={"error": "Not found"})
    with pytest.raises(PermanentError, match="found nothing at this address while reading the instance's limits"):
        make_adapter().verify()


# ---------------------------------------------------------------------- dry-run payload


def test_payload_for_a_thread_with_images(tmp_path: Path, http: responses.RequestsMock) -> None:
    adapter = make_adapter(environ={})  # reading a credential would raise
    media = [image(tmp_path, "canicule.png"), image(tmp_path, "plan.png", alt=None)]

    payload = adapter.payload(rendering(TEXT, "Suite du fil", media=media), KEY)

    assert payload == [
        {
            "method": "POST",
            "url": MEDIA,
            "file": "media/canicule.png",
            "multipart": {
                "description": ALT,
                "file": {"name": "canicule.png", "bytes": len(tiny_png()), "type": "image/png"},
            },
            "then": f"when it answers 202: GET {INSTANCE}/api/v1/media/<media id 1> while 206 (processing), until 200",
        },
        {
            "method": "POST",
            "url": MEDIA,
            "file": "media/plan.png",
            "multipart": {"file": {"name": "plan.png", "bytes": len(tiny_png()), "type": "image/png"}},
            "then": f"when it answers 202: GET {INSTANCE}/api/v1/media/<media id 2> while 206 (processing), until 200",
        },
        {
            "method": "POST",
            "url": STATUSES,
            "headers": {"Idempotency-Key": f"{KEY}#0"},
            "data": {
                "status": TEXT,
                "sensitive": "0",
                "visibility": "public",
                "language": "fr",
                "media_ids[]": ["<media id 1>", "<media id 2>"],
            },
        },
        {
            "method": "POST",
            "url": STATUSES,
            "headers": {"Idempotency-Key": f"{KEY}#1"},
            "data": {
                "status": "Suite du fil",
                "in_reply_to_id": "<id of part 1>",
                "sensitive": "0",
                "visibility": "public",
                "language": "fr",
            },
        },
    ]
    assert len(http.calls) == 0 and adapter.credentials.handed_out == set()


def test_payload_without_a_key_or_a_file(tmp_path: Path) -> None:
    gone = image(tmp_path, "gone.png")
    gone.path.unlink()
    payload = make_adapter(environ={}, api_base="http://127.0.0.1:9").payload(rendering(media=[gone]))
    assert payload[0]["url"] == "http://127.0.0.1:9/api/v2/media"
    assert payload[0]["multipart"]["file"] == {"name": "gone.png", "bytes": None, "type": None}
    assert payload[1]["headers"] == {"Idempotency-Key": "<delivery id>#0"}


def test_payload_matches_what_publish_sends(tmp_path: Path, http: responses.RequestsMock) -> None:
    http.post(MEDIA, json={"id": "<media id 1>", "url": f"{INSTANCE}/m.png"})
    http.post(STATUSES, json=status("<id of part 1>"))
    http.post(STATUSES, json=status("802"))
    r = rendering(TEXT, "Suite", media=[image(tmp_path, "a.png")])
    payload = make_adapter(environ={}).payload(r, KEY)

    publish(make_adapter(), r)

    assert [(p["method"], p["url"]) for p in payload] == [(c.request.method, c.request.url) for c in http.calls]
    sent_file = multipart(http.calls[0])
    assert payload[0]["multipart"] == {
        "description": sent_file["description"],
        "file": {"name": sent_file["file"][0], "bytes": len(sent_file["file"][2]), "type": sent_file["file"][1]},
    }
    for step, call in zip(payload[1:], http.calls[1:], strict=False):
        assert {k: v if k == "media_ids[]" else v[0] for k, v in form(call).items()} == step["data"]
        assert call.request.headers["Idempotency-Key"] == step["headers"]["Idempotency-Key"]


# ---------------------------------------------------------------------- secrets


SECRET_FAILURES: list[tuple[str, dict[str, Any]]] = [
    ("401 echoing the token", {"status": 401, "json": {"error": f"The access token {TOKEN} is invalid"}}),
    ("422 echoing the token", {"status": 422, "json": {"error": f"Validation failed: {TOKEN}"}}),
    ("403 echoing the token", {"status": 403, "json": {"error": f"Bearer {TOKEN} outside the authorized scopes"}}),
    ("refused with the token", {"body": refused(f"{STATUSES}?access_token={TOKEN}")}),
    ("read timeout with the token", {"body": requests.exceptions.ReadTimeout(f"Read timed out: Bearer {TOKEN}")}),
    ("broken connection with the token", {"body": requests.exceptions.ConnectionError(f"broken: {TOKEN}")}),
]


@pytest.mark.parametrize(("case", "reply"), SECRET_FAILURES, ids=[case for case, _ in SECRET_FAILURES])
def test_the_token_never_appears_in_errors_logs_payloads_or_the_cache(
    tmp_path: Path, http: responses.RequestsMock, caplog: pytest.LogCaptureFixture, case: str, reply: dict
) -> None:
    caplog.set_level(logging.DEBUG)
    http.post(STATUSES, **reply)
    http.get(INSTANCE_V2, json=instance_v2())
    http.get(ME, **reply)
    adapter = make_adapter(cache_dir=tmp_path)
    raised = []
    for action in (lambda: publish(adapter, rendering()), adapter.verify):
        with pytest.raises((PermanentError, TransientError, UnknownOutcome)) as error:
            action()
        raised.append(error.value)
    for error in raised:
        text = "".join(traceback.format_exception(error))
        assert TOKEN not in text
        assert error.__suppress_context__  # Mastodon.py's exception is not chained into the traceback
    assert http.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"  # it was sent…
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert TOKEN not in logged  # …but never logged
    payload = make_adapter(environ={}).payload(rendering(TEXT, media=[image(tmp_path, "a.png")]), KEY)
    assert TOKEN not in json.dumps(payload) and "Authorization" not in json.dumps(payload)
    assert TOKEN not in (tmp_path / CACHE_FILE).read_text(encoding="utf-8")


def test_the_token_is_never_logged_on_success(
    tmp_path: Path, http: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    http.post(MEDIA, json={"id": "1", "url": f"{INSTANCE}/m.png"})
    http.post(STATUSES, json=status("901"))
    http.get(INSTANCE_V2, json=instance_v2())
    http.get(ME, json={"acct": "chu"})
    adapter = make_adapter(cache_dir=tmp_path)
    publish(adapter, rendering(media=[image(tmp_path, "a.png")]))
    adapter.verify()
    assert "POST https://social.example.org/api/v1/statuses: HTTP 200" in caplog.text
    assert TOKEN not in caplog.text + "".join(str(record.args) for record in caplog.records)
    assert TOKEN not in (tmp_path / CACHE_FILE).read_text(encoding="utf-8")


def test_a_token_that_names_a_file_is_sent_as_is(
    tmp_path: Path, http: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mastodon.py reads an access_token naming an existing file as a token file; we never let it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "jeton").write_text("OTHER-TOKEN-FROM-A-FILE\n")
    http.post(STATUSES, json=status("1"))
    publish(make_adapter(environ={"HOSPIPOST_MASTODON_TOKEN": "jeton"}), rendering())
    assert http.calls[0].request.headers["Authorization"] == "Bearer jeton"


# ---------------------------------------------------------------------- import cost


def test_importing_the_module_loads_no_sdk() -> None:
    code = (
        "import sys, hospipost.networks.mastodon; "
        "print(sorted(m for m in ('mastodon', 'requests', 'urllib3') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------------- through the CLI


QUEUE = """\
defaults:
  networks: [mastodon]
  author: c.dupuis
  approved_by: a.renier
posts:
  - id: salle-attente
    at: 2026-12-01 10:00
    text: Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie.
"""


def test_an_unknown_status_is_resolved_by_resending_with_the_same_key(
    tmp_path: Path, http: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hospipost.cli import cli

    text = CONFIG_YAML
    for name in ("x", "facebook", "bluesky", "linkedin"):
        text = text.replace(f"  {name}: {{enabled: true", f"  {name}: {{enabled: false")
    config = make_config(tmp_path / "site", text=text)
    (config.root / "posts" / "news.yaml").write_text(QUEUE, encoding="utf-8")
    monkeypatch.setenv("HOSPIPOST_MASTODON_TOKEN", TOKEN)

    def run(*args: str) -> Any:
        return CliRunner().invoke(cli, ["--config", str(config.path), *args], catch_exceptions=False)

    http.post(STATUSES, body=requests.exceptions.ReadTimeout("Read timed out."))
    with clock.at("2026-12-01 10:30"):
        first = run("publish")
    assert first.exit_code == 1 and "unknown" in first.output and "re-sending is safe" in first.output
    status_output = run("status", "--now", "2026-12-01 10:30").output
    assert "reconcile salle-attente --network mastodon" in status_output
    assert "re-sending is safe: Mastodon deduplicates by Idempotency-Key within about an hour" in status_output
    reconciled = run("reconcile", "salle-attente", "--network", "mastodon", "--not-sent")
    assert reconciled.exit_code == 0
    assert (
        "Re-sending is safe: Mastodon deduplicates by Idempotency-Key within about an hour of the first attempt."
        in reconciled.output
    )
    http.replace(responses.POST, STATUSES, json=status("110001"))

    with clock.at("2026-12-01 10:31"):
        second = run("publish")

    assert second.exit_code == 0 and f"{INSTANCE}/@chu/110001" in second.output
    keys = [c.request.headers["Idempotency-Key"] for c in http.calls]
    assert keys == ["salle-attente:mastodon:once#0"] * 2


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            {"status": 503, "json": {"error": "Service Unavailable"}},
            "The Mastodon instance had a server error (HTTP 503: Service Unavailable) while publishing the post; hospipost will try again later.",
        ),
        (
            {"status": 422, "json": {"error": "Validation failed: Text character limit of 500 exceeded"}},
            "The Mastodon instance rejected publishing the post (HTTP 422: Validation failed: Text character limit of 500 exceeded); nothing was published: fix the post, then publish again.",
        ),
        (
            {"body": requests.exceptions.ReadTimeout("read timed out")},
            "The Mastodon instance did not answer within 7 s while publishing the post, after the request was sent: it may be online; re-sending is safe within about an hour of this attempt, because Mastodon answers a repeat carrying the same Idempotency-Key with the post it already made: `hospipost reconcile canicule-2027-07-19 --network mastodon --not-sent` then `hospipost publish` records the right post either way (after that hour, check the account first).",
        ),
        (
            {
                "body": requests.exceptions.ConnectionError(
                    ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
                )
            },
            "The connection to the Mastodon instance broke (connection reset) while publishing the post, after the request was sent: it may be online; re-sending is safe within about an hour of this attempt, because Mastodon answers a repeat carrying the same Idempotency-Key with the post it already made: `hospipost reconcile canicule-2027-07-19 --network mastodon --not-sent` then `hospipost publish` records the right post either way (after that hour, check the account first).",
        ),
    ],
)
def test_each_kind_of_failure_is_one_clear_sentence(http: responses.RequestsMock, reply: dict, expected: str) -> None:
    http.post(STATUSES, **reply)
    with pytest.raises((TransientError, PermanentError, UnknownOutcome)) as raised:
        publish(make_adapter(), rendering())
    assert str(raised.value) == expected
